"""An officer admits an application for two of its three zones and the provider reads the
decision; an officer acts on an Inadequate CQC rating and asks members to re-confirm."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from dps.extensions import db
from dps.models import Organisation, Role, User
from tests.conftest import PASSWORD, app_ctx
from tests.dps import stage1_factories as make
from tests.e2e.helpers import check_page, sign_in


def test_officer_admits_two_of_three_zones_and_the_provider_reads_it(
    page, browser, base_url, app, make_user
):
    officer_email = make_user(Role.OFFICER)
    provider_email = make_user(Role.PROVIDER, organisation="Acme Care Ltd")
    with app_ctx(app):
        officer = db.session.scalar(select(User).where(User.email == officer_email))
        dps = make.published_dps(officer)
        acme = db.session.scalar(select(Organisation).where(Organisation.name == "Acme Care Ltd"))
        reference = make.application(dps, acme, with_evidence=True).reference

    sign_in(page, officer_email, PASSWORD)
    page.get_by_role("link", name="Applications").first.click()
    expect(page.get_by_role("heading", name="Applications")).to_be_visible()
    expect(page.locator("#application-queue")).to_contain_text("10")
    check_page(page)

    page.get_by_role("link", name=reference).click()
    expect(page.locator("#decision-clock")).to_contain_text("10 working days left")
    expect(page.get_by_text("The decision clock keeps running while you wait")).to_be_visible()
    expect(page.get_by_role("link", name="Download safeguarding-policy.pdf")).to_be_visible()
    check_page(page)

    page.get_by_role("button", name="Admit").click()
    expect(page.get_by_role("heading", name="Admit the provider")).to_be_visible()
    check_page(page)
    page.get_by_label("Generic home care in Ashfield").check()
    page.get_by_label("Generic home care in Broxtowe").check()
    page.get_by_role("button", name="Admit the provider").click()
    # Partial admission without reasons is refused with a message beside the field.
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Give the reasons for not admitting"
    )
    check_page(page)
    page.get_by_label("Reasons").fill("No registered office covers Mansfield yet.")
    page.get_by_role("button", name="Admit the provider").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "admitted for 2 of 3 services and zones"
    )
    expect(page.locator("table").first).to_contain_text("Not admitted")
    check_page(page)

    provider_context = browser.new_context(base_url=base_url)
    provider = provider_context.new_page()
    sign_in(provider, provider_email, PASSWORD)
    provider.get_by_role("link", name="Inbox").first.click()
    check_page(provider)
    provider.get_by_role("link", name=f"Decision on your application: {reference}").click()
    body = provider.locator("main")
    expect(body).to_contain_text("You are admitted for:")
    expect(body).to_contain_text("Generic home care in Ashfield")
    expect(body).to_contain_text("Generic home care in Broxtowe")
    expect(body).to_contain_text("You are not admitted for:")
    expect(body).to_contain_text("Generic home care in Mansfield")
    expect(body).to_contain_text("No registered office covers Mansfield yet.")
    check_page(provider)
    provider_context.close()


def test_officer_acts_on_an_inadequate_rating_and_asks_members_to_reconfirm(
    page, browser, base_url, app, make_user
):
    officer_email = make_user(Role.OFFICER)
    provider_email = make_user(Role.PROVIDER, organisation="Acme Care Ltd")
    with app_ctx(app):
        officer = db.session.scalar(select(User).where(User.email == officer_email))
        dps = make.published_dps(officer)
        acme = db.session.scalar(select(Organisation).where(Organisation.name == "Acme Care Ltd"))
        make.member(dps, acme, insurance=[("public_liability", date(2030, 3, 31))])
        make.member(dps, make.provider("Beta Care Ltd"))

    sign_in(page, officer_email, PASSWORD)
    page.get_by_role("link", name="Members").first.click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Acme Care Ltd").click()
    check_page(page)
    page.get_by_role("link", name="Record a new CQC rating").click()
    page.get_by_role("button", name="Record the rating").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the CQC rating")
    check_page(page)
    page.get_by_label("Inadequate").check()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Record the rating").click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("Suspension proposed")
    check_page(page)
    page.get_by_role("button", name="Suspend the member").click()
    expect(page.get_by_label("Why are you suspending this member?")).to_have_value(
        "CQC rated Inadequate on Thursday 1 October 2026"
    )
    check_page(page)
    page.get_by_role("button", name="Suspend the member").click()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Suspended")
    check_page(page)

    page.get_by_role("link", name="Back to members").click()
    page.get_by_role("link", name="Ask every member to re-confirm").click()
    check_page(page)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2099")
    page.get_by_label("Message to members").fill("Please check your answers are still true.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("1 member has not confirmed.")).to_be_visible()  # Beta only
    check_page(page)

    beta_context = browser.new_context(base_url=base_url)
    beta = beta_context.new_page()
    with app_ctx(app):
        beta_email = db.session.scalar(
            select(User.email).join(Organisation).where(Organisation.name == "Beta Care Ltd")
        )
    sign_in(beta, beta_email, PASSWORD)
    beta.get_by_role("link", name="Inbox").first.click()
    beta.get_by_role("link", name="Please re-confirm your self-declaration").click()
    link = beta.locator("main").inner_text().split("Confirm here: ")[1].split()[0]
    beta.goto(link.replace("http://localhost", base_url))
    check_page(beta)
    beta.get_by_role("button", name="Confirm").click()
    expect(beta.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that your self-declaration"
    )
    check_page(beta)
    beta.get_by_label("I confirm that our answers").check()
    beta.get_by_role("button", name="Confirm").click()
    expect(beta.locator(".govuk-panel")).to_contain_text("Confirmed")
    check_page(beta)
    beta_context.close()

    page.reload()
    expect(page.get_by_text("All members have confirmed.")).to_be_visible()
    assert provider_email  # Acme was suspended, so it was not asked
