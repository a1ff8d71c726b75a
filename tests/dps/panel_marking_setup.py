"""A tender in evaluation whose panel-marked question is assigned to both panel members, for the
panel's marking pages: the first member declared no conflicts, the second a conflict with the
first bidder, unless told otherwise. Plus the words and figures a panel page must never show."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dps.extensions import db
from dps.models import Bid, Lot, Tender
from dps.models.evaluation import ConflictDeclaration, DeclaredConflict, EvaluationAssignment
from dps.models.organisation import Organisation
from dps.services import sealing
from dps.services.bids import breakdown
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.evaluation_factories import EvaluationWorld, evaluation_world


@dataclass
class PanelWorld:
    world: EvaluationWorld
    question_id: int  # the panel-marked question
    officer_question_id: int  # a question the panel is not assigned
    conflicted_bid_ids: list[int]  # the second member's conflicted bidder's bids


def panel_world(
    app, make_user, *, bidders: int = 3, lots: int = 2, declare: bool = True, prefix: str = ""
) -> PanelWorld:
    world = evaluation_world(app, make_user, bidders=bidders, lots=lots, prefix=prefix)
    question_id = world.question_ids[-1]
    with app_ctx(app):
        for index, email in enumerate(world.panel):
            user_id = f.user(email).id
            db.session.add(
                EvaluationAssignment(
                    tender_id=world.tender_id, question_id=question_id, user_id=user_id
                )
            )
            if declare:
                declaration = ConflictDeclaration(tender_id=world.tender_id, user_id=user_id)
                if index == 1:
                    declaration.conflicts.append(
                        DeclaredConflict(
                            organisation_id=world.bidder_org_ids[0], nature="My niece works there"
                        )
                    )
                db.session.add(declaration)
        db.session.commit()
    conflicted = [
        bid for (org, _lot), bid in world.bid_ids.items() if org == world.bidder_org_ids[0]
    ]
    return PanelWorld(world, question_id, world.question_ids[0], conflicted)


def declare(app, world: EvaluationWorld, email: str) -> None:
    with app_ctx(app):
        db.session.add(ConflictDeclaration(tender_id=world.tender_id, user_id=f.user(email).id))
        db.session.commit()


def forbidden_words(app, world: EvaluationWorld) -> list[str]:
    """Every bidder organisation name, every bid's hourly price as the engine gives it (27.10,
    £27.10, £27) and every cost input value typed with a decimal point."""
    words: set[str] = {"£"}
    with app_ctx(app):
        for org_id in world.bidder_org_ids:
            org = db.session.get(Organisation, org_id)
            words.update({org.name, org.legal_name})
        officer = f.user(world.officer)
        tender = db.session.get(Tender, world.tender_id)
        for bid_id in world.bid_ids.values():
            bid = db.session.get(Bid, bid_id)
            version = [v for v in bid.versions if v.withdrawn_at is None][-1]
            content = sealing.open_for_officer(
                tender, bid.id, bid.organisation_id, officer, version.ciphertext
            )
            assessment = breakdown(content, tender, db.session.get(Lot, bid.lot_id))
            assert assessment.breakdown is not None, assessment.error
            price = assessment.breakdown.total_rounded
            words.update({f"{price:.2f}", f"£{price:.2f}", f"£{int(price)}"})
            words.update(
                f"{line.rounded:.2f}"
                for line in assessment.breakdown.lines.values()
                if line.rounded
            )
            for value in content["cost_inputs"].values():
                if "." in str(value):
                    words.add(str(value))
    return sorted(word for word in words if word)


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')


def leaks(html: str, words: list[str]) -> list[str]:
    """The forbidden words present in a page (the CSRF token, random text, is left out)."""
    text = _CSRF.sub("", html)
    return [word for word in words if word in text]
