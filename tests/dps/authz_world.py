"""The objects the authorisation matrix fills URL parameters from: one tender in evaluation with
bids of providers A and B, and around it every kind of object a route can name by id. Every
provider-owned object belongs to PROVIDER A, so provider B asking for it proves direct object
references are refused.

    world = authz_world(app, make_user)   # world.users[role] -> e-mail, world.values[name] -> id
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models import (
    Application,
    Bid,
    Category,
    Clarification,
    Document,
    DynamicPurchasingSystem,
    Organisation,
    Reconfirmation,
    Tender,
    TenderClarification,
    TenderDocument,
    Zone,
)
from dps.models.award import AwardDecision, AwardLetter, Contract
from dps.models.cost_of_care import AuthorityCostTemplate, CostScenario, UpliftRound
from dps.models.evaluation import PriceReview
from dps.models.provider import InsurancePolicy
from dps.services import documents, inbox, mail
from dps.state.clock import now
from evaluation.costs import UKHCA_STYLE_2026
from tests.conftest import app_ctx
from tests.dps import stage1_factories as s1
from tests.dps import tender_factories as f
from tests.dps.award_after_factories import snapshot
from tests.dps.evaluation_factories import evaluation_world
from tests.dps.marking_factories import assign, declare
from tests.dps.moderation_factories import add_mark

# The roles of the matrix, in column order.
ROLES = (
    "anon",  # nobody signed in
    "prov_a",  # a provider user of organisation A (owns every provider object below)
    "prov_b",  # a provider user of organisation B (also bid, owns nothing named by id)
    "officer",  # the lead officer of the authority that runs the DPS and the tender
    "outsider",  # an officer of another authority
    "evaluator",  # an evaluator of the lead authority, assigned question 1
    "panel",  # a panel member of the lead authority, assigned question 3
    "admin",  # an administrator
)


@dataclass
class AuthzWorld:
    users: dict[str, str]  # role -> e-mail (no entry for anon)
    values: dict[str, object] = field(default_factory=dict)  # URL parameter name -> value


def _pdf(org_id: int | None, name: str) -> int:
    document = documents.store_bytes(
        b"%PDF-1.4 " + name.encode(),
        original_name=f"{name}.pdf",
        content_type="application/pdf",
        organisation_id=org_id,
    )
    db.session.flush()
    return document.id


def authz_world(app, make_user) -> AuthzWorld:
    world = evaluation_world(app, make_user, bidders=2, lots=2)
    admin = make_user("admin", email="admin@council.example", organisation="Test Council")
    spare = make_user("provider", email="spare@carez.example", organisation="Care Provider Z Ltd")
    users = {
        "prov_a": world.bidders[0],
        "prov_b": world.bidders[1],
        "officer": world.officer,
        "outsider": world.outsider_officer,
        "evaluator": world.evaluators[0],
        "panel": world.panel[0],
        "admin": admin,
    }
    org_a, org_b = world.bidder_org_ids
    lot1, lot2 = world.lot_ids
    q1, _q2, q3 = world.question_ids
    bid_a = world.bid_ids[(org_a, lot1)]
    v: dict[str, object] = {}
    with app_ctx(app):
        officer = f.user(world.officer)
        user_a = f.user(world.bidders[0])
        tender = db.session.get(Tender, world.tender_id)
        dps = db.session.get(DynamicPurchasingSystem, tender.dps_id)
        council = officer.organisation_id
        org_a_row = db.session.get(Organisation, org_a)
        # Marking: the evaluators have question 1 (both marked A's answer), the panel member
        # question 3 (a draft mark); the first evaluator and the panel member have declared.
        assign(world.tender_id, q1, world.evaluators[0])
        assign(world.tender_id, q3, world.panel[0])
        declare(world.tender_id, world.evaluators[0])
        declare(world.tender_id, world.panel[0])
        assign(world.tender_id, q1, world.evaluators[1])
        add_mark(world.tender_id, bid_a, q1, world.evaluators[0], 4)
        add_mark(world.tender_id, bid_a, q1, world.evaluators[1], 3)
        add_mark(world.tender_id, bid_a, q3, world.panel[0], 4, submitted=False)
        # DPS membership, an application of A's with evidence, insurance and a clarification.
        membership = s1.member(dps, org_a_row, scopes=[])
        application = s1.application(dps, org_a_row, scopes=[], with_evidence=True)
        application.answers = "{}"  # stage1's ANSWERS predate the {"answer": ...} shape
        policy = InsurancePolicy(
            organisation_id=org_a,
            application_id=application.id,
            insurance_type="public_liability",
            insurer="Care Mutual",
            cover=Decimal("5000000.00"),
            expires_on=date(2030, 1, 1),
        )
        clarification = Clarification(
            application_id=application.id, question="Which CQC location?", asked_by_id=officer.id
        )
        reconfirmation = Reconfirmation(
            dps_id=dps.id,
            due_on=date(2099, 1, 1),
            message="Please confirm.",
            created_by_id=officer.id,
        )
        db.session.add_all([policy, clarification, reconfirmation])
        # The tender: a document, a bidder's clarification question from A.
        tender_doc = TenderDocument(
            tender_id=tender.id, document_id=_pdf(None, "specification"), title="Specification"
        )
        tender_question = TenderClarification(
            tender_id=tender.id, organisation_id=org_a, asked_by_id=user_a.id, question="When?"
        )
        db.session.add_all([tender_doc, tender_question])
        # A price check of A's lot-1 bid with an explanation requested and A's attachment.
        review = PriceReview(
            tender_id=tender.id,
            bid_id=bid_a,
            status="explanation_requested",
            hourly_price=Decimal("21.90"),
            findings="[]",
            request_text="Please explain how you pay the National Living Wage at this price.",
            requested_at=now(),
            requested_by_id=officer.id,
            response_due_at=now() + timedelta(days=5),
        )
        db.session.add(review)
        db.session.flush()
        explanation_doc = _pdf(org_a, "explanation")
        review.attachments.append(db.session.get(Document, explanation_doc))
        # A proposed award (results snapshot), A's letter with its document, A's contract.
        award = AwardDecision(
            tender_id=tender.id,
            status="proposed",
            results=json.dumps(snapshot(tender.id, [org_a, org_b], world.bid_ids).to_dict()),
            proposed_by_id=officer.id,
        )
        db.session.add(award)
        db.session.flush()
        letter_doc = _pdf(org_a, "award-letter")
        message = inbox.post(
            org_a, "Your award letter", "Read the letter.", "Test Council", document_id=letter_doc
        )
        letter = AwardLetter(
            award_id=award.id,
            tender_id=tender.id,
            organisation_id=org_a,
            status="failed",
            attempts=1,
            document_id=letter_doc,
            message_id=message.id,
        )
        contract = Contract(
            tender_id=tender.id,
            lot_id=lot1,
            organisation_id=org_a,
            reference=f"{tender.reference}-C1",
            start_on=date(2027, 4, 1),
            end_on=date(2030, 3, 31),
            hourly_rate=Decimal("27.10"),
            hours_per_week=Decimal("100.00"),
        )
        council_doc = _pdf(council, "council-note")
        council_message = inbox.post(
            council, "A question", "Please call.", "Commission", document_id=council_doc
        )
        # Cost of care: A's scenario, the council's scenario, template and a draft uplift.
        template_json = json.dumps(UKHCA_STYLE_2026.to_dict())
        scenario_a = CostScenario(
            organisation_id=org_a, name="A's rates", template=template_json, inputs="{}"
        )
        scenario_council = CostScenario(
            organisation_id=council, name="Council rates", template=template_json, inputs="{}"
        )
        cost_template = AuthorityCostTemplate(
            authority_id=council, name="Council template", template=template_json
        )
        uplift = UpliftRound(
            authority_id=council,
            title="Uplift 2027/28",
            changes=json.dumps({"basic_pay": "13.50"}),
            effective_on=date(2027, 4, 1),
            created_by_id=officer.id,
        )
        email = mail.send_email("someone@example.com", "Hello", "A stored e-mail.")
        db.session.add_all(
            [letter, contract, scenario_a, scenario_council, cost_template, uplift, email]
        )
        db.session.commit()
        category = db.session.scalar(select(Category).where(Category.dps_id == dps.id))
        zone = db.session.scalar(select(Zone).where(Zone.dps_id == dps.id))
        section = json.loads(dps.questionnaire)["sections"][0]["id"] if dps.questionnaire else "x"
        bid = db.session.get(Bid, bid_a)
        application_doc = application.evidence[0].document_id
        v.update(
            dps_id=dps.id,
            category_id=category.id,
            zone_id=zone.id,
            tender_id=tender.id,
            lot_id=lot1,
            bid_id=bid_a,
            version=bid.submitted_version,
            question_id=q1,
            panel_question_id=q3,
            application_id=application.id,
            application_document_id=application_doc,
            policy_id=policy.id,
            application_clarification_id=clarification.id,
            section_id=section,
            membership_id=membership.id,
            reconfirmation_id=reconfirmation.id,
            item_id=tender_doc.id,
            tender_clarification_id=tender_question.id,
            review_id=review.id,
            explanation_document_id=explanation_doc,
            letter_id=letter.id,
            letter_document_id=letter_doc,
            contract_id=contract.id,
            message_id=message.id,
            council_message_id=council_message.id,
            council_document_id=council_doc,
            provider_scenario_id=scenario_a.id,
            council_scenario_id=scenario_council.id,
            template_id=cost_template.id,
            uplift_id=uplift.id,
            email_id=email.id,
            user_id=f.user(spare).id,
            dps_reference=dps.reference,
            tender_reference=tender.reference,
            index=0,
            event="suspend",
            fmt="csv",
            name="providers",
            token="no-such-token",
            filename="favicon.svg",
        )
        assert db.session.get(Application, application.id).organisation_id == org_a
    return AuthzWorld(users=users, values=v)
