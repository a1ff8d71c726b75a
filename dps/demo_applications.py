"""What each stage 1 step of the demo does: the real services, called at the frozen time.

dps.demo_market plans who applies for what and when; these functions carry it out as the
provider or the officer would through the pages, so every audit record, inbox message and
e-mail is the platform's own.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from decimal import Decimal

from reportlab.pdfgen import canvas
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from dps import demo_content as content
from dps.demo import LEAD, PARTNERS
from dps.demo_timeline import DEMO_DPS_REFERENCE, OFFICER, Applicant, Market
from dps.extensions import db
from dps.models.organisation import Organisation
from dps.models.provider import Application
from dps.services import applications, decisions, dps_setup, membership

SUSPENDED_INSURANCE = "public_liability"  # the policy that ran out yesterday
WARNED_INSURANCE = "employers_liability"  # the policy that runs out in 20 days


def create_dps(market: Market, published_on: date) -> None:
    officer = market.user(OFFICER)
    authorities = {
        org.name: org.id
        for org in db.session.scalars(select(Organisation).where(Organisation.kind == "authority"))
    }
    dps, _warning = dps_setup.create_dps(
        officer,
        reference=DEMO_DPS_REFERENCE,
        title=content.DPS_TITLE,
        description=content.DPS_DESCRIPTION,
        regime="light_touch",
        lead_authority_id=authorities[LEAD],
        partner_ids=[authorities[name] for name in PARTNERS],
        starts_on=published_on,
        term_years=10,
    )
    market.dps_id = dps.id


def publish_dps(market: Market) -> None:
    dps_setup.publish_dps(market.user(OFFICER), market.dps_id)


def policy_pdf() -> bytes:
    """A real (small) PDF, so the upload checks accept it as they would a provider's file."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Safeguarding adults policy")
    page.drawString(72, 700, "Reviewed January 2026. Applies to every care worker.")
    page.showPage()
    page.save()
    return buffer.getvalue()


def fill_application(
    market: Market, applicant: Applicant, pdf: bytes, complete: bool, rng: random.Random
) -> None:
    """Start the application and fill in its sections (only the first four for a draft)."""
    user = market.user(applicant.email)
    org = db.session.get(Organisation, applicant.organisation_id)
    application = applications.start_or_resume(market.dps_id, org.id, user)
    applicant.application_id = application.id
    args = (application.id, org.id, user)
    applications.save_organisation(
        *args, legal_name=org.legal_name, companies_house_number=org.companies_house_number
    )
    applications.save_cqc(
        *args,
        provider_id=org.cqc_provider_id,
        location_ids=applicant.locations,
        rating=applicant.rating,
        rated_on=applicant.rated_on,
    )
    applications.save_size(*args, size=applicant.size)
    wanted = {(market.category_id(c), market.zone_id(z)) for c, z in applicant.scopes}
    applications.save_scopes(*args, wanted=wanted)
    if not complete:
        return
    for section in applications.sections_of(applications.for_organisation(*args[:2])):
        if section.key != "questions":
            continue
        values = {}
        for question in section.questions:
            if question["type"] == "file":
                if not question.get("optional") or applicant.size in ("medium", "large"):
                    upload = FileStorage(io.BytesIO(pdf), filename=f"{question['id']}.pdf")
                    applications.attach_evidence(*args, question["id"], upload)
                continue
            values[question["id"]] = answer(question, applicant, rng)
        applications.save_answers(*args, section.questionnaire_id, values)
    for kind in applications.insurance_types(applications.for_organisation(*args[:2])):
        applications.add_insurance(
            *args,
            insurance_type=kind["code"],
            insurer=rng.choice(content.INSURERS),
            cover=Decimal(kind["minimum_cover"]) * rng.choice((1, 1, 2)),
            expires_on=expiry(market, applicant, kind["code"], rng),
        )


