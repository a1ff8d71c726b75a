"""Price checks of opened bids: the NLW rule rejects, abnormally low starts the procedure."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dps.extensions import db
from dps.models import AuditEvent, Bid, Tender, User
from dps.models.evaluation import PriceReview
from dps.services import opening, price_review
from dps.services.sealing import SealedError
from dps.state.clock import now
from tests.conftest import app_ctx
from tests.dps.evaluation_factories import evaluation_world


def _reviews(tender_id: int) -> dict[int, PriceReview]:
    return {
        review.bid_id: review
        for review in db.session.scalars(
            select(PriceReview).where(PriceReview.tender_id == tender_id)
        )
    }


def test_pricereview_ensure_reviews_statuses_and_idempotent(app, make_user):
    world = evaluation_world(app, make_user, bidders=4, lots=2, low_pay=(1,), cheap=(2,))
    with app_ctx(app):
        price_review.ensure_reviews(world.tender_id)
        reviews = _reviews(world.tender_id)
        assert len(reviews) == 8
        for (org_id, _lot_id), bid_id in world.bid_ids.items():
            review = reviews[bid_id]
            index = world.bidder_org_ids.index(org_id)
            findings = json.loads(review.findings)
            assert review.hourly_price is not None
            assert review.capacity_hours == 400
            if index == 1:
                assert review.status == "rejected"
                assert "National Living Wage" in review.decision_reason
                assert review.decided_at is not None and review.decided_by_id is None
                assert any(item["severity"] == "fail" for item in findings)
            elif index == 2:
                assert review.status == "low"
                assert any(item["code"] == "abnormally_low" for item in findings)
                assert review.decision_reason is None
            else:
                assert review.status == "checked", findings
        checked = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "price.checked")
        ).all()
        assert len(checked) == 1
        detail = json.loads(checked[0].detail)
        assert (detail["bids"], detail["checked"], detail["rejected"], detail["low"]) == (
            8,
            4,
            2,
            2,
        )
        rejected_events = db.session.scalar(
            select(func.count()).where(AuditEvent.action == "price.rejected_nlw")
        )
        assert rejected_events == 2

        price_review.ensure_reviews(world.tender_id)
        assert db.session.scalar(select(func.count(PriceReview.id))) == 8
        assert (
            db.session.scalar(select(func.count()).where(AuditEvent.action == "price.checked")) == 1
        )


def test_pricereview_unopened_tender_stays_sealed(app, make_user):
    world = evaluation_world(app, make_user, bidders=2, lots=1, status="closed")
    with app_ctx(app):
        price_review.ensure_reviews(world.tender_id)
        assert db.session.scalar(select(func.count(PriceReview.id))) == 0
        tender = db.session.get(Tender, world.tender_id)
        bid = db.session.get(Bid, next(iter(world.bid_ids.values())))
        with pytest.raises(SealedError):
            price_review.open_bid_content(tender, bid)


def test_pricereview_start_evaluation_makes_the_checks(app, make_user):
    world = evaluation_world(app, make_user, bidders=2, lots=1, status="opened", cheap=(1,))
    with app_ctx(app):
        officer = db.session.scalar(select(User).where(User.email == world.officer))
        opening.start_evaluation(world.tender_id, officer)
        statuses = sorted(review.status for review in _reviews(world.tender_id).values())
        assert statuses == ["checked", "low"]


def test_pricereview_service_refusals(app, make_user):
    world = evaluation_world(app, make_user, bidders=3, lots=1, cheap=(2,))
    lot_id = world.lot_ids[0]
    checked_bid = world.bid_ids[(world.bidder_org_ids[0], lot_id)]
    cheap_bid = world.bid_ids[(world.bidder_org_ids[2], lot_id)]
    with app_ctx(app):
        price_review.ensure_reviews(world.tender_id)
        officer = db.session.scalar(select(User).where(User.email == world.officer))
        outsider = db.session.scalar(select(User).where(User.email == world.outsider_officer))
        due = now() + timedelta(days=3)
        with pytest.raises(price_review.PriceReviewError, match="when it is checked"):
            price_review.request_explanation(officer, world.tender_id, checked_bid, "Why?", due)
        with pytest.raises(price_review.PriceReviewError, match="No such tender"):
            price_review.request_explanation(outsider, world.tender_id, cheap_bid, "Why?", due)
        with pytest.raises(price_review.PriceReviewError, match="accept or reject"):
            price_review.decide(officer, world.tender_id, cheap_bid, "approve", "Fine.")
        with pytest.raises(price_review.PriceReviewError, match="cannot reject"):
            price_review.decide(officer, world.tender_id, cheap_bid, "reject", "Too low.")
        review = price_review.request_explanation(
            officer, world.tender_id, cheap_bid, "Explain.", due
        )
        other = db.session.scalar(select(User).where(User.email == world.bidders[0]))
        with pytest.raises(price_review.PriceReviewError, match="No such request"):
            price_review.answer(other, review.id, "Not ours.", [])
        with pytest.raises(price_review.PriceReviewError, match="still has time"):
            price_review.decide(officer, world.tender_id, cheap_bid, "reject", "Too low.")
        assert db.session.get(PriceReview, review.id).status == "explanation_requested"
        assert price_review.open_requests(world.bidder_org_ids[2])[0].id == review.id
        assert price_review.open_requests(world.bidder_org_ids[0]) == []
