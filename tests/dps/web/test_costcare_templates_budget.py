"""Officers' cost templates (edited as data, checked by the engine), one benchmark per year, and
the budget effect of alternative rates on the hours bought through live contracts."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import Role
from dps.models.audit import AuditEvent
from dps.models.award import Contract
from dps.models.cost_of_care import AuthorityCostTemplate
from dps.models.tender import Lot
from dps.state.clock import now, to_london
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps import tender_factories as f

STOCKPORT = "stockport-2018-19"


def _create(client, name="Home support 2026/27", start_from=STOCKPORT) -> int:
    token = csrf_token(client, "/officer/cost-of-care/templates/new")
    response = client.post(
        "/officer/cost-of-care/templates/new",
        data={"csrf_token": token, "name": name, "start_from": start_from},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.location.rstrip("/").split("/")[-1])


def _edit_form(client, template_id) -> dict:
    """The edit form's fields as the page fills them in."""
    url = f"/officer/cost-of-care/templates/{template_id}"
    html = client.get(url).get_data(as_text=True)
    data = dict(
        re.findall(
            r'<input class="govuk-input[^"]*" id="([^"]+)" name="[^"]+" type="text"'
            r'(?: spellcheck="false")?(?: inputmode="\w+")?(?: spellcheck="false")?'
            r' value="([^"]*)"',
            html,
        )
    )
    data["description"] = ""
    data["csrf_token"] = csrf_token(client, url)
    return data


def test_costcare_officer_creates_a_template_from_a_built_in_and_prices_it(app, login):
    client = login(Role.OFFICER)
    template_id = _create(client)
    page = client.get(f"/officer/cost-of-care/templates/{template_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="8.29"' in html and 'value="9.5"' in html  # NI typed as a percentage
    calc = client.get("/officer/cost-of-care", query_string={"template": f"council-{template_id}"})
    assert calc.status_code == 200 and "Hourly rate: £15.61" in calc.get_data(as_text=True)
    with app_ctx(app):
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "cost_template.created")
        ).all()
        assert len(events) == 1