def answer(question: dict, applicant: Applicant, rng: random.Random) -> dict:
    """A good answer to a questionnaire question, except where the story says otherwise."""
    qid, kind = question["id"], question["type"]
    if kind == "information":
        if qid == "fs_turnover":
            millions = {"small": "1.1", "medium": "4.6", "large": "38"}.get(applicant.size)
            turnover = content.TURNOVER[applicant.size]
            return {"text": turnover.format(thousands=rng.randint(150, 450), millions=millions)}
        return {"text": " ".join(rng.sample(content.TRAINING, 3))}
    if applicant.outcome == "rejected_mandatory" and qid == "mx_tax":
        return {"answer": "yes"}
    if applicant.outcome == "rejected_misconduct" and qid == "dx_misconduct":
        return {"answer": "yes", "explanation": content.MISCONDUCT_EXPLANATION}
    if kind == "yes_no_evidence":
        return {"answer": "yes" if question.get("evidence_on") == "no" else "no"}
    return {"answer": "no" if question.get("fail_on", "yes") == "yes" else "yes"}


def expiry(market: Market, applicant: Applicant, code: str, rng: random.Random) -> date:
    if applicant.outcome == "suspended" and code == SUSPENDED_INSURANCE:
        return market.today - timedelta(days=1)
    if applicant.insurance_warned and code == WARNED_INSURANCE:
        return market.today + timedelta(days=20)
    return market.today + timedelta(days=rng.randint(45, 330))


def submit(market: Market, applicant: Applicant) -> None:
    user = market.user(applicant.email)
    applications.submit(applicant.application_id, user, user.full_name)


def ask(market: Market, applicant: Applicant, officer: str, question: str) -> None:
    decisions.request_clarification(applicant.application_id, market.user(officer), question)


def answer_clarification(market: Market, applicant: Applicant, text: str) -> None:
    clarification = db.session.get(Application, applicant.application_id).clarifications[-1]
    applications.answer_clarification(
        clarification.id, applicant.organisation_id, market.user(applicant.email), text
    )


def extend(market: Market, applicant: Applicant, officer: str) -> None:
    decisions.extend(applicant.application_id, market.user(officer), content.EXTENSION_REASON)


def admit(market: Market, applicant: Applicant, officer: str) -> None:
    """Admit to everything asked for, or (a partial admission) all but the refused scopes."""
    application = db.session.get(Application, applicant.application_id)
    refused = set(applicant.refused)
    chosen = [
        scope.id
        for scope in application.scopes
        if (scope.category.code, scope.zone.code) not in refused
    ]
    reason = ""
    if refused:
        zone = next(scope.zone.label for scope in application.scopes if scope.id not in chosen)
        reason = content.PARTIAL_REASON.format(zone=zone)
    decisions.admit(applicant.application_id, market.user(officer), chosen, reason)


def reject(market: Market, applicant: Applicant, officer: str, reason: str) -> None:
    decisions.reject(applicant.application_id, market.user(officer), reason)


def record_rating(market: Market, applicant: Applicant, officer: str) -> None:
    membership.record_cqc_rating(
        applicant.organisation_id, market.user(officer), applicant.rating, applicant.rated_on
    )


def vary(market: Market, applicant: Applicant) -> None:
    """A member asks to add a neighbouring district (and dementia care, if it has none)."""
    user = market.user(applicant.email)
    variation = applications.start_variation(market.dps_id, applicant.organisation_id, user)
    held = set(applicant.admitted_scopes)
    wanted = [
        ("generic_home_care", zone)
        for zone in content.NEIGHBOURS[applicant.home]
        if ("generic_home_care", zone) not in held
    ][:1]
    if ("dementia", applicant.home) not in held:
        wanted.append(("dementia", applicant.home))
    ids = {(market.category_id(c), market.zone_id(z)) for c, z in wanted}
    applications.save_scopes(variation.id, applicant.organisation_id, user, wanted=ids)
    applications.submit(variation.id, user, user.full_name)


def this_morning(today: date) -> None:
    """What `flask dps tick` does first thing today: overdue flags, insurance, suspensions."""
    membership.mark_overdue(today)
    membership.insurance_warnings(today)
    membership.suspend_expired_insurance(today)
