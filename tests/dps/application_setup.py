"""Helpers shared by the application tests: a published DPS, real files, a complete application."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from reportlab.pdfgen import canvas
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from dps.extensions import db
from dps.models import Application, Membership, MembershipScope, Organisation, Role, User
from dps.services import applications, dps_setup
from dps.state.application import APPLICATION_TRANSITIONS
from dps.state.machine import fire
from tests.conftest import app_ctx


def make_pdf(text: str = "Safeguarding adults policy") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def file_storage(content: bytes, name: str = "policy.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def organisation(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def small_questionnaire(file_optional: bool = False) -> dict:
    """A short questionnaire: one section of each answer type and one insurance type."""
    return {
        "version": 1,
        "sections": [
            {
                "id": "exclusions",
                "title": "Exclusion grounds",
                "questions": [
                    {
                        "id": "mx_fraud",
                        "type": "pass_fail",
                        "fail_on": "yes",
                        "ground": "mandatory",
                        "text": "Has anyone in the organisation been convicted of fraud?",
                    },
                    {
                        "id": "dx_misconduct",
                        "type": "yes_no_evidence",
                        "evidence_on": "yes",
                        "text": "Has a contract been ended early for poor performance?",
                    },
                ],
            },
            {
                "id": "quality",
                "title": "Quality",
                "questions": [
                    {
                        "id": "q_training",
                        "type": "information",
                        "max_words": 20,
                        "text": "How do you train your care workers?",
                    },
                    {
                        "id": "q_policy",
                        "type": "file",
                        "optional": file_optional,
                        "text": "Upload your safeguarding policy.",
                    },
                ],
            },
        ],
        "insurance_types": [
            {
                "code": "public_liability",
                "name": "Public liability",
                "minimum_cover": "5000000.00",
            }
        ],
    }


def published_dps(
    app, make_user, questionnaire: dict | None = None, reference: str = "NCC-HC-2026"
) -> tuple[str, int]:
    """An officer (its e-mail) and a published DPS (its id) led by the officer's council."""
    officer_email = make_user(Role.OFFICER)
    with app_ctx(app):
        officer = user(officer_email)
        dps, _warning = dps_setup.create_dps(
            officer,
            reference=reference,
            title="Home care in Nottinghamshire",
            description="Home care for adults across the county.",
            regime="pcr2015_dps",
            lead_authority_id=officer.organisation_id,
            partner_ids=[],
            starts_on=date(2026, 1, 1),
            questionnaire=questionnaire,
        )
        dps_setup.publish_dps(officer, dps.id)
        return officer_email, dps.id


def complete_application(application_id: int, actor: User, pdf: bytes | None = None) -> None:
    """Fill in every section of a draft with good answers (small or default questionnaire)."""
    organisation_id = actor.organisation_id
    args = (application_id, organisation_id, actor)
    applications.save_organisation(
        *args, legal_name="Acme Care Limited", companies_house_number="01234567"
    )
    applications.save_cqc(
        *args,
        provider_id="1-101234567",
        location_ids=["1-123456789"],
        rating="Good",
        rated_on=date(2025, 6, 1),
    )
    applications.save_size(*args, size="small")
    application = applications.for_organisation(application_id, organisation_id)
    category, zone = application.dps.categories[0], application.dps.zones[0]
    applications.save_scopes(*args, wanted={(category.id, zone.id)})
    for section in applications.sections_of(application):
        if section.key != "questions":
            continue
        values = {}
        for question in section.questions:
            if question["type"] == "information":
                values[question["id"]] = {"text": "We train everyone."}
            elif question["type"] == "file":
                applications.attach_evidence(*args, question["id"], file_storage(pdf or make_pdf()))
            else:
                answer = "no" if question.get("fail_on", "yes") == "yes" else "yes"
                if question["type"] == "yes_no_evidence":
                    answer = "yes" if question.get("evidence_on") == "no" else "no"
                values[question["id"]] = {"answer": answer, "explanation": ""}
        applications.save_answers(*args, section.questionnaire_id, values)
    for kind in applications.insurance_types(application):
        applications.add_insurance(
            *args,
            insurance_type=kind["code"],
            insurer="Care Insurers plc",
            cover=Decimal(kind["minimum_cover"]),
            expires_on=date(2030, 3, 31),
        )


def admit_all(application_id: int) -> None:
    """What an officer's decision does, as far as these tests need: admit every scope asked for."""
    application = db.session.get(Application, application_id)
    fire(APPLICATION_TRANSITIONS, application, "admit", admitted_scope_ids=[1])
    membership = Membership(dps_id=application.dps_id, organisation_id=application.organisation_id)
    db.session.add(membership)
    db.session.flush()
    for scope in application.scopes:
        scope.outcome = "admitted"
        db.session.add(
            MembershipScope(
                membership_id=membership.id,
                category_id=scope.category_id,
                zone_id=scope.zone_id,
                application_id=application.id,
            )
        )
    db.session.commit()