def test_costcare_editing_defaults_labels_and_descriptions(app, login):
    client = login(Role.OFFICER)
    template_id = _create(client)
    data = _edit_form(client, template_id)
    assert data["default_basic_pay"] == "8.29" and data["label_mileage_rate"] == "Mileage rate"
    data.update(
        name="Stockport with 2019 pay",
        default_basic_pay="8.71",
        label_basic_pay="Care worker pay",
        description_basic_pay="NLW + 0.50",
    )
    response = client.post(f"/officer/cost-of-care/templates/{template_id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app_ctx(app):
        row = db.session.get(AuthorityCostTemplate, template_id)
        stored = json.loads(row.template)
        basic = next(p for p in stored["parameters"] if p["name"] == "basic_pay")
        assert basic == {
            "name": "basic_pay",
            "default": "8.71",
            "label": "Care worker pay",
            "description": "NLW + 0.50",
        }
        ni = next(p for p in stored["parameters"] if p["name"] == "employer_ni_rate")
        assert Decimal(ni["default"]) == Decimal("0.095")  # typed 9.5%, stored as a fraction
        assert row.name == "Stockport with 2019 pay"
    calc = client.get("/officer/cost-of-care", query_string={"template": f"council-{template_id}"})
    assert "Hourly rate: £16.37" in calc.get_data(as_text=True)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"default_basic_pay": "eight"}, "default_basic_pay", "must be a number"),
        ({"default_pension_rate": "101"}, "default_pension_rate", "100 or less"),
        ({"label_basic_pay": ""}, "label_basic_pay", "Enter a label"),
        ({"name": ""}, "name", "Enter a name"),
        ({"label_basic_pay": "x" * 201}, "label_basic_pay", "200 characters or fewer"),
    ],
)
def test_costcare_template_edits_are_checked_beside_each_field(app, login, change, field, message):
    client = login(Role.OFFICER)
    template_id = _create(client)
    data = {**_edit_form(client, template_id), **change}
    response = client.post(f"/officer/cost-of-care/templates/{template_id}", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and f'href="#{field}"' in html and message in html
    with app_ctx(app):
        stored = json.loads(db.session.get(AuthorityCostTemplate, template_id).template)
        assert (
            next(p for p in stored["parameters"] if p["name"] == "basic_pay")["default"] == "8.29"
        )


def test_costcare_the_engines_own_message_is_shown_when_the_template_cannot_price(app, login):
    client = login(Role.OFFICER)
    template_id = _create(client)
    data = {**_edit_form(client, template_id), "default_miles_per_hour": ""}
    response = client.post(f"/officer/cost-of-care/templates/{template_id}", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The template does not work: line &#39;mileage&#39; needs input" in html


def test_costcare_new_template_needs_a_name_and_a_known_start(app, login):
    client = login(Role.OFFICER)
    token = csrf_token(client, "/officer/cost-of-care/templates/new")
    response = client.post(
        "/officer/cost-of-care/templates/new",
        data={"csrf_token": token, "name": "A", "start_from": "council-999"},
    )
    assert response.status_code == 400 and "Select the template to start from" in response.get_data(
        as_text=True
    )
    response = client.post(
        "/officer/cost-of-care/templates/new",
        data={"csrf_token": token, "name": "", "start_from": STOCKPORT},
    )
    assert response.status_code == 400 and "Enter a name for the template" in response.get_data(
        as_text=True
    )


def _benchmark(client, template_id, year):
    url = f"/officer/cost-of-care/templates/{template_id}"
    return client.post(
        url + "/benchmark", data={"csrf_token": csrf_token(client, url), "year": year}
    )


def test_costcare_one_benchmark_per_year_marking_another_replaces_it(app, login, make_user):
    client = login(Role.OFFICER)
    first, second = _create(client, "First"), _create(client, "Second")
    assert _benchmark(client, first, "2026").status_code == 302
    assert _benchmark(client, second, "2027").status_code == 302
    assert _benchmark(client, second, "2026").status_code == 302  # replaces First for 2026
    with app_ctx(app):
        assert db.session.get(AuthorityCostTemplate, first).benchmark_year is None
        assert db.session.get(AuthorityCostTemplate, second).benchmark_year == 2026
        event = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "cost_template.benchmark")
            .order_by(AuditEvent.seq.desc())
        ).first()
        detail = json.loads(event.detail) if isinstance(event.detail, str) else event.detail
        assert detail["replaced_template_id"] == first and detail["previous_year"] == 2027

    # providers and the public see the benchmark (and not the other template)
    public = app.test_client().get("/cost-of-care").get_data(as_text=True)
    assert "Test Council: Second (benchmark for 2026/27)" in public and "First" not in public
    assert (
        app.test_client()
        .get("/cost-of-care", query_string={"template": f"council-{first}"})
        .status_code
        == 404
    )
    assert (
        app.test_client()
        .get("/cost-of-care", query_string={"template": f"council-{second}"})
        .status_code
        == 200
    )

    # another council's officer can neither see nor change them
    other = app.test_client()
    sign_in(other, make_user(Role.OFFICER, organisation="Other Council"))
    assert other.get(f"/officer/cost-of-care/templates/{second}").status_code == 404
    token = csrf_token(other, "/officer/cost-of-care/templates/new")
    assert (
        other.post(
            f"/officer/cost-of-care/templates/{second}/benchmark",
            data={"csrf_token": token, "year": "2028"},
        ).status_code
        == 404
    )
    assert other.get("/officer/cost-of-care/templates/99999999999").status_code == 404

    # blank removes it
    assert _benchmark(client, second, "").status_code == 302
    with app_ctx(app):
        assert db.session.get(AuthorityCostTemplate, second).benchmark_year is None


