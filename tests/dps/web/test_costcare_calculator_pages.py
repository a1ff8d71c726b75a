"""The hourly-rate calculator pages: Stockport's 15.61 line by line, visit-length rates with the
minimum-payment rule, saved scenarios per organisation, and bad input answered with a 400."""

import re
from decimal import Decimal

import pytest

from dps.extensions import db
from dps.models import Role
from dps.models.cost_of_care import CostScenario
from tests.conftest import app_ctx, csrf_token, sign_in

STOCKPORT = "stockport-2018-19"
# Each line of Appendix One as the paper prints it (label, penny).
STOCKPORT_LINES = [
    ("Basic pay", "8.29"),
    ("NI", "0.79"),
    ("Pension", "0.17"),
    ("Holiday pay", "1.12"),
    ("Training and supervision", "0.16"),
    ("Sickness pay", "0.05"),
    ("Running the business", "2.50"),
    ("Profit or surplus", "0.28"),
    ("Care worker travel time", "1.58"),
    ("Mileage", "0.70"),
]


def _rows(html: str) -> dict[str, str]:
    """Table rows of the breakdown: label -> the last (money) cell."""
    rows = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", html, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        if cells:
            rows[re.sub(r"<[^>]+>", "", cells[0]).strip()] = cells[-1].strip()
    return rows


@pytest.mark.parametrize(
    "path", ["/cost-of-care", "/officer/cost-of-care", "/provider/cost-of-care"]
)
def test_costcare_calculator_reproduces_stockports_15_61_line_by_line(app, login, path):
    client = login(Role.OFFICER if path.startswith("/officer") else Role.PROVIDER)
    if path == "/cost-of-care":
        client = app.test_client()
    response = client.get(path, query_string={"template": STOCKPORT})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = _rows(html)
    for label, amount in STOCKPORT_LINES:
        assert rows[label] == f"£{amount}", label
    assert rows["Hourly rate"] == "£15.61"
    assert "Hourly rate: £15.61" in html
    assert "9.5% of basic pay 8.29" in html  # the formula in words
    assert "11.4 minutes per hour of basic pay 8.29" in html
    assert ("Save scenario" in html) == (path != "/cost-of-care")


def test_costcare_changing_a_parameter_reprices_every_line(app):
    client = app.test_client()
    response = client.get(
        "/cost-of-care", query_string={"template": STOCKPORT, "p_basic_pay": "8.71"}
    )
    assert response.status_code == 200
    rows = _rows(response.get_data(as_text=True))
    assert rows["Basic pay"] == "£8.71"
    assert rows["Hourly rate"] == "£16.37"  # the engine's NLW uplift example
    # percentages are typed as percentages: 3% pension instead of 2%
    response = client.get(
        "/cost-of-care", query_string={"template": STOCKPORT, "p_pension_rate": "3"}
    )
    assert _rows(response.get_data(as_text=True))["Pension"] == "£0.25"


def test_costcare_cheshire_east_visit_rates_with_a_minimum_payment(app):
    response = app.test_client().get(
        "/cost-of-care",
        query_string={"template": STOCKPORT, "call_rate": "14.20", "minimum_payment": "8.20"},
    )
    assert response.status_code == 200
    rows = _rows(response.get_data(as_text=True))
    assert rows["15 minutes"] == "£8.20"
    assert rows["30 minutes"] == "£8.20"
    assert rows["45 minutes"] == "£10.65"
    assert rows["60 minutes"] == "£14.20"
    assert "raised to the minimum payment 8.20" in response.get_data(as_text=True)


def test_costcare_thirty_minute_minimum_pays_short_visits_as_thirty(app):
    response = app.test_client().get(
        "/cost-of-care", query_string={"template": STOCKPORT, "minimum_minutes": "30"}
    )
    html = response.get_data(as_text=True)
    rows = _rows(html)
    assert rows["15 minutes"] == rows["30 minutes"] == "£7.81"  # 30/60 x 15.61, half-up
    assert rows["60 minutes"] == "£15.61"
    assert "15 minutes paid as 30 (minimum)" in html


