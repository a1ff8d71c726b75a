"""The hourly-rate calculator in a browser: Stockport's 15.61, a changed figure, two saved
scenarios compared side by side, a template with a benchmark, and the budget effect. Every page
is checked with axe and at 320px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from dps.models import Role
from tests.conftest import PASSWORD
from tests.e2e.helpers import check_page, sign_in


def test_costcare_calculator_scenarios_and_compare(page, base_url, make_user):
    page.goto("/cost-of-care")
    expect(page.get_by_role("heading", name="Hourly rate: £15.61")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^Basic pay .* £8\.29$"))).to_be_visible()
    expect(page.get_by_role("button", name="Save scenario")).to_have_count(0)
    check_page(page)

    email = make_user(Role.OFFICER)
    sign_in(page, email, PASSWORD)
    page.goto("/officer/cost-of-care")
    check_page(page)
    page.get_by_label("Save these figures as a scenario").fill("As proposed")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_role("heading", name="As proposed")).to_be_visible()
    check_page(page)

    page.get_by_role("link", name="Change the figures in the calculator").click()
    page.get_by_label("Basic pay").fill("8.71")
    page.get_by_role("button", name="Calculate").click()
    expect(page.get_by_role("heading", name="Hourly rate: £16.37")).to_be_visible()
    check_page(page)

    # a bad figure is refused beside the field, and what was typed stays
    page.get_by_label("Employer pension rate").fill("two")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Employer pension rate")
    expect(page.get_by_label("Employer pension rate")).to_have_value("two")
    check_page(page)
    page.get_by_label("Employer pension rate").fill("2")
    page.get_by_label("Shortest visit paid (optional)").fill("30")
    page.get_by_role("button", name="Calculate").click()
    expect(page.get_by_role("row", name=re.compile(r"^15 minutes .* £8\.19$"))).to_be_visible()

    page.get_by_label("Save these figures as a scenario").fill("Higher pay")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_role("heading", name="Higher pay")).to_be_visible()

    page.get_by_role("link", name="Back to saved scenarios").click()
    expect(page.get_by_role("heading", name="Saved scenarios")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Compare two scenarios").click()
    page.get_by_label("First scenario").select_option(label="As proposed (£15.61)")
    page.get_by_label("Second scenario").select_option(label="Higher pay (£16.37)")
    page.get_by_role("button", name="Compare").click()
    expect(
        page.get_by_role("row", name=re.compile(r"^Basic pay £8\.29 £8\.71 \+£0\.42$"))
    ).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile(r"^Hourly rate £15\.61 £16\.37 \+£0\.76$"))
    ).to_be_visible()
    check_page(page)


def test_costcare_templates_benchmark_and_budget(page, base_url, make_user):
    sign_in(page, make_user(Role.OFFICER), PASSWORD)
    page.goto("/officer/cost-of-care/templates")
    check_page(page)
    page.get_by_role("button", name="Create a template").click()
    expect(page.get_by_role("heading", name="Create a cost template")).to_be_visible()
    check_page(page)
    page.get_by_label("Name").fill("Home support 2026/27")
    page.get_by_label("Stockport home support hourly rate 2018/19 (Appendix One)").check()
    page.get_by_role("button", name="Create the template").click()
    expect(page.get_by_role("heading", name="Home support 2026/27")).to_be_visible()
    check_page(page)
    page.get_by_label("Benchmark for the year starting April").fill("2026")
    page.get_by_role("button", name="Save benchmark year").click()
    expect(page.locator("main")).to_contain_text("benchmark for 2026/27")

    page.goto("/officer/cost-of-care/budget?rates=15.61%2C15.88%2C15.99&current=14.12&hours=14042")
    expect(page.get_by_role("img", name=re.compile("Bar chart of the annual cost"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("+£1,087,974.16")
    check_page(page)
