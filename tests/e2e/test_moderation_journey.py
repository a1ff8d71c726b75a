"""The moderator opens the moderation grid, agrees a consensus that differs from both markers'
marks (a reason is required), and sees the grid updated; the markers' own marks stay."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from dps.extensions import db
from dps.models import ConsensusMark, Mark
from tests.conftest import PASSWORD, app_ctx
from tests.dps.evaluation_factories import evaluation_world
from tests.dps.moderation_factories import add_mark
from tests.e2e.helpers import check_page, sign_in


def test_moderator_agrees_a_consensus_mark(page, app, make_user):
    world = evaluation_world(app, make_user, bidders=2, lots=1)
    bid_id = world.bid_ids[(world.bidder_org_ids[0], world.lot_ids[0])]
    question_id = world.question_ids[0]
    with app_ctx(app):
        add_mark(world.tender_id, bid_id, question_id, world.officer2, 2, "Vague on retention.")
        add_mark(world.tender_id, bid_id, question_id, world.evaluators[0], 4, "A clear plan.")
        other = world.bid_ids[(world.bidder_org_ids[1], world.lot_ids[0])]
        add_mark(world.tender_id, other, question_id, world.officer2, 3)
        add_mark(world.tender_id, other, question_id, world.evaluators[0], 3)
        db.session.commit()

    sign_in(page, world.officer, PASSWORD)
    page.goto(f"/officer/tenders/{world.tender_id}/evaluation/moderation")
    expect(page.get_by_role("heading", name="Moderation", exact=True)).to_be_visible()
    expect(page.get_by_text("0 of 6 answers agreed")).to_be_visible()
    check_page(page)

    page.get_by_role("link", name="Only answers that need discussion").click()
    expect(page.get_by_text("Discuss", exact=True)).to_have_count(1)
    check_page(page)
    page.get_by_role(
        "link", name=re.compile(r"^Moderate the answer of Care Provider A Ltd")
    ).click()
    expect(page.get_by_role("heading", name="Moderate question 1")).to_be_visible()
    expect(page.get_by_text("Bidder answer 0 to question 1")).to_be_visible()
    expect(page.get_by_text("Vague on retention.")).to_be_visible()
    expect(page.get_by_text("A clear plan.")).to_be_visible()
    check_page(page)

    page.get_by_role("radio", name=re.compile(r"^3 — ")).check()
    page.get_by_role("button", name="Agree the consensus mark").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "differs from every individual mark (2, 4); give the reason"
    )
    expect(page.get_by_role("radio", name=re.compile(r"^3 — "))).to_be_checked()
    check_page(page)

    page.get_by_label("Reason").fill("Discussed: the plan is clear but retention figures are thin.")
    page.get_by_role("button", name="Agree the consensus mark").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Consensus mark 3 agreed")
    expect(page.get_by_text("1 of 6 answers agreed")).to_be_visible()
    check_page(page)

    page.get_by_role("link", name="Only answers not agreed yet").click()
    expect(page.get_by_role("link", name=re.compile(r"^Moderate the answer of"))).to_have_count(5)
    check_page(page)

    with app_ctx(app):
        consensus = db.session.scalar(select(ConsensusMark))
        assert consensus.mark == 3 and consensus.reason.startswith("Discussed:")
        assert sorted(db.session.scalars(select(Mark.mark).where(Mark.bid_id == bid_id))) == [2, 4]