@pytest.mark.parametrize(
    "args, field, message",
    [
        ({"p_basic_pay": "abc"}, "p_basic_pay", "Basic pay must be a number"),
        ({"p_basic_pay": "-1"}, "p_basic_pay", "Basic pay cannot be negative"),
        ({"p_basic_pay": "8.295"}, "p_basic_pay", "pounds and pence"),
        ({"p_pension_rate": "150"}, "p_pension_rate", "100 or less"),
        ({"p_basic_pay": "1e5"}, "p_basic_pay", "must be a number"),
        ({"p_basic_pay": "NaN"}, "p_basic_pay", "must be a number"),
        ({"minimum_minutes": "7.5"}, "minimum_minutes", "whole number of minutes"),
        ({"minimum_payment": "x"}, "minimum_payment", "must be a number"),
    ],
)
def test_costcare_bad_figures_give_400_with_the_error_beside_the_field(app, args, field, message):
    response = app.test_client().get("/cost-of-care", query_string={"template": STOCKPORT, **args})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and f'href="#{field}"' in html
    assert f'id="{field}-error"' in html and message in html
    # what was typed stays in the field
    assert f'value="{args[field]}"' in html


@pytest.mark.parametrize(
    "args",
    [
        {"template": "nope"},
        {"template": "council-1"},
        {"template": "x" * 5000},
    ],
)
def test_costcare_unknown_templates_are_not_found(app, args):
    assert app.test_client().get("/cost-of-care", query_string=args).status_code == 404


def test_costcare_public_page_ignores_scenarios(app, login):
    client = login(Role.PROVIDER)
    scenario_id = _save(client, "/provider", "Mine", {"p_basic_pay": "9.00"})
    response = app.test_client().get("/cost-of-care", query_string={"scenario": scenario_id})
    assert response.status_code == 200
    assert "Save scenario" not in response.get_data(as_text=True)


# Scenarios ------------------------------------------------------------------------------------


def _save(client, prefix: str, name: str, figures: dict, template: str = STOCKPORT) -> int:
    token = csrf_token(client, f"{prefix}/cost-of-care?template={template}")
    response = client.post(
        f"{prefix}/cost-of-care/scenarios",
        data={"csrf_token": token, "template": template, "name": name, **figures},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.location.rstrip("/").split("/")[-1])


