"""Closing on time, sealed bids, and the audited opening (two different officers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import AuditEvent, Message, Role, Tender
from dps.services import opening
from dps.services.audit import verify
from dps.services.sealing import SealedError
from dps.state import clock
from tests.conftest import app_ctx
from tests.dps import tender_factories as f

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
CLOSING = T0 + timedelta(days=14)
AFTER = CLOSING + timedelta(minutes=1)


def _content(**cost_inputs: str) -> dict:
    """Bid content as dps.services.bid_content seals it, with some cost inputs entered."""
    return {
        "answers": {},
        "cost_inputs": cost_inputs,
        "call_rates": {},
        "capacity_hours": None,
        "subcontractors": None,
    }


@pytest.fixture
def world(app, make_user):
    clock.set_fixed(T0)
    first = make_user(Role.OFFICER, email="first@council.example")
    second = make_user(Role.OFFICER, email="second@council.example")
    acme = make_user(Role.PROVIDER, email="bids@acme.example", organisation="Acme Care Ltd")
    outsider = make_user(Role.OFFICER, email="officer@elsewhere.example", organisation="Elsewhere")
    with app_ctx(app):
        tender_id = f.make_tender(first, closing_at=CLOSING)
        one_officer_id = f.make_tender(first, closing_at=CLOSING, two_officers=False)
        acme_id = f.invite(tender_id, "Acme Care Ltd")
        bingham_id = f.invite(tender_id, f.provider_organisation("Bingham Care Ltd"))
        submitter = f.user(acme).id
        f.make_bid(tender_id, 1, acme_id, submitter, _content(basic_pay="9.29"))
        f.make_bid(tender_id, 1, bingham_id, submitter)  # the template's defaults
        f.make_bid(tender_id, 2, acme_id, submitter, _content(basic_pay="9.50"))
        f.make_bid(tender_id, 2, bingham_id, submitter, status="withdrawn")
        f.make_bid(tender_id, 2, f.provider_organisation("Drafting Ltd"), submitter, status="draft")
    return SimpleNamespace(
        first=first,
        second=second,
        outsider=outsider,
        tender_id=tender_id,
        one_officer_id=one_officer_id,
    )


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
    )


def test_only_counts_of_submitted_bids_are_visible_before_opening(app, world):
    with app_ctx(app):
        counts = opening.bid_counts(world.tender_id)
        assert [(row.number, row.submitted) for row in counts] == [(1, 2), (2, 1)]
        assert opening.bid_counts(world.one_officer_id)[0].submitted == 0


def test_reading_bids_before_opening_is_refused_and_audited(app, world):
    with app_ctx(app):
        with pytest.raises(SealedError, match="sealed"):
            opening.read_bids(world.tender_id, f.user(world.first))
        refused = _events("bid.read_refused")
        assert len(refused) == 1 and refused[0].actor_label == world.first
    clock.set_fixed(AFTER)
    with app_ctx(app):
        opening.close_due_tenders()
        with pytest.raises(SealedError):  # closed is not opened
            opening.read_bids(world.tender_id, f.user(world.second))
        with pytest.raises(SealedError):  # a tender with no bids is refused and audited too
            opening.read_bids(world.one_officer_id, f.user(world.second))
        assert len(_events("bid.read_refused")) == 3
        assert verify().ok


def test_opening_before_closing_is_refused_with_a_clear_message_and_audited(app, world):
    clock.set_fixed(CLOSING - timedelta(seconds=1))
    with app_ctx(app):
        for attempt in (opening.request_opening, opening.confirm_opening):
            with pytest.raises(opening.OpeningError) as error:
                attempt(world.tender_id, f.user(world.first))
            assert "cannot be opened before the closing time" in str(error.value)
            assert "9am on Monday 16 March 2026" in str(error.value)
        tender = db.session.get(Tender, world.tender_id)
        assert tender.status == "published" and tender.opening_requested_by_id is None
        assert tender.opened_at is None
        refused = _events("tender.opening_refused")
        assert len(refused) == 2 and json.loads(refused[0].detail)["status"] == "published"


def test_close_due_tenders_closes_on_time_once(app, world):
    with app_ctx(app):
        assert opening.close_due_tenders() == 0
    clock.set_fixed(CLOSING)
    with app_ctx(app):
        assert opening.close_due_tenders() == 2
        assert opening.close_due_tenders() == 0
        tender = db.session.get(Tender, world.tender_id)
        assert tender.status == "closed"
        closed = [e for e in _events("tender.closed") if e.object_id == str(world.tender_id)]
        assert json.loads(closed[0].detail)["bids"] == {"lot 1": 2, "lot 2": 1}
        assert closed[0].actor_label == "system"
        message = db.session.scalar(
            select(Message).where(Message.dedupe_key == f"tender:{world.tender_id}:closed")
        )
        assert message.organisation_id == tender.dps.lead_authority_id
        assert "3 bids" in message.body and "sealed" in message.body


def test_two_officer_opening(app, world):
    clock.set_fixed(AFTER)
    with app_ctx(app):
        with pytest.raises(opening.OpeningError, match="first officer must ask"):
            opening.confirm_opening(world.tender_id, f.user(world.second))
        opening.request_opening(world.tender_id, f.user(world.first))  # closes it on the way
        tender = db.session.get(Tender, world.tender_id)
        assert tender.status == "closed" and tender.opening_requested_at == AFTER
        assert len(_events("tender.opening_requested")) == 1
        with pytest.raises(opening.OpeningError, match="already asked"):
            opening.request_opening(world.tender_id, f.user(world.first))
        with pytest.raises(opening.OpeningError, match="Another officer has already asked"):
            opening.request_opening(world.tender_id, f.user(world.second))
        with pytest.raises(opening.OpeningError, match="second, different officer"):
            opening.confirm_opening(world.tender_id, f.user(world.first))
        assert db.session.get(Tender, world.tender_id).opened_at is None
        with pytest.raises(SealedError):
            opening.read_bids(world.tender_id, f.user(world.first))
    clock.set_fixed(AFTER + timedelta(hours=1))
    with app_ctx(app):
        opening.confirm_opening(world.tender_id, f.user(world.second))
        tender = db.session.get(Tender, world.tender_id)
        assert tender.status == "opened"
        assert tender.opened_at == AFTER + timedelta(hours=1)
        assert tender.opened_by_id == f.user(world.second).id
        (opened,) = _events("tender.opened")
        detail = json.loads(opened.detail)
        assert detail["opened_by"] == world.second and detail["requested_by"] == world.first
        assert detail["bids"] == {"lot 1": 2, "lot 2": 1}
        assert opened.actor_label == world.second
        with pytest.raises(opening.OpeningError, match="already been opened"):
            opening.confirm_opening(world.tender_id, f.user(world.first))
        bids = opening.read_bids(world.tender_id, f.user(world.first))
        assert [(b.lot_number, b.organisation_name, b.price_total) for b in bids] == [
            (1, "Acme Care Ltd", Decimal("17.41")),  # worked out from the cost breakdown
            (1, "Bingham Care Ltd", Decimal("15.61")),
            (2, "Acme Care Ltd", Decimal("17.79")),
        ]
        assert bids[0].content == _content(basic_pay="9.29")
        assert verify().ok


def test_a_one_officer_tender_opens_on_the_first_request(app, world):
    clock.set_fixed(AFTER)
    with app_ctx(app):
        opening.request_opening(world.one_officer_id, f.user(world.first))
        tender = db.session.get(Tender, world.one_officer_id)
        assert tender.status == "opened" and tender.opened_by_id == f.user(world.first).id
        assert json.loads(_events("tender.opened")[0].detail)["two_officers"] is False
        assert opening.read_bids(world.one_officer_id, f.user(world.first)) == []


def test_officers_of_other_authorities_cannot_see_or_open(app, world):
    clock.set_fixed(AFTER)
    with app_ctx(app):
        outsider = f.user(world.outsider)
        assert opening.officer_tender(outsider, world.tender_id) is None
        with pytest.raises(opening.OpeningError, match="No such tender"):
            opening.request_opening(world.tender_id, outsider)
        with pytest.raises(opening.OpeningError, match="No such tender"):
            opening.read_bids(world.tender_id, outsider)
        assert opening.officer_tender(f.user(world.first), world.tender_id) is not None


def test_evaluation_starts_only_after_opening(app, world):
    clock.set_fixed(AFTER)
    with app_ctx(app):
        with pytest.raises(opening.OpeningError, match="start evaluation"):
            opening.start_evaluation(world.one_officer_id, f.user(world.first))
        opening.request_opening(world.one_officer_id, f.user(world.first))
        opening.start_evaluation(world.one_officer_id, f.user(world.first))
        assert db.session.get(Tender, world.one_officer_id).status == "in_evaluation"
        assert len(_events("tender.evaluation_started")) == 1


def test_a_cancelled_tender_cannot_be_opened(app, world):
    clock.set_fixed(AFTER)
    with app_ctx(app):
        tender = db.session.get(Tender, world.tender_id)
        tender.status = "cancelled"
        db.session.commit()
        with pytest.raises(opening.OpeningError, match="cancelled tender cannot be opened"):
            opening.request_opening(world.tender_id, f.user(world.first))


def test_opening_state_closes_a_due_tender_and_names_who_asked(app, world):
    clock.set_fixed(AFTER)
    with app_ctx(app):
        opening.request_opening(world.tender_id, f.user(world.first))
        state = opening.opening_state(db.session.get(Tender, world.tender_id))
        assert state.total == 3 and state.requested_by.email == world.first
        assert state.opened_by is None
        state = opening.opening_state(db.session.get(Tender, world.one_officer_id))
        assert state.tender.status == "closed" and state.requested_by is None


def test_price_total_is_worked_out_from_the_cost_inputs_only(app, world):
    with app_ctx(app):
        tender = db.session.get(Tender, world.tender_id)
        lot = tender.lots[0]
        assert opening.price_total(tender, _content(basic_pay="9.29"), lot) == Decimal("17.41")
        assert opening.price_total(tender, _content()) == Decimal("15.61")  # template defaults
        stated = {**_content(), "price": {"hourly_rate": "16.70"}, "hourly_rate": "16.70"}
        assert opening.price_total(tender, stated, lot) == Decimal("15.61")  # never guessed
        assert opening.price_total(tender, {"answers": {}}, lot) is None
        assert opening.price_total(tender, _content(basic_pay="x"), lot) is None
        assert opening.price_total(tender, _content(no_such_line="1"), lot) is None
        tender.cost_template = json.dumps({"id": "x", "lines": "not a template"})
        assert opening.price_total(tender, _content(), lot) is None  # a broken template