@pytest.mark.parametrize("year", ["26", "1999", "2026.5", "next year", "-2026", "9" * 40])
def test_costcare_benchmark_year_must_be_four_digits(app, login, year):
    client = login(Role.OFFICER)
    template_id = _create(client)
    response = _benchmark(client, template_id, year)
    assert response.status_code == 400
    assert 'id="year-error"' in response.get_data(as_text=True)


# Budget effect --------------------------------------------------------------------------------


def test_costcare_budget_effect_of_stockports_alternative_rates(app, login):
    client = login(Role.OFFICER)
    response = client.get(
        "/officer/cost-of-care/budget",
        query_string={"rates": "15.61, 15.88, 15.99", "current": "14.12", "hours": "14042"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # 14,042 hours x 15.61 x 52 and the difference on today's 14.12 (as the engine's test)
    assert "£11,398,172.24" in html
    assert "+£1,087,974.16" in html
    assert f"+£{Decimal(14042) * Decimal('1.87') * 52:,.2f}" in html  # 15.99
    assert 'role="img"' in html and "aria-label=" in html and "<svg" in html


def _contract(tender_id, lot_number, org_name, rate, hours, start, end):
    lot_id = f.lot_id(tender_id, lot_number)
    org_id = f.provider_organisation(org_name)
    db.session.add(
        Contract(
            tender_id=tender_id,
            lot_id=lot_id,
            organisation_id=org_id,
            reference=f"C-{lot_id}-{org_id}",
            start_on=start,
            end_on=end,
            hourly_rate=Decimal(rate),
            hours_per_week=Decimal(hours),
        )
    )
    db.session.commit()


def test_costcare_budget_defaults_to_the_hours_of_live_contracts(app, login):
    client = login(Role.OFFICER)
    with app_ctx(app):
        tender_id = f.make_tender(client.email, lots=2)
        today = to_london(now()).date()
        _contract(
            tender_id,
            1,
            "Care A",
            "20.00",
            "300",
            today - timedelta(days=30),
            today + timedelta(days=300),
        )
        _contract(tender_id, 2, "Care B", "22.00", "100", today, today + timedelta(days=300))
        _contract(tender_id, 1, "Care C", "30.00", "999", date(2020, 1, 1), date(2021, 1, 1))
        assert db.session.scalar(select(Lot.id).where(Lot.tender_id == tender_id))
    page = client.get("/officer/cost-of-care/budget")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="400"' in html  # 300 + 100; the ended contract is left out
    assert 'value="20.50"' in html  # (300 x 20 + 100 x 22) / 400
    response = client.get("/officer/cost-of-care/budget", query_string={"rates": "21"})
    assert response.status_code == 200
    assert f"+£{Decimal(400) * Decimal('0.50') * 52:,.2f}" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "args, field",
    [
        ({"rates": "", "current": "14.12", "hours": "100"}, "rates"),
        ({"rates": "abc", "current": "14.12", "hours": "100"}, "rates"),
        ({"rates": "0", "current": "14.12", "hours": "100"}, "rates"),
        ({"rates": ",".join(["15"] * 11), "current": "14.12", "hours": "100"}, "rates"),
        ({"rates": "15.61", "current": "", "hours": "100"}, "current"),
        ({"rates": "15.61", "current": "14.12", "hours": "0"}, "hours"),
        ({"rates": "15.61", "current": "14.12", "hours": "lots"}, "hours"),
        ({"rates": "1e400", "current": "14.12", "hours": "1"}, "rates"),
    ],
)
def test_costcare_budget_bad_input_gives_400_beside_the_field(login, args, field):
    client = login(Role.OFFICER)
    response = client.get("/officer/cost-of-care/budget", query_string=args)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and f'id="{field}-error"' in html


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.EVALUATOR, Role.PANEL, Role.ADMIN])
def test_costcare_only_officers_manage_templates_and_budgets(login, role):
    client = login(role)
    for path in (
        "/officer/cost-of-care/templates",
        "/officer/cost-of-care/budget",
        "/officer/cost-of-care/templates/new",
    ):
        assert client.get(path).status_code == 403
