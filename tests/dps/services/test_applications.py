"""The application service against a real database: start or resume, sections, submit,
clarifications, variations and who may see what."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dps.extensions import db
from dps.models import (
    Application,
    AuditEvent,
    Clarification,
    Document,
    EmailMessage,
    InsurancePolicy,
    Message,
    Role,
)
from dps.services import applications
from dps.services.application_review import review
from dps.services.uploads import UploadRefused
from dps.state.application import APPLICATION_TRANSITIONS
from dps.state.clock import frozen
from dps.state.machine import TransitionError, fire
from tests.conftest import app_ctx
from tests.dps.application_setup import (
    admit_all,
    complete_application,
    file_storage,
    make_pdf,
    published_dps,
    small_questionnaire,
    user,
)

# Monday 2 March 2026, 10am in London: ten working days later is Monday 16 March.
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def setup(app, make_user):
    """A published DPS with the small questionnaire and a provider user; returns their ids."""
    officer_email, dps_id = published_dps(app, make_user, small_questionnaire())
    provider_email = make_user(Role.PROVIDER)
    return {"officer": officer_email, "provider": provider_email, "dps_id": dps_id}


def _audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_start_makes_one_draft_and_a_second_start_resumes_it(app, setup):
    with app_ctx(app), frozen(MONDAY):
        actor = user(setup["provider"])
        first = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        again = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        assert again.id == first.id
        assert first.status == "draft" and first.kind == "initial"
        assert first.reference == "APP-2026-00001"
        assert db.session.scalar(select(func.count(Application.id))) == 1
        assert _audit_actions().count("application.started") == 1


def test_references_are_numbered_per_year_and_unique(app, setup, make_user):
    with app_ctx(app), frozen(MONDAY):
        references = []
        for name in ("One Ltd", "Two Ltd", "Three Ltd"):
            actor = user(make_user(Role.PROVIDER, organisation=name))
            references.append(
                applications.start_or_resume(
                    setup["dps_id"], actor.organisation_id, actor
                ).reference
            )
        assert references == ["APP-2026-00001", "APP-2026-00002", "APP-2026-00003"]
    with app_ctx(app), frozen(datetime(2027, 1, 4, 9, tzinfo=UTC)):
        actor = user(make_user(Role.PROVIDER, organisation="Four Ltd"))
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        assert application.reference == "APP-2027-00001"


def test_a_dps_that_is_not_published_cannot_be_applied_to(app, setup, make_user):
    with app_ctx(app):
        actor = user(setup["provider"])
        with pytest.raises(applications.ApplicationError, match="not open"):
            applications.start_or_resume(9999, actor.organisation_id, actor)


def test_missing_sections_list_every_unfinished_section_by_title(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        assert applications.missing_sections(application) == [
            "Organisation details",
            "CQC registration and rating",
            "Size of your organisation",
            "Services and zones",
            "Exclusion grounds",
            "Quality",
            "Insurance",
        ]
        complete_application(application.id, actor)
        application = applications.for_organisation(application.id, actor.organisation_id)
        assert applications.missing_sections(application) == []
        statuses = {
            section.title: applications.section_status(application, section)
            for section in applications.sections_of(application)
        }
        assert set(statuses.values()) == {"completed"}


def test_submit_refuses_an_incomplete_application_or_a_missing_declaration(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        with pytest.raises(TransitionError, match="Finish every section.*Organisation details"):
            applications.submit(application.id, actor, "Pat Provider")
        db.session.rollback()
        complete_application(application.id, actor)
        with pytest.raises(TransitionError, match="typing your full name"):
            applications.submit(application.id, actor, "   ")
        db.session.rollback()
        assert db.session.get(Application, application.id).status == "draft"


def test_submit_sets_the_clock_and_tells_the_provider_and_the_council(app, setup):
    with app_ctx(app), frozen(MONDAY):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        complete_application(application.id, actor)
        applications.submit(application.id, actor, "  Pat Provider ")
        application = db.session.get(Application, application.id)
        assert application.status == "submitted"
        assert application.submitted_at == MONDAY
        assert application.decision_due_on == date(2026, 3, 16)
        assert application.declaration_name == "Pat Provider"
        assert applications.decision_due_text(application) == "Monday 16 March 2026"
        email = db.session.scalar(select(EmailMessage))
        assert email.to_address == setup["provider"]
        assert application.reference in email.subject
        assert "We will decide by Monday 16 March 2026" in email.body
        messages = {m.organisation_id: m for m in db.session.scalars(select(Message))}
        lead = application.dps.lead_authority_id
        assert (
            messages[lead].subject == f"New application {application.reference} from Acme Care Ltd"
        )
        assert application.reference in messages[actor.organisation_id].subject
        assert "application.submitted" in _audit_actions()


def test_a_second_start_after_submitting_returns_the_open_application(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        complete_application(application.id, actor)
        applications.submit(application.id, actor, "Pat Provider")
        again = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        assert again.id == application.id and again.status == "submitted"
        # Once rejected, the provider may apply again with a new application.
        fire(APPLICATION_TRANSITIONS, again, "reject", reason="Insurance not enough")
        db.session.commit()
        fresh = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        assert fresh.id != application.id and fresh.status == "draft"


def test_a_sent_application_can_no_longer_be_changed(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        complete_application(application.id, actor)
        applications.submit(application.id, actor, "Pat Provider")
        args = (application.id, actor.organisation_id, actor)
        with pytest.raises(applications.ApplicationError, match="can no longer be changed"):
            applications.save_size(*args, size="large")
        with pytest.raises(applications.ApplicationError, match="can no longer be changed"):
            applications.attach_evidence(*args, "q_policy", file_storage(make_pdf()))
        assert db.session.get(Application, application.id).size == "small"


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"legal_name": "", "companies_house_number": None}, "legal_name", "legal name"),
        ({"legal_name": "Acme", "companies_house_number": "12"}, "companies_house_number", "8"),
        ({"legal_name": "Acme", "companies_house_number": "sc123456"}, None, None),
    ],
)
def test_organisation_details_are_checked(app, setup, values, field, message):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        args = (application.id, actor.organisation_id, actor)
        if field is None:
            saved = applications.save_organisation(*args, **values)
            assert saved.companies_house_number == "SC123456"
            return
        with pytest.raises(applications.ApplicationError, match=message) as raised:
            applications.save_organisation(*args, **values)
        assert raised.value.field == field


@pytest.mark.parametrize(
    "values, field",
    [
        ({"provider_id": "1234", "location_ids": ["1-123456789"]}, "cqc_provider_id"),
        ({"provider_id": "1-101234567", "location_ids": []}, "cqc_location_ids"),
        ({"provider_id": "1-101234567", "location_ids": ["1-1", "x"]}, "cqc_location_ids"),
        (
            {"provider_id": "1-101234567", "location_ids": ["1-123456789"], "rating": "great"},
            "cqc_rating",
        ),
        (
            {"provider_id": "1-101234567", "location_ids": ["1-123456789"], "rated_on": None},
            "cqc_rating_date",
        ),
        (
            {
                "provider_id": "1-101234567",
                "location_ids": ["1-123456789"],
                "rated_on": date(2026, 3, 3),
            },
            "cqc_rating_date",
        ),
    ],
)
def test_cqc_ids_are_checked_for_format_and_the_rating_date_is_needed(app, setup, values, field):
    with app_ctx(app), frozen(MONDAY):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        values = {"rating": "Good", "rated_on": date(2025, 1, 1), **values}
        with pytest.raises(applications.ApplicationError) as raised:
            applications.save_cqc(application.id, actor.organisation_id, actor, **values)
        assert raised.value.field == field


def test_not_yet_rated_needs_no_date(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        saved = applications.save_cqc(
            application.id,
            actor.organisation_id,
            actor,
            provider_id="1-101234567",
            location_ids=["1-123456789", "1-123456780", "1-123456789"],
            rating="Not yet rated",
            rated_on=date(2025, 1, 1),
        )
        assert saved.cqc_rating_date is None
        assert saved.cqc_location_ids == "1-123456789, 1-123456780"


def test_questionnaire_answers_follow_the_question_rules(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        args = (application.id, actor.organisation_id, actor)
        good = {"mx_fraud": {"answer": "no"}, "dx_misconduct": {"answer": "no"}}
        with pytest.raises(applications.ApplicationError, match="Give details") as raised:
            applications.save_answers(
                *args, "exclusions", {**good, "dx_misconduct": {"answer": "yes"}}
            )
        assert raised.value.field == "q_dx_misconduct_explanation"
        with pytest.raises(applications.ApplicationError, match="Select yes or no"):
            applications.save_answers(*args, "exclusions", {**good, "mx_fraud": {"answer": "x"}})
        applications.save_answers(*args, "exclusions", good)
        too_long = {"q_training": {"text": "word " * 21}}
        with pytest.raises(applications.ApplicationError, match="20 words or fewer"):
            applications.save_answers(*args, "quality", too_long)
        with pytest.raises(applications.ApplicationError, match="Select a file") as raised:
            applications.save_answers(*args, "quality", {"q_training": {"text": "We train."}})
        assert raised.value.field == "q_q_policy"
        applications.attach_evidence(*args, "q_policy", file_storage(make_pdf()))
        applications.save_answers(*args, "quality", {"q_training": {"text": "We train."}})
        answers = json.loads(db.session.get(Application, application.id).answers)
        assert answers == {
            "dx_misconduct": {"answer": "no", "explanation": ""},
            "mx_fraud": {"answer": "no"},
            "q_policy": {"uploaded": True},
            "q_training": {"text": "We train."},
        }


def test_an_optional_file_question_can_be_left_empty(app, make_user):
    _officer, dps_id = published_dps(app, make_user, small_questionnaire(file_optional=True))
    with app_ctx(app):
        actor = user(make_user(Role.PROVIDER))
        application = applications.start_or_resume(dps_id, actor.organisation_id, actor)
        args = (application.id, actor.organisation_id, actor)
        section = applications.questionnaire_section(application, "quality")
        assert applications.section_status(application, section) == "not_started"
        applications.save_answers(*args, "quality", {"q_training": {"text": "We train."}})
        application = db.session.get(Application, application.id)
        assert applications.section_status(application, section) == "completed"


def test_a_refused_upload_stores_nothing_and_a_new_file_replaces_the_old(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        args = (application.id, actor.organisation_id, actor)
        with pytest.raises(UploadRefused):
            applications.attach_evidence(
                *args, "q_policy", file_storage(b"MZ\x90\x00 not a pdf", "policy.pdf")
            )
        db.session.rollback()
        assert db.session.scalar(select(func.count(Document.id))) == 0
        first = applications.attach_evidence(*args, "q_policy", file_storage(make_pdf("v1")))
        first_document = first.document_id
        applications.attach_evidence(*args, "q_policy", file_storage(make_pdf("v2"), "v2.pdf"))
        application = db.session.get(Application, application.id)
        assert [item.document.original_name for item in application.evidence] == ["v2.pdf"]
        assert db.session.get(Document, first_document) is not None  # kept, just not linked
        with pytest.raises(applications.ApplicationNotFound):
            applications.attach_evidence(*args, "mx_fraud", file_storage(make_pdf()))


def test_insurance_needs_the_minimum_cover_and_a_future_expiry(app, setup):
    with app_ctx(app), frozen(MONDAY):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        args = (application.id, actor.organisation_id, actor)
        policy = {
            "insurance_type": "public_liability",
            "insurer": "Care Insurers plc",
            "cover": Decimal("5000000"),
            "expires_on": date(2027, 3, 31),
        }
        with pytest.raises(applications.ApplicationError) as raised:
            applications.add_insurance(*args, **{**policy, "cover": Decimal("1000000")})
        assert raised.value.message == (
            "Public liability cover must be at least £5,000,000: this policy covers £1,000,000.00"
        )
        with pytest.raises(applications.ApplicationError, match="in the future"):
            applications.add_insurance(*args, **{**policy, "expires_on": date(2026, 3, 2)})
        with pytest.raises(applications.ApplicationError, match="type of insurance"):
            applications.add_insurance(*args, **{**policy, "insurance_type": "motor"})
        added = applications.add_insurance(*args, **policy)
        application = db.session.get(Application, application.id)
        assert applications.missing_sections(application)[-1] != "Insurance"
        applications.remove_insurance(*args, added.id)
        application = db.session.get(Application, application.id)
        assert "Insurance" in applications.missing_sections(application)
        with pytest.raises(applications.ApplicationNotFound):
            applications.remove_insurance(*args, added.id)


def test_scopes_must_belong_to_the_dps(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        args = (application.id, actor.organisation_id, actor)
        with pytest.raises(applications.ApplicationError, match="at least one"):
            applications.save_scopes(*args, wanted=set())
        with pytest.raises(applications.ApplicationError, match="only the services"):
            applications.save_scopes(*args, wanted={(999, 999)})
        dps = application.dps
        wanted = {(dps.categories[0].id, dps.zones[0].id), (dps.categories[1].id, dps.zones[2].id)}
        applications.save_scopes(*args, wanted=wanted)
        applications.save_scopes(*args, wanted={(dps.categories[0].id, dps.zones[0].id)})
        application = db.session.get(Application, application.id)
        assert [(s.category_id, s.zone_id) for s in application.scopes] == [
            (dps.categories[0].id, dps.zones[0].id)
        ]


def test_another_organisation_cannot_reach_an_application_or_its_files(app, setup, make_user):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        link = applications.attach_evidence(
            application.id, actor.organisation_id, actor, "q_policy", file_storage(make_pdf())
        )
        other = user(make_user(Role.PROVIDER, organisation="Rival Care Ltd"))
        assert applications.for_organisation(application.id, other.organisation_id) is None
        assert (
            applications.document_for(application.id, other.organisation_id, link.document_id)
            is None
        )
        assert applications.document_for(application.id, actor.organisation_id, link.document_id)
        with pytest.raises(applications.ApplicationNotFound):
            applications.save_size(application.id, other.organisation_id, other, size="micro")
        with pytest.raises(applications.ApplicationNotFound):
            applications.submit(application.id, other, "Someone Else")


def _ask(application_id: int, officer_email: str, question: str = "Send your latest accounts."):
    application = db.session.get(Application, application_id)
    fire(APPLICATION_TRANSITIONS, application, "request_clarification", reason=question)
    clarification = Clarification(
        application_id=application_id, question=question, asked_by_id=user(officer_email).id
    )
    db.session.add(clarification)
    db.session.commit()
    return clarification.id


def test_answering_a_clarification_returns_the_application_to_the_officers(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        complete_application(application.id, actor)
        applications.submit(application.id, actor, "Pat Provider")
        clarification_id = _ask(application.id, setup["officer"])
        with pytest.raises(applications.ApplicationError, match="Enter your answer"):
            applications.answer_clarification(clarification_id, actor.organisation_id, actor, " ")
        with pytest.raises(UploadRefused):
            applications.answer_clarification(
                clarification_id,
                actor.organisation_id,
                actor,
                "Attached.",
                file_storage(b"plain text", "accounts.pdf"),
            )
        assert db.session.get(Application, application.id).status == "clarification"
        answered = applications.answer_clarification(
            clarification_id,
            actor.organisation_id,
            actor,
            "Attached are our accounts.",
            file_storage(make_pdf("accounts"), "accounts.pdf"),
        )
        assert answered.answer == "Attached are our accounts." and answered.document_id
        assert db.session.get(Application, application.id).status == "submitted"
        lead = application.dps.lead_authority_id
        subjects = list(
            db.session.scalars(select(Message.subject).where(Message.organisation_id == lead))
        )
        assert f"Clarification answered: {application.reference}" in subjects
        assert "application.clarification_answered" in _audit_actions()
        assert applications.document_for(
            application.id, actor.organisation_id, answered.document_id
        )
        with pytest.raises(applications.ApplicationError, match="already been answered"):
            applications.answer_clarification(clarification_id, actor.organisation_id, actor, "x")


def test_a_member_applies_to_add_services_without_answering_again(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        organisation_id = actor.organisation_id
        with pytest.raises(applications.ApplicationError, match="Only an active member"):
            applications.start_variation(setup["dps_id"], organisation_id, actor)
        initial = applications.start_or_resume(setup["dps_id"], organisation_id, actor)
        complete_application(initial.id, actor)
        applications.submit(initial.id, actor, "Pat Provider")
        admit_all(initial.id)
        with pytest.raises(applications.ApplicationError, match="already a member"):
            applications.start_or_resume(setup["dps_id"], organisation_id, actor)

        variation = applications.start_variation(setup["dps_id"], organisation_id, actor)
        assert applications.start_variation(setup["dps_id"], organisation_id, actor).id == (
            variation.id
        )
        initial = db.session.get(Application, initial.id)
        assert variation.kind == "variation" and variation.reference != initial.reference
        assert (variation.legal_name, variation.cqc_rating, variation.size) == (
            "Acme Care Limited",
            "Good",
            "small",
        )
        assert variation.answers == initial.answers
        assert [e.document_id for e in variation.evidence] == [
            e.document_id for e in initial.evidence
        ]
        assert len(variation.insurances) == 1 and variation.insurances[0].insurer == (
            "Care Insurers plc"
        )
        assert db.session.scalar(select(func.count(InsurancePolicy.id))) == 2
        assert [s.title for s in applications.sections_of(variation)] == ["Services and zones"]
        assert applications.missing_sections(variation) == ["Services and zones"]

        held = (initial.scopes[0].category_id, initial.scopes[0].zone_id)
        offered = {
            (choice.category.id, zone.id)
            for choice in applications.scope_choices(variation)
            for zone in choice.zones
        }
        assert held not in offered and len(offered) == 9 * 11 - 1
        args = (variation.id, organisation_id, actor)
        with pytest.raises(applications.ApplicationError, match="only the services"):
            applications.save_scopes(*args, wanted={held})
        new_scope = (held[0], variation.dps.zones[1].id)
        applications.save_scopes(*args, wanted={new_scope})
        submitted = applications.submit(variation.id, actor, "Pat Provider")
        assert submitted.status == "submitted"
        assert "application.variation_started" in _audit_actions()
        assert [r.section.key for r in review(submitted)] == ["services"]
        choices = applications.dps_choices(organisation_id, [submitted.dps])
        assert choices[0].action == "view" and choices[0].application.id == variation.id


def test_dps_choices_say_what_the_provider_can_do(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        dps = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor).dps
        [choice] = applications.dps_choices(actor.organisation_id, [dps])
        assert choice.action == "continue"


def test_review_reads_back_every_answer(app, setup):
    with app_ctx(app):
        actor = user(setup["provider"])
        application = applications.start_or_resume(setup["dps_id"], actor.organisation_id, actor)
        complete_application(application.id, actor)
        applications.save_answers(
            application.id,
            actor.organisation_id,
            actor,
            "exclusions",
            {"mx_fraud": {"answer": "yes"}, "dx_misconduct": {"answer": "no"}},
        )
        sections = review(db.session.get(Application, application.id))
        by_key = {item.section.slug: item for item in sections}
        assert by_key["cqc"].rows[2].lines == ["Good"]
        assert by_key["services"].rows[0].label == "Generic home care"
        assert by_key["services"].rows[0].lines == ["Ashfield"]
        fraud = by_key["exclusions"].rows[0]
        assert fraud.lines == ["Yes"] and "must exclude" in fraud.warning
        assert by_key["quality"].rows[1].document.original_name == "policy.pdf"
        assert by_key["insurance"].rows[0].lines[1] == "Cover: £5,000,000.00"
