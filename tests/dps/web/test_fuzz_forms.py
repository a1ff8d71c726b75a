"""Every form gets random input built from its own fields (hypothesis, derandomised, a fixed
number of examples each) through the test client as a role allowed to post it: no response is a
500, and no page afterwards shows a posted <script> unescaped.

Forms come from FORMS in test_form_inputs.py, the bid pages of an invited provider and the
officer's tender-building pages (test_fuzz_uploads.py does the upload field). Fields
are read from the page's HTML; each kind of field (text, number, e-mail, date part, textarea,
select, radio, checkbox) gets its own strategy mixing plausible values with empty, huge,
unicode, control characters, SQL/HTML fragments and wrong types.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dps.models import Role
from dps.services import bids
from tests.conftest import app_ctx, csrf_token
from tests.dps.services.test_bids import full_content
from tests.dps.stage2_factories import invite, make_tender, organisation_id
from tests.dps.web.test_form_inputs import FORMS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
RAN: list[str] = []  # one entry per example run, for the count in the report
SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE bid; --",
    "{{ 7*7 }}",
    "{% raw %}",
    "../../etc/passwd",
    "\x00",
    "a\x01b\x1fc\x7f",
    "\u202e\u200b\ufeff",
    "Zoë ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 日本語",
    "x" * 10_000,
    " ",
    "",
    "-1",
    "1e309",
    "NaN",
    "0x10",
    "12.7.1",
    "£12.71",
    "[]",
    "null",
]
hostile = st.sampled_from(HOSTILE)
any_text = st.one_of(hostile, st.text(max_size=300), st.text(min_size=5000, max_size=6000))
numberish = st.one_of(
    hostile,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
emailish = st.one_of(hostile, st.emails().map(str), st.text(max_size=100).map(lambda t: t + "@x"))


@dataclass
class Field:
    name: str
    kind: str  # text, number, email, password, date, textarea, select, radio, checkbox, hidden
    options: list[str] = field(default_factory=list)


class _FormReader(HTMLParser):
    """The fields of the first form posting to this page (not the sign-out form)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, Field] = {}
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrf_token":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if a.get("inputmode") in ("numeric", "decimal"):
                kind = "number"
            if any(part in name for part in ("day", "month", "year")):
                kind = "date"
            found = self.fields.setdefault(name, Field(name, kind))
            if kind in ("radio", "checkbox"):
                found.options.append(a.get("value", "y"))
        elif tag == "textarea" and name:
            self.fields.setdefault(name, Field(name, "textarea"))
        elif tag == "select" and name:
            self._select = self.fields.setdefault(name, Field(name, "select"))
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def read_fields(html: str) -> list[Field]:
    reader = _FormReader()
    reader.feed(html)
    return list(reader.fields.values())


def strategy_for(item: Field):
    """Values for one field: mostly hostile, sometimes plausible, sometimes a list or missing."""
    if item.kind in ("select", "radio"):
        plain = st.sampled_from(item.options or [""])
    elif item.kind == "checkbox":
        plain = st.lists(st.sampled_from(item.options or ["y"]), max_size=3, unique=True)
    elif item.kind in ("number", "date"):
        plain = numberish
    elif item.kind == "email":
        plain = emailish
    else:
        plain = any_text
    wrong = st.one_of(hostile, st.lists(hostile, min_size=2, max_size=3), st.none())
    return st.one_of(plain, plain, wrong)


def _visible(body: str) -> None:
    assert SCRIPT not in body and "<img src=x onerror" not in body, "unescaped input on a page"


