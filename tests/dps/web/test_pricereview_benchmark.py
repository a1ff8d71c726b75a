"""The optional benchmark hourly rate on the tender's price model page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from dps.extensions import db
from dps.models import Tender
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps import tender_factories as f

TEMPLATE = re.compile(r'name="template"[^>]*value="([^"]+)"')


@pytest.fixture
def draft(app, make_user):
    email = make_user("officer", email="lead@council.example", organisation="Test Council")
    with app_ctx(app):
        tender_id = f.make_tender(email, lots=1, two_officers=False, status="draft")
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client, tender_id


def _rate(app, tender_id):
    with app_ctx(app):
        return db.session.get(Tender, tender_id).benchmark_rate


def _post(client, url, rate):
    token = csrf_token(client, url)
    page = client.get(url).get_data(as_text=True)
    template = TEMPLATE.search(page).group(1)  # the first cost breakdown offered
    return client.post(
        url,
        data={
            "csrf_token": token,
            "template": template,
            "call_length_rates": "no",
            "benchmark_rate": rate,
        },
    )


def test_pricereview_benchmark_saved_and_cleared(app, draft):
    client, tender_id = draft
    url = f"/officer/tenders/{tender_id}/price-model"
    assert "Benchmark hourly rate" in client.get(url).get_data(as_text=True)
    assert _post(client, url, "£26.50").status_code == 302
    assert _rate(app, tender_id) == Decimal("26.50")
    assert 'value="26.50"' in client.get(url).get_data(as_text=True)
    assert _post(client, url, "").status_code == 302
    assert _rate(app, tender_id) is None


@pytest.mark.parametrize(
    "rate, message",
    [
        ("abc", "must be a number"),
        ("0", "more than £0"),
        ("-3", "more than £0"),
        ("1000", "no more than £200"),
        ("26.505", "2 decimal places"),
    ],
)
def test_pricereview_benchmark_bad_values(app, draft, rate, message):
    client, tender_id = draft
    url = f"/officer/tenders/{tender_id}/price-model"
    page = _post(client, url, rate)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    assert _rate(app, tender_id) is None