@pytest.mark.parametrize("role, prefix", [(Role.OFFICER, "/officer"), (Role.PROVIDER, "/provider")])
def test_costcare_scenarios_save_list_open_rename_delete(app, login, role, prefix):
    client = login(role)
    first = _save(client, prefix, "Stockport as proposed", {})
    second = _save(client, prefix, "Higher pay", {"p_basic_pay": "8.71"})
    listing = client.get(f"{prefix}/cost-of-care/scenarios").get_data(as_text=True)
    assert "Stockport as proposed" in listing and "Higher pay" in listing
    assert "£15.61" in listing and "£16.37" in listing

    page = client.get(f"{prefix}/cost-of-care/scenarios/{second}")
    assert page.status_code == 200
    assert _rows(page.get_data(as_text=True))["Basic pay"] == "£8.71"

    # opening it in the calculator starts from its figures
    opened = client.get(f"{prefix}/cost-of-care", query_string={"scenario": second})
    assert opened.status_code == 200 and 'value="8.71"' in opened.get_data(as_text=True)

    url = f"{prefix}/cost-of-care/scenarios/{first}"
    token = csrf_token(client, url)
    assert client.post(url + "/rename", data={"csrf_token": token, "name": ""}).status_code == 400
    response = client.post(url + "/rename", data={"csrf_token": token, "name": "As proposed"})
    assert response.status_code == 302
    assert "As proposed" in client.get(url).get_data(as_text=True)

    response = client.post(url + "/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get(url).status_code == 404
    with app_ctx(app):
        assert db.session.get(CostScenario, first) is None
        assert db.session.get(CostScenario, second).total == Decimal("16.37")


def test_costcare_compare_two_scenarios_line_by_line(app, login):
    client = login(Role.OFFICER)
    first = _save(client, "/officer", "As proposed", {})
    second = _save(client, "/officer", "Higher pay", {"p_basic_pay": "8.71"})
    response = client.get(
        "/officer/cost-of-care/scenarios/compare", query_string={"a": first, "b": second}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", html, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        rows[cells[0]] = cells[1:]
    assert rows["Basic pay"] == ["£8.29", "£8.71", "+£0.42"]
    assert rows["Mileage"] == ["£0.70", "£0.70", "+£0.00"]
    assert rows["Hourly rate"] == ["£15.61", "£16.37", "+£0.76"]
    assert len(rows) == len(STOCKPORT_LINES) + 3 + 1 + 1  # lines, 3 subtotals, total, header

    missing = client.get(
        "/officer/cost-of-care/scenarios/compare", query_string={"a": first, "b": ""}
    )
    assert missing.status_code == 400 and "Select the second scenario" in missing.get_data(
        as_text=True
    )


def test_costcare_another_organisations_scenarios_are_not_found(app, login, make_user):
    owner = login(Role.OFFICER)
    scenario_id = _save(owner, "/officer", "Ours", {})
    other_email = make_user(Role.OFFICER, organisation="Other Council")
    other = app.test_client()
    sign_in(other, other_email)
    base = f"/officer/cost-of-care/scenarios/{scenario_id}"
    assert other.get(base).status_code == 404
    assert (
        other.get("/officer/cost-of-care", query_string={"scenario": scenario_id}).status_code
        == 404
    )
    assert (
        other.get(
            "/officer/cost-of-care/scenarios/compare",
            query_string={"a": scenario_id, "b": scenario_id},
        ).status_code
        == 404
    )
    token = csrf_token(other, "/officer/cost-of-care")
    assert other.post(base + "/rename", data={"csrf_token": token, "name": "x"}).status_code == 404
    assert other.post(base + "/delete", data={"csrf_token": token}).status_code == 404
    assert "Ours" not in other.get("/officer/cost-of-care/scenarios").get_data(as_text=True)
    # a colleague in the same council sees it
    colleague = login(Role.OFFICER)
    assert colleague.get(base).status_code == 200
    # huge ids are simply not found
    assert owner.get("/officer/cost-of-care/scenarios/99999999999").status_code == 404
    assert (
        owner.get("/officer/cost-of-care", query_string={"scenario": "9" * 30}).status_code == 404
    )


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_costcare_saving_without_a_good_name_keeps_the_figures(app, login, name):
    client = login(Role.PROVIDER)
    token = csrf_token(client, "/provider/cost-of-care")
    response = client.post(
        "/provider/cost-of-care/scenarios",
        data={"csrf_token": token, "template": STOCKPORT, "name": name, "p_basic_pay": "9.10"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and 'id="name-error"' in html
    assert 'value="9.10"' in html
    with app_ctx(app):
        assert db.session.query(CostScenario).count() == 0


def test_costcare_saving_bad_figures_or_without_csrf_is_refused(app, login):
    client = login(Role.PROVIDER)
    token = csrf_token(client, "/provider/cost-of-care")
    response = client.post(
        "/provider/cost-of-care/scenarios",
        data={"csrf_token": token, "template": STOCKPORT, "name": "A", "p_basic_pay": "lots"},
    )
    assert response.status_code == 400 and 'id="p_basic_pay-error"' in response.get_data(
        as_text=True
    )
    response = client.post(
        "/provider/cost-of-care/scenarios", data={"template": STOCKPORT, "name": "A"}
    )
    assert response.status_code == 400
    with app_ctx(app):
        assert db.session.query(CostScenario).count() == 0


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.PANEL, Role.ADMIN])
def test_costcare_other_roles_cannot_use_the_officer_or_provider_calculators(login, role):
    client = login(role)
    assert client.get("/officer/cost-of-care/scenarios").status_code == 403
    assert client.get("/provider/cost-of-care/scenarios").status_code == 403
    assert client.get("/cost-of-care").status_code == 200
