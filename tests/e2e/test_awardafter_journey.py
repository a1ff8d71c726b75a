"""After standstill: an officer records a challenge, lifts it, records the contracts of two lots
with different dates, and the public award page shows them."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD, app_ctx
from tests.dps.award_after_factories import awarded_world, lot_ids
from tests.e2e.helpers import check_page, sign_in


def _fill_contract(page, key: str, reference: str, start: tuple, end: tuple, rate: str) -> None:
    prefix = f"#c{key}-"
    page.locator(prefix + "reference").fill(reference)
    for name, parts in (("start_on", start), ("end_on", end)):
        for part, value in zip(("day", "month", "year"), parts, strict=True):
            page.locator(f"{prefix}{name}-{part}").fill(value)
    page.locator(prefix + "hourly_rate").fill(rate)


def test_awardafter_challenge_lift_contracts_and_the_public_page(page, app, make_user):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    with app_ctx(app):
        lots = lot_ids(world.tender_id)
    orgs = world.world.bidder_org_ids
    key1, key2 = f"{lots[0]}-{orgs[0]}", f"{lots[1]}-{orgs[1]}"

    sign_in(page, world.world.officer, PASSWORD)
    page.goto(f"/officer/tenders/{world.tender_id}/award/contracts")
    expect(page.get_by_role("heading", name="Standstill, challenges and contracts")).to_be_visible()
    check_page(page)

    page.get_by_role("button", name="Record the challenge").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the details of the challenge"
    )
    check_page(page)
    page.get_by_label("Details of the challenge").fill("Care Provider C Ltd sent a claim.")
    page.get_by_role("button", name="Record the challenge").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The award is on hold")
    expect(page.locator("main")).to_contain_text("Care Provider C Ltd sent a claim.")
    expect(page.get_by_role("button", name="Record the contract")).to_have_count(0)
    check_page(page)

    page.get_by_label("Why the challenge is lifted").fill("The claim was withdrawn.")
    page.get_by_role("button", name="Lift the challenge").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The challenge is lifted")
    expect(page.get_by_role("button", name="Record the contract")).to_have_count(2)
    check_page(page)

    # A mistake first: the end date before the start date.
    _fill_contract(page, key1, "BASS-C1", ("1", "4", "2027"), ("1", "3", "2027"), "27.10")
    page.get_by_role("button", name="Record the contract").first.click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The end date must be after the start date"
    )
    expect(page.locator(f"#c{key1}-reference")).to_have_value("BASS-C1")
    check_page(page)
    _fill_contract(page, key1, "BASS-C1", ("1", "4", "2027"), ("31", "3", "2030"), "27.10")
    page.get_by_role("button", name="Record the contract").first.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The contract with Care Provider A Ltd for lot 1 is recorded"
    )
    check_page(page)

    _fill_contract(page, key2, "BASS-C2", ("1", "6", "2027"), ("31", "5", "2029"), "27.50")
    page.get_by_role("button", name="Record the contract").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("the award is concluded")
    expect(page.locator("main")).to_contain_text("Concluded")
    check_page(page)

    page.get_by_role("link", name="See the public award page").click()
    expect(page.get_by_role("heading", name=f"Award: {'Home care in Bassetlaw'}")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("BASS-C1")
    expect(main).to_contain_text("1 April 2027 to 31 March 2030")
    expect(main).to_contain_text("BASS-C2")
    expect(main).to_contain_text("1 June 2027 to 31 May 2029")
    expect(main).to_contain_text("£27.50")
    check_page(page)

    anonymous = page.context.browser.new_context(base_url=page.url.split("/awards/")[0])
    public = anonymous.new_page()
    public.goto(f"/opportunities/{world.reference}")
    public.get_by_role("link", name="See who won each lot and the contracts").click()
    expect(public.locator("main")).to_contain_text("Care Provider B Ltd")
    check_page(public)
    anonymous.close()