def form_of(client, path: str) -> tuple[list[Field], str]:
    """The page's fields and a CSRF token (valid for the session, so read once per form)."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    fields = read_fields(page.get_data(as_text=True))
    assert fields, f"no fields found on {path}"
    return fields, csrf_token(client, path)


def fuzz(client, path: str, show: list[str], form: tuple[list[Field], str], data) -> None:
    """One example: post drawn values to `path`, then read it and the `show` pages back."""
    fields, token = form
    values = {}
    for item in fields:
        value = data.draw(strategy_for(item), label=item.name)
        if value is not None:
            values[item.name] = value
    values["csrf_token"] = token
    response = client.post(path, data=values)
    RAN.append(path)
    body = response.get_data(as_text=True)
    assert response.status_code < 500, f"{path} answered {response.status_code}\n{body[:800]}"
    _visible(body)
    for url in dict.fromkeys([path, *show, response.location or path]):
        shown = client.get(url)
        assert shown.status_code < 500, url
        _visible(shown.get_data(as_text=True))


SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


# --- the forms in FORMS -------------------------------------------------------------------------

# After posting, the pages that list what these forms store.
SHOWN_AT = {
    "/provider/team": ["/provider/team"],
    "/admin/users": ["/admin/users"],
    "/admin/organisations": ["/admin/organisations"],
    "/officer/reconfirmations/new": ["/officer/reconfirmations"],
    "/officer/dps/new": ["/officer/dps"],
    "/officer/cost-of-care/templates/new": ["/officer/cost-of-care/templates"],
    "/officer/uplifts/new": ["/officer/uplifts"],
}


@pytest.mark.parametrize("path, role", FORMS, ids=[p for p, _ in FORMS])
def test_fuzz_listed_forms(app, login, path, role):
    client = login(role) if role else app.test_client()
    show = [url for url in SHOWN_AT.get(path, []) if client.get(url).status_code == 200]
    form = form_of(client, path)

    @SETTINGS
    @given(data=st.data())
    def run(data):
        fuzz(client, path, show, form, data)

    run()


# --- the bid pages of an invited provider -------------------------------------------------------

BID_PAGES = ["questions/{q}", "costs", "call-rates", "capacity", "partners"]


@pytest.fixture
def bidder(app, login):
    client = login(Role.PROVIDER, organisation="Acme Care Ltd")
    with app_ctx(app):
        ids = make_tender()
        org = organisation_id(client.email)
        invite(ids.tender_id, org, [ids.lot_ids[0]])
        bid = bids.start_or_resume_bid(ids.tender_id, ids.lot_ids[0], org, actor=None)
        bids.save_draft(bid.id, org, None, full_content(ids))
    base = f"/provider/tenders/{ids.tender_id}/lots/{ids.lot_ids[0]}/bid"
    return client, base, ids


@pytest.mark.parametrize("page", BID_PAGES)
def test_fuzz_bid_pages(bidder, page):
    client, base, ids = bidder
    path = f"{base}/{page.format(q=ids.question_ids[0])}"
    show = [base, f"{base}/check"]
    form = form_of(client, path)

    @SETTINGS
    @given(data=st.data())
    def run(data):
        fuzz(client, path, show, form, data)

    run()


# --- the officer's tender-building pages (a complete draft tender) --------------------------------

TENDER_PAGES = 11  # the length of test_tender_pages._form_pages


@pytest.mark.parametrize("index", range(TENDER_PAGES))
def test_fuzz_tender_pages(app, login, index):
    from tests.dps.web.test_tender_pages import _dps_for, _form_pages

    officer = login(Role.OFFICER, organisation="Nottinghamshire County Council")
    pages = _form_pages(app, officer, _dps_for(app, officer.email))
    assert len(pages) == TENDER_PAGES
    path = pages[index]
    base = "/".join(pages[1].split("/")[:4])  # /officer/tenders/<id>
    form = form_of(officer, path)

    @SETTINGS
    @given(data=st.data())
    def run(data):
        fuzz(officer, path, [base, "/officer/tenders"], form, data)

    run()


def test_the_fuzzer_reads_every_kind_of_field():
    html = """<form method="post"><input name="csrf_token" type="hidden" value="t">
    <input name="name" type="text"><input name="email" type="email">
    <input name="share" inputmode="numeric"><input name="start-day" type="text">
    <textarea name="answer"></textarea><select name="size"><option value="micro">M</option>
    <option value="small">S</option></select><input type="radio" name="role" value="a">
    <input type="radio" name="role" value="b"><input type="checkbox" name="zones" value="z1">
    <input type="file" name="upload"><button type="submit">Save</button></form>"""
    kinds = {f.name: (f.kind, f.options) for f in read_fields(html)}
    assert kinds == {
        "name": ("text", []),
        "email": ("email", []),
        "share": ("number", []),
        "start-day": ("date", []),
        "answer": ("textarea", []),
        "size": ("select", ["micro", "small"]),
        "role": ("radio", ["a", "b"]),
        "zones": ("checkbox", ["z1"]),
    }


def test_zz_report_how_many_examples_ran():
    """Prints the total (run with -s); meaningful when the whole file runs in one process."""
    print(f"\nfuzz examples run: {len(RAN)} over {len(set(RAN))} forms")
