"""Setting up a DPS: the regime's rules, the term, the structure, publishing, the public grid."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import (
    AuditEvent,
    Category,
    DynamicPurchasingSystem,
    Membership,
    MembershipScope,
    Organisation,
    OrganisationKind,
    Role,
    User,
    Zone,
)
from dps.services import dps_directory, dps_regimes, dps_setup, dps_structure
from dps.services.dps_setup import SetupError, check_term
from dps.state.clock import frozen

CUTOFF = date(2029, 2, 24)


@pytest.fixture
def officer(ctx, make_user):
    email = make_user(Role.OFFICER, organisation="Nottinghamshire County Council")
    return db.session.scalar(select(User).where(User.email == email))


def _authority(name: str) -> Organisation:
    org = Organisation(kind=OrganisationKind.AUTHORITY, name=name, legal_name=name)
    db.session.add(org)
    db.session.commit()
    return org


def _provider(name: str) -> Organisation:
    org = Organisation(kind=OrganisationKind.PROVIDER, name=name, legal_name=name, size="small")
    db.session.add(org)
    db.session.commit()
    return org


def _create(officer, **overrides):
    values = {
        "reference": "NCC-DPS-2026-01",
        "title": "Home care in Nottinghamshire",
        "description": "Care at home for adults.",
        "regime": "pcr2015_dps",
        "lead_authority_id": officer.organisation_id,
        "partner_ids": [],
        "starts_on": date(2026, 3, 2),
        "term_years": 10,
    }
    values.update(overrides)
    return dps_setup.create_dps(officer, **values)


# The term and the regime -------------------------------------------------------------------


def test_a_pcr_2015_dps_of_ten_years_from_2026_ends_on_24_february_2029_with_a_warning(officer):
    dps, warning = _create(officer)
    assert dps.ends_on == CUTOFF
    assert warning is not None
    assert "cannot run past 24 February 2029" in warning
    assert "not on 2 March 2036" in warning
    assert dps_setup.term_note(dps) == (
        "A DPS under the Public Contracts Regulations 2015, regulation 34 (dynamic purchasing "
        "system) cannot run past 24 February 2029, so this one ends then."
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dps.created"))
    detail = json.loads(event.detail)
    assert detail["ends_on"] == "2029-02-24" and "24 February 2029" in detail["warning"]
    assert event.actor_user_id == officer.id


def test_a_pa_2023_dynamic_market_runs_its_full_term_without_a_warning(officer):
    dps, warning = _create(
        officer,
        regime="pa2023_dynamic_market",
        decision_target_days=15,
        conditions_of_membership="CQC registration with a rating of Good or better.",
    )
    assert warning is None
    assert dps.ends_on == date(2036, 3, 2)
    assert dps.decision_target_days == 15
    assert dps.conditions_of_membership.startswith("CQC registration")
    assert dps_setup.term_note(dps) is None


@pytest.mark.parametrize(
    "regime, starts_on, years, ends_on, warns",
    [
        ("pcr2015_dps", date(2026, 3, 2), 2, date(2028, 3, 2), False),
        ("pcr2015_dps", date(2026, 3, 2), 3, CUTOFF, True),
        ("pcr2015_dps", date(2019, 2, 24), 10, CUTOFF, False),  # ends exactly then
        ("pcr2015_dps", date(2019, 2, 25), 10, CUTOFF, True),
        ("pcr2015_dps", date(2019, 2, 24), 9, date(2028, 2, 24), False),
        ("light_touch", date(2026, 3, 2), 10, date(2036, 3, 2), False),
        ("pa2023_dynamic_market", date(2028, 2, 29), 4, date(2032, 2, 29), False),
        ("pa2023_dynamic_market", date(2028, 2, 29), 1, date(2029, 2, 28), False),
    ],
)
def test_check_term(regime, starts_on, years, ends_on, warns):
    term = check_term(regime, starts_on, years)
    assert term.ends_on == ends_on
    assert (term.warning is not None) is warns


def test_a_pcr_2015_dps_cannot_start_on_or_after_the_cut_off():
    with pytest.raises(SetupError, match="must start before then") as error:
        check_term("pcr2015_dps", CUTOFF, 1)
    assert error.value.field == "starts_on"


@pytest.mark.parametrize(
    "regime, starts_on, years, field",
    [
        ("nonsense", date(2026, 3, 2), 10, "regime"),
        ("pcr2015_dps", date(2026, 3, 2), 0, "term_years"),
        ("pcr2015_dps", date(2026, 3, 2), 11, "term_years"),
        ("pa2023_dynamic_market", date(1999, 1, 1), 10, "starts_on"),
        ("pa2023_dynamic_market", date(9995, 1, 1), 10, "starts_on"),
    ],
)
def test_check_term_refuses_what_makes_no_sense(regime, starts_on, years, field):
    with pytest.raises(SetupError) as error:
        check_term(regime, starts_on, years)
    assert error.value.field == field


def test_pcr_2015_fixes_the_decision_period_at_ten_working_days(officer):
    dps, _ = _create(officer, decision_target_days=25)
    assert dps.decision_target_days == 10
    words = dps_regimes.decision_period_in_words(dps)
    assert "10 working days" in words and "set by law" in words and "15 working days" in words


def test_pa_2023_decision_target_is_configurable_within_limits(officer):
    with pytest.raises(SetupError, match="between 1 and 30") as error:
        _create(officer, regime="pa2023_dynamic_market", decision_target_days=45)
    assert error.value.field == "decision_target_days"
    dps, _ = _create(officer, regime="pa2023_dynamic_market", decision_target_days=12)
    words = dps_regimes.decision_period_in_words(dps)
    assert "reasonable period" in words and "12 working days" in words
    assert "extended" not in words


def test_conditions_of_membership_only_for_a_pa_2023_dynamic_market(officer):
    with pytest.raises(SetupError, match="only for a Procurement Act 2023") as error:
        _create(officer, conditions_of_membership="Good CQC rating")
    assert error.value.field == "conditions_of_membership"
    assert db.session.scalar(select(DynamicPurchasingSystem.id)) is None


def test_each_regime_explains_its_rules():
    pcr = " ".join(dps_regimes.regime_rules_in_words("pcr2015_dps"))
    assert "10 working days (set by law)" in pcr and "15 working days" in pcr
    assert "24 February 2029" in pcr and "forbids charging providers a fee" in pcr
    pa = " ".join(dps_regimes.regime_rules_in_words("pa2023_dynamic_market"))
    assert "reasonable period" in pa and "conditions of membership" in pa
    assert "2029" not in pa and "No fee" in pa
    light = " ".join(dps_regimes.regime_rules_in_words("light_touch"))
    assert "target you set" in light and "2029" not in light


# Reference, authorities --------------------------------------------------------------------


def test_a_duplicate_reference_is_refused_with_a_clear_message(officer):
    _create(officer)
    with pytest.raises(SetupError) as error:
        _create(officer, reference="ncc-dps-2026-01", title="Another")
    assert str(error.value) == (
        "A DPS with the reference NCC-DPS-2026-01 already exists. Choose a different reference."
    )
    assert error.value.field == "reference"
    assert db.session.scalar(select(db.func.count(DynamicPurchasingSystem.id))) == 1


@pytest.mark.parametrize("reference", ["", "NCC DPS", "NCC--DPS", "-NCC", "NCC/1", "X" * 41])
def test_a_malformed_reference_is_refused(officer, reference):
    with pytest.raises(SetupError) as error:
        _create(officer, reference=reference)
    assert error.value.field == "reference"


def test_the_lead_must_be_an_authority_and_the_officer_must_take_part(officer):
    provider = _provider("Acme Care Ltd")
    with pytest.raises(SetupError, match="Choose the lead authority"):
        _create(officer, lead_authority_id=provider.id)
    other = _authority("Derbyshire County Council")
    with pytest.raises(SetupError, match="lead authority or one of the partners"):
        _create(officer, lead_authority_id=other.id)
    dps, _ = _create(
        officer, lead_authority_id=other.id, partner_ids=[officer.organisation_id, provider.id]
    )
    assert [p.id for p in dps.partners] == [officer.organisation_id]  # the provider is dropped


def test_the_lead_is_never_its_own_partner(officer):
    icb = _authority("NHS Nottingham and Nottinghamshire ICB")
    dps, _ = _create(officer, partner_ids=[officer.organisation_id, icb.id])
    assert [p.name for p in dps.partners] == ["NHS Nottingham and Nottinghamshire ICB"]


# The structure that is seeded ------------------------------------------------------------


def test_a_new_dps_is_seeded_with_the_standard_categories_zones_and_questionnaire(officer):
    dps, _ = _create(officer)
    assert dps.status == "draft"
    names = [c.name for c in dps.categories]
    assert names[0] == "Generic home care" and len(names) == 9
    for expected in ("Extra care", "Dementia care", "End of life care", "Respite"):
        assert expected in names
    assert "24-hour crisis response" in names and "Night care" in names
    assert "Children's care at home" in names and "Supported living" in names
    districts = [district.name for district, _ in dps_directory.zone_tree(dps)]
    assert districts == [
        "Ashfield",
        "Bassetlaw",
        "Broxtowe",
        "Gedling",
        "Mansfield",
        "Newark and Sherwood",
        "Rushcliffe",
    ]
    localities = [z for z in dps.zones if z.parent_id is not None]
    assert localities and all(z.rural for z in localities)
    assert any(z.hard_to_serve for z in localities)
    assert all(z.parent.parent_id is None for z in localities)
    questionnaire = dps_setup.questionnaire_of(dps)
    types = {q["type"] for s in questionnaire["sections"] for q in s["questions"]}
    assert types == {"pass_fail", "information", "yes_no_evidence", "file"}
    grounds = {q.get("ground") for s in questionnaire["sections"] for q in s["questions"]}
    assert {"mandatory", "discretionary"} <= grounds
    assert {i["code"] for i in questionnaire["insurance_types"]} >= {"public_liability"}


# Publishing -------------------------------------------------------------------------------


def test_a_draft_with_no_categories_cannot_be_published_and_says_why(officer):
    dps, _ = _create(officer, structure={"categories": [], "zones": [{"code": "a", "name": "A"}]})
    assert dps_setup.publish_problems(dps) == ["Add at least one category before publishing."]
    with pytest.raises(SetupError, match="Add at least one category before publishing"):
        dps_setup.publish_dps(officer, dps.id)
    db.session.refresh(dps)
    assert dps.status == "draft" and dps.published_at is None
    assert dps_setup.published() == []


def test_every_reason_is_listed(officer):
    dps, _ = _create(officer, structure={"categories": [], "zones": []}, questionnaire={"x": 1})
    assert dps_setup.publish_problems(dps) == [
        "Add at least one category before publishing.",
        "Add at least one zone before publishing.",
        "The selection questionnaire has no sections.",
    ]


def test_a_dps_whose_term_is_over_cannot_be_published(officer):
    dps, _ = _create(officer, starts_on=date(2016, 1, 4), term_years=2)
    with frozen(datetime(2026, 3, 2, 9, tzinfo=UTC)):
        problems = dps_setup.publish_problems(dps)
    assert problems == ["The term ended on 4 January 2018. A DPS that has ended cannot open."]


def test_publishing_opens_it_records_it_and_lists_it(officer):
    dps, _ = _create(officer)
    moment = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with frozen(moment):
        dps_setup.publish_dps(officer, dps.id)
    db.session.refresh(dps)
    assert dps.status == "published" and dps.published_at == moment
    assert dps_setup.published() == [dps]
    assert dps_directory.published_by_reference("NCC-DPS-2026-01") == dps
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dps.published"))
    with pytest.raises(SetupError, match="already published"):
        dps_setup.publish_dps(officer, dps.id)


def test_drafts_are_not_public(officer):
    _create(officer)
    assert dps_setup.published() == []
    assert dps_directory.published_by_reference("NCC-DPS-2026-01") is None


# Who sees what ----------------------------------------------------------------------------


def test_officers_see_only_the_dpss_of_their_authority(officer, make_user):
    icb = _authority("NHS Nottingham and Nottinghamshire ICB")
    dps, _ = _create(officer, partner_ids=[icb.id])
    stranger_email = make_user(Role.OFFICER, organisation="Derbyshire County Council")
    partner_email = make_user(Role.OFFICER, organisation=icb.name)
    stranger = db.session.scalar(select(User).where(User.email == stranger_email))
    partner = db.session.scalar(select(User).where(User.email == partner_email))
    assert dps_directory.for_officer(officer, dps.id) == dps
    assert dps_directory.for_officer(partner, dps.id) == dps
    assert dps_directory.visible_to(partner) == [dps]
    assert dps_directory.for_officer(stranger, dps.id) is None
    assert dps_directory.visible_to(stranger) == []


# Changing the structure of a draft --------------------------------------------------------


def test_categories_can_be_added_renamed_and_removed_on_a_draft(officer):
    dps, _ = _create(officer)
    added = dps_structure.add_category(officer, dps.id, "Community access", "Days out")
    assert added.code == "community_access" and added.position == 9
    with pytest.raises(SetupError, match="already a category called Community access"):
        dps_structure.add_category(officer, dps.id, "community ACCESS")
    renamed = dps_structure.update_category(officer, dps.id, added.id, "Community support", "")
    assert renamed.name == "Community support" and renamed.code == "community_access"
    dps_structure.remove_category(officer, dps.id, added.id)
    assert db.session.get(Category, added.id) is None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[-3:] == ["dps.category_added", "dps.category_changed", "dps.category_removed"]


def test_zones_form_a_district_and_locality_hierarchy(officer):
    dps, _ = _create(officer)
    ashfield = next(z for z in dps.zones if z.code == "ashfield")
    locality = dps_structure.add_zone(
        officer, dps.id, "Ashfield villages", ashfield.id, hard_to_serve=True, rural=True
    )
    assert locality.parent_id == ashfield.id
    tree = dict(dps_directory.zone_tree(dps))
    assert [z.name for z in tree[ashfield]] == ["Ashfield villages"]
    order = [z.name for z in sorted(dps.zones, key=lambda z: z.position)]
    assert order.index("Ashfield villages") == order.index("Ashfield") + 1
    with pytest.raises(SetupError, match="inside a district, not another locality"):
        dps_structure.add_zone(officer, dps.id, "Deeper", locality.id)
    with pytest.raises(SetupError, match="Remove the localities in Ashfield first"):
        dps_structure.remove_zone(officer, dps.id, ashfield.id)
    with pytest.raises(SetupError, match="already a zone called Ashfield"):
        dps_structure.add_zone(officer, dps.id, "ashfield")
    district = dps_structure.add_zone(officer, dps.id, "Nottingham City")
    assert district.parent_id is None and not district.rural
    dps_structure.remove_zone(officer, dps.id, locality.id)
    dps_structure.remove_zone(officer, dps.id, ashfield.id)
    assert db.session.get(Zone, ashfield.id) is None


def test_after_publishing_only_zone_flags_may_change(officer):
    dps, _ = _create(officer)
    dps_setup.publish_dps(officer, dps.id)
    zone = dps.zones[0]
    with pytest.raises(SetupError, match="only change categories while the DPS is a draft"):
        dps_structure.add_category(officer, dps.id, "Community access")
    with pytest.raises(SetupError, match="only change zones while the DPS is a draft"):
        dps_structure.remove_zone(officer, dps.id, zone.id)
    with pytest.raises(SetupError, match="the names of zones"):
        dps_structure.update_zone(
            officer, dps.id, zone.id, name="Renamed", hard_to_serve=False, rural=False
        )
    dps_structure.update_zone(officer, dps.id, zone.id, hard_to_serve=True, rural=True)
    db.session.refresh(zone)
    assert zone.hard_to_serve and zone.rural and zone.name == "Ashfield"
    with pytest.raises(SetupError, match="partner authorities while the DPS is a draft"):
        dps_structure.set_partners(officer, dps.id, [])


def test_a_category_providers_are_admitted_to_cannot_be_removed(officer):
    dps, _ = _create(officer)
    provider = _provider("Acme Care Ltd")
    membership = Membership(dps_id=dps.id, organisation_id=provider.id)
    membership.scopes.append(
        MembershipScope(category_id=dps.categories[0].id, zone_id=dps.zones[0].id)
    )
    db.session.add(membership)
    db.session.commit()
    with pytest.raises(SetupError, match="cannot be removed"):
        dps_structure.remove_category(officer, dps.id, dps.categories[0].id)
    with pytest.raises(SetupError, match="cannot be removed"):
        dps_structure.remove_zone(officer, dps.id, dps.zones[0].id)


def test_partners_can_be_changed_on_a_draft(officer):
    icb = _authority("NHS Nottingham and Nottinghamshire ICB")
    bassetlaw = _authority("NHS Bassetlaw Place Partnership")
    dps, _ = _create(officer, partner_ids=[icb.id])
    dps_structure.set_partners(officer, dps.id, [bassetlaw.id, icb.id, dps.lead_authority_id])
    assert sorted(p.name for p in dps.partners) == [bassetlaw.name, icb.name]
    with pytest.raises(SetupError, match="Choose partners from the list"):
        dps_structure.set_partners(officer, dps.id, [_provider("Acme Care Ltd").id])
    dps_structure.set_partners(officer, dps.id, [])
    assert dps.partners == []


# The public grid --------------------------------------------------------------------------


def test_the_public_grid_shows_active_members_only(officer):
    dps, _ = _create(officer)
    home_care, night_care = dps.categories[0], dps.categories[6]
    ashfield, bassetlaw = dps.zones[0], dps.zones[1]
    for name, status, scopes in [
        ("Zed Care Ltd", "active", [(home_care, ashfield), (night_care, bassetlaw)]),
        ("Able Care Ltd", "active", [(home_care, ashfield)]),
        ("Suspended Care Ltd", "suspended", [(home_care, ashfield)]),
        ("Removed Care Ltd", "removed", [(home_care, ashfield)]),
    ]:
        membership = Membership(dps_id=dps.id, organisation_id=_provider(name).id, status=status)
        for category, zone in scopes:
            membership.scopes.append(MembershipScope(category_id=category.id, zone_id=zone.id))
        db.session.add(membership)
    db.session.commit()
    admitted = dps_directory.admitted_providers(dps.id)
    assert admitted.cells == {
        (home_care.id, ashfield.id): ["Able Care Ltd", "Zed Care Ltd"],
        (night_care.id, bassetlaw.id): ["Zed Care Ltd"],
    }
    assert admitted.member_count == 2


@pytest.mark.parametrize(
    "starts_on, ends_on, words",
    [
        (date(2026, 3, 2), date(2036, 3, 2), "10 years"),
        (date(2026, 3, 2), CUTOFF, "2 years and 11 months"),
        (date(2026, 3, 2), date(2027, 4, 2), "1 year and 1 month"),
        (date(2026, 3, 2), date(2026, 3, 20), "Less than a month"),
    ],
)
def test_term_in_words(starts_on, ends_on, words):
    assert dps_regimes.term_in_words(starts_on, ends_on) == words
