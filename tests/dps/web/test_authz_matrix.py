"""The authorisation matrix: every route, every method, every role, against ONE table.

Each rule of `app.url_map` is requested (GET and POST; HEAD/OPTIONS are Flask's) by eight clients,
one per role of tests/dps/authz_world.py, with URL parameters naming PROVIDER A's objects, so
provider B's 404s prove direct object references are refused. POSTs carry a valid CSRF token and
an empty form: an allowed role gets a validation page (or its redirect), a refused role 403/404.
A route without a row fails, naming the endpoint: every new route must be added to MATRIX.

Expected classes, in the column order of ROLES (anon prov_a prov_b officer outsider evaluator
panel admin):
    ok    200, or a redirect that is not to sign-in
    in    a redirect to sign-in (anonymous visitors)
    form  a POST with an empty form that got through the permission check: 200, 302 or 400
    403 / 404 / 405 / 400   exactly that status
Nothing may answer 500. Run with AUTHZ_DISCOVER=1 to print the rows as observed (for new routes).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from itsdangerous import URLSafeTimedSerializer

from tests.conftest import sign_in
from tests.dps.authz_world import ROLES, authz_world

CHECKED_METHODS = ("GET", "POST")
CSRF_REFUSED = "The form had expired or was sent from somewhere else"


@dataclass(frozen=True)
class Row:
    get: str | None = None  # eight classes, or None when the route takes no GET
    post: str | None = None

    def expected(self, method: str) -> list[str]:
        spec = self.get if method == "GET" else self.post
        assert spec is not None, f"no {method} column"
        classes = spec.split()
        assert len(classes) == len(ROLES), spec
        return classes


# Shorthands for the usual rows.
PUBLIC = "ok ok ok ok ok ok ok ok"
PUBLIC_FORM = "form form form form form form form form"
BAD_TOKEN = "400 400 400 400 400 400 400 400"  # a token link that is not valid
NOT_PUBLISHED = "404 404 404 404 404 404 404 404"
TO_SIGN_IN = "in in in in in in in in"
PROVIDER = "in ok ok 403 403 403 403 403"  # provider area, the organisation's own view
PROVIDER_FORM = "in form form 403 403 403 403 403"
PROVIDER_A = "in ok 404 403 403 403 403 403"  # names provider A's object: B gets 404
PROVIDER_A_FORM = "in form 404 403 403 403 403 403"
OFFICER = "in 403 403 ok ok 403 403 403"  # officer area, the authority's own view
OFFICER_FORM = "in 403 403 form form 403 403 403"
OFFICER_OWN = "in 403 403 ok 404 403 403 403"  # names the lead authority's object
OFFICER_OWN_FORM = "in 403 403 form 404 403 403 403"
MARKER = "in 403 403 404 404 ok 403 403"  # evaluator area: only an assigned marker
MARKER_FORM = "in 403 403 404 404 form 403 403"
PANEL = "in 403 403 403 403 403 ok 403"
PANEL_FORM = "in 403 403 403 403 403 form 403"
ADMIN = "in 403 403 403 403 403 403 ok"
ADMIN_FORM = "in 403 403 403 403 403 403 form"

MATRIX: dict[str, Row] = {
    # admin
    "admin.audit_log": Row(get=ADMIN),
    "admin.authorities": Row(get=ADMIN, post=ADMIN_FORM),
    "admin.dashboard": Row(get=ADMIN),
    "admin.outbox": Row(get=ADMIN),
    "admin.outbox_email": Row(get=ADMIN),
    # the spare user has no second factor to reset: 404 even for the administrator
    "admin.reset_two_factor": Row(
        get="in 403 403 403 403 403 403 404", post="in 403 403 403 403 403 403 404"
    ),
    "admin.set_enabled": Row(post=ADMIN_FORM),
    "admin.users": Row(get=ADMIN, post=ADMIN_FORM),
    # auth
    "auth.accept_invitation": Row(get=BAD_TOKEN, post=BAD_TOKEN),
    "auth.check_email": Row(get=PUBLIC),
    "auth.confirm_email": Row(get=BAD_TOKEN),
    "auth.forgotten_password": Row(get=PUBLIC, post=PUBLIC_FORM),
    "auth.register": Row(get=PUBLIC, post=PUBLIC_FORM),
    "auth.reset_password": Row(get=BAD_TOKEN, post=BAD_TOKEN),
    "auth.sign_in": Row(get=PUBLIC, post=PUBLIC_FORM),
    "auth.sign_out": Row(get=TO_SIGN_IN, post=TO_SIGN_IN),  # requested last
    # two-factor steps with no sign-in waiting for a code: back to sign-in
    "auth.two_factor_code": Row(get=TO_SIGN_IN, post=TO_SIGN_IN),
    "auth.two_factor_enrol": Row(get=TO_SIGN_IN, post=TO_SIGN_IN),
    # the test settings require two-factor of no role, so there is nothing to manage
    "auth.two_factor_manage": Row(
        get="in 404 404 404 404 404 404 404", post="in 404 404 404 404 404 404 404"
    ),
    # evaluator
    "evaluator.dashboard": Row(get="in 403 403 ok ok ok 403 403"),
    "evaluator.declare": Row(get=MARKER, post=MARKER_FORM),
    "evaluator.mark": Row(get=MARKER, post=MARKER_FORM),
    "evaluator.question": Row(get=MARKER),
    # ocds
    "ocds.dps_package": Row(get=PUBLIC),
    "ocds.index": Row(get=PUBLIC),
    "ocds.tender_package": Row(get=PUBLIC),
    # officer
    "officer.application_admit": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.application_clarification": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.application_detail": Row(get=OFFICER_OWN),
    "officer.application_document": Row(get=OFFICER_OWN),
    "officer.application_extend": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.application_queue": Row(get=OFFICER),
    "officer.application_reject": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.award": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.award_contracts": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.award_letter_retry": Row(post=OFFICER_OWN_FORM),
    "officer.clarification_answer": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.clarifications_list": Row(get=OFFICER_OWN),
    "officer.contract_rates": Row(get=OFFICER_OWN),
    "officer.cost_budget": Row(get=OFFICER),
    "officer.cost_calculator": Row(get=OFFICER),
    "officer.cost_compare": Row(get=OFFICER),
    "officer.cost_scenario": Row(get=OFFICER_OWN),
    "officer.cost_scenario_delete": Row(post=OFFICER_OWN_FORM),
    "officer.cost_scenario_rename": Row(post=OFFICER_OWN_FORM),
    "officer.cost_scenarios": Row(get=OFFICER, post=OFFICER_FORM),
    "officer.cost_template": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.cost_template_benchmark": Row(post=OFFICER_OWN_FORM),
    "officer.cost_template_new": Row(get=OFFICER, post=OFFICER_FORM),
    "officer.cost_templates": Row(get=OFFICER),
    "officer.dashboard": Row(get=OFFICER),
    "officer.document": Row(get=OFFICER_OWN),
    "officer.dps_categories": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.dps_category": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.dps_category_remove": Row(post=OFFICER_OWN_FORM),
    "officer.dps_list": Row(get=OFFICER),
    "officer.dps_new": Row(get=OFFICER, post=OFFICER_FORM),
    "officer.dps_partners": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.dps_publish": Row(post=OFFICER_OWN_FORM),
    "officer.dps_published": Row(get=OFFICER_OWN),
    "officer.dps_questionnaire": Row(get=OFFICER_OWN),
    "officer.dps_show": Row(get=OFFICER_OWN),
    "officer.dps_zone": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.dps_zone_remove": Row(post=OFFICER_OWN_FORM),
    "officer.dps_zones": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.evaluation": Row(get=OFFICER_OWN),
    "officer.evaluation_export": Row(get=OFFICER_OWN),
    "officer.evaluation_markers": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.evaluation_report": Row(get=OFFICER_OWN),
    "officer.evaluation_results": Row(get=OFFICER_OWN),
    "officer.inbox_list": Row(get=OFFICER),
    "officer.inbox_message": Row(get=OFFICER_OWN),
    "officer.market_dashboard": Row(get=OFFICER_OWN),
    "officer.market_download": Row(get=OFFICER_OWN),
    "officer.market_index": Row(get=OFFICER),
    "officer.member_cqc_rating": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.member_detail": Row(get=OFFICER_OWN),
    "officer.member_dismiss_proposal": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.member_list": Row(get=OFFICER),
    "officer.member_status": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.moderate_answer": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.moderation": Row(get=OFFICER_OWN),
    "officer.opening_confirm": Row(post=OFFICER_OWN_FORM),
    "officer.opening_request": Row(post=OFFICER_OWN_FORM),
    "officer.price_check": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.price_check_document": Row(get=OFFICER_OWN),
    "officer.price_checks": Row(get=OFFICER_OWN),
    "officer.reconfirmation_list": Row(get=OFFICER),
    "officer.reconfirmation_new": Row(get=OFFICER, post=OFFICER_FORM),
    "officer.reconfirmation_status": Row(get=OFFICER_OWN),
    "officer.tender": Row(get=OFFICER_OWN),
    "officer.tender_copy": Row(post=OFFICER_OWN_FORM),
    "officer.tender_deadlines": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_details": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_document": Row(get=OFFICER_OWN),
    "officer.tender_document_remove": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_documents": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_invitations": Row(get=OFFICER_OWN),
    "officer.tender_list": Row(get=OFFICER),
    "officer.tender_lot": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_lot_remove": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_lots": Row(get=OFFICER_OWN),
    "officer.tender_new": Row(get=OFFICER, post=OFFICER_FORM),
    "officer.tender_opening": Row(get=OFFICER_OWN),
    "officer.tender_price_model": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_publish": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_published": Row(get=OFFICER_OWN),
    "officer.tender_question": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_question_remove": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_question_scale": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_questions": Row(get=OFFICER_OWN),
    "officer.tender_rules": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.tender_timetable": Row(get=OFFICER_OWN, post=OFFICER_OWN_FORM),
    "officer.uplift_approve": Row(post=OFFICER_OWN_FORM),
    "officer.uplift_new": Row(get=OFFICER, post=OFFICER_FORM),
    "officer.uplift_round": Row(get=OFFICER_OWN),
    "officer.uplift_rounds": Row(get=OFFICER),
    # panel
    "panel.answer": Row(get=PANEL, post=PANEL_FORM),
    "panel.dashboard": Row(get=PANEL),
    "panel.declare": Row(get=PANEL, post=PANEL_FORM),
    "panel.finished": Row(get=PANEL),
    "panel.how_it_works": Row(get=PANEL),
    "panel.question": Row(get=PANEL),
    # provider
    "provider.answer": Row(get=PROVIDER, post=PROVIDER_FORM),
    "provider.application_check": Row(get=PROVIDER_A),
    "provider.application_clarification": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.application_confirmation": Row(get=PROVIDER_A),
    "provider.application_cqc": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.application_declaration": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.application_document": Row(get=PROVIDER_A),
    "provider.application_insurance": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.application_insurance_remove": Row(post=PROVIDER_A_FORM),
    "provider.application_organisation": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.application_overview": Row(get=PROVIDER_A),
    "provider.application_questions": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.application_services": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.application_size": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.applications_list": Row(get=PROVIDER),
    "provider.apply": Row(post=PROVIDER_FORM),
    "provider.bid": Row(get=PROVIDER),
    "provider.bid_receipt": Row(get=PROVIDER_A),
    # the tender asks for no call-length rates: a POST is 404 (the GET sends the bidder back)
    "provider.call_rates": Row(get=PROVIDER, post="in 404 404 403 403 403 403 403"),
    "provider.capacity": Row(get=PROVIDER, post=PROVIDER_FORM),
    "provider.check": Row(get=PROVIDER, post=PROVIDER_FORM),
    "provider.clarifications": Row(get=PROVIDER, post=PROVIDER_FORM),
    "provider.cost_calculator": Row(get=PROVIDER),
    "provider.cost_compare": Row(get=PROVIDER),
    "provider.cost_scenario": Row(get=PROVIDER_A),
    "provider.cost_scenario_delete": Row(post=PROVIDER_A_FORM),
    "provider.cost_scenario_rename": Row(post=PROVIDER_A_FORM),
    "provider.cost_scenarios": Row(get=PROVIDER, post=PROVIDER_FORM),
    "provider.costs": Row(get=PROVIDER, post=PROVIDER_FORM),
    "provider.dashboard": Row(get=PROVIDER),
    "provider.document": Row(get=PROVIDER_A),
    "provider.inbox_list": Row(get=PROVIDER),
    "provider.inbox_message": Row(get=PROVIDER_A),
    "provider.partners": Row(get=PROVIDER, post=PROVIDER_FORM),
    "provider.partners_done": Row(post=PROVIDER_FORM),
    "provider.price_explanation": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.price_explanation_document": Row(get=PROVIDER_A),
    "provider.price_explanations": Row(get=PROVIDER),
    "provider.reconfirm": Row(get=PROVIDER_A, post=PROVIDER_A_FORM),
    "provider.remove_partner": Row(post=PROVIDER_FORM),
    "provider.start_bid": Row(post=PROVIDER_FORM),
    "provider.team": Row(get=PROVIDER, post=PROVIDER_FORM),
    "provider.tender": Row(get=PROVIDER),
    "provider.tender_document": Row(get=PROVIDER),
    "provider.tenders": Row(get=PROVIDER),
    "provider.vary": Row(post=PROVIDER_FORM),
    "provider.withdraw": Row(get=PROVIDER, post=PROVIDER_FORM),
    # public
    "public.accessibility": Row(get=PUBLIC),
    "public.assets": Row(get=PUBLIC),
    "public.award": Row(get=NOT_PUBLISHED),  # the award is only proposed: not public yet
    "public.cookies": Row(get=PUBLIC),
    "public.cost_calculator": Row(get=PUBLIC),
    "public.dps_detail": Row(get=PUBLIC),
    "public.dps_index": Row(get=PUBLIC),
    "public.healthz": Row(get=PUBLIC),
    "public.home": Row(get=PUBLIC),
    "public.opportunities": Row(get=PUBLIC),
    "public.opportunity": Row(get=PUBLIC),
    "public.opportunity_document": Row(get=PUBLIC),
    # static
    "static": Row(get=PUBLIC),
}

# URL parameters that mean different objects on different routes: (endpoint prefix, name) -> key.
PARAMS = {
    ("panel.", "question_id"): "panel_question_id",
    ("officer.application_document", "document_id"): "application_document_id",
    ("provider.application_document", "document_id"): "application_document_id",
    ("officer.tender_document", "document_id"): "item_id",  # a TenderDocument's id
    ("public.opportunity_document", "document_id"): "item_id",
    ("officer.price_check_document", "document_id"): "explanation_document_id",
    ("provider.price_explanation_document", "document_id"): "explanation_document_id",
    ("officer.document", "document_id"): "council_document_id",
    ("provider.document", "document_id"): "letter_document_id",
    ("officer.clarification_answer", "clarification_id"): "tender_clarification_id",
    ("provider.application_clarification", "clarification_id"): "application_clarification_id",
    ("provider.", "scenario_id"): "provider_scenario_id",
    ("officer.", "scenario_id"): "council_scenario_id",
    ("officer.inbox_message", "message_id"): "council_message_id",
    ("ocds.dps_package", "reference"): "dps_reference",
    ("public.dps_detail", "reference"): "dps_reference",
    ("", "reference"): "tender_reference",
    ("public.assets", "filename"): "manifest.json",
}
DESTRUCTIVE = ("delete", "remove", "withdraw", "set_enabled")
# Refused roles post first, so an allowed role's change cannot hide a refusal.
POST_ORDER = ("anon", "prov_b", "outsider", "evaluator", "panel", "admin", "officer", "prov_a")


def _value(values: dict, endpoint: str, name: str):
    for (prefix, param), key in PARAMS.items():
        if param == name and endpoint.startswith(prefix):
            return values.get(key, key)
    return values[name]


def _csrf(app, client) -> str:
    """A valid token for the client's session (made as Flask-WTF makes it, no page needed)."""
    with client.session_transaction() as session:
        if "csrf_token" not in session:
            session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
        raw = session["csrf_token"]
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def _classify(response) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        return "in" if response.location.startswith("/sign-in") else "ok"
    if status == 200:
        return "ok"
    return str(status)


def _matches(expected: str, got: str) -> bool:
    if expected == "form":
        return got in ("ok", "400")
    return expected == got


def _requests(app):
    """(endpoint, rule, method) in the order they are made: reads, then writes, sign-out last."""
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    last = [r for r in rules if r.endpoint == "auth.sign_out"]
    rules = [r for r in rules if r.endpoint != "auth.sign_out"]
    reads = [(r.endpoint, r, "GET") for r in rules]
    writes = [(r.endpoint, r, "POST") for r in rules]
    writes.sort(key=lambda item: any(word in item[0] for word in DESTRUCTIVE))
    return reads + writes + [(r.endpoint, r, m) for r in last for m in CHECKED_METHODS[::-1]]


def test_every_route_has_a_row(app):
    missing = sorted({rule.endpoint for rule in app.url_map.iter_rules()} - set(MATRIX))
    assert not missing, "routes without a row in MATRIX (add them): " + ", ".join(missing)
    stale = sorted(set(MATRIX) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert not stale, "rows in MATRIX for routes that no longer exist: " + ", ".join(stale)


def test_every_route_answers_every_role_as_the_matrix_says(app, make_user):
    world = authz_world(app, make_user)
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anon":
            assert sign_in(client, world.users[role]).status_code == 302, role
        clients[role] = client
    discover = os.environ.get("AUTHZ_DISCOVER")
    failures, observed, checked = [], {}, 0
    for endpoint, rule, method in _requests(app):
        values = {name: _value(world.values, endpoint, name) for name in rule.arguments}
        _, path = rule.build(values, append_unknown=False)
        accepts = method in rule.methods
        row = MATRIX.get(endpoint)
        if row is None and not discover:
            continue  # reported by test_every_route_has_a_row
        order = POST_ORDER if method == "POST" else ROLES
        for role in order:
            client = clients[role]
            try:  # the test app propagates exceptions: each one is a 500
                if method == "POST":
                    response = client.post(path, data={"csrf_token": _csrf(app, client)})
                else:
                    response = client.get(path)
                got, error = _classify(response), ""
                if got == "400" and CSRF_REFUSED in response.get_data(as_text=True):
                    got = "csrf"  # the token was refused: the permission check was not reached
                response.close()  # file downloads hold their file open until closed
            except Exception as exc:  # noqa: BLE001 - reported below with its message
                got, error = "500", f"{type(exc).__name__}: {str(exc)[:200]}"
            observed.setdefault((endpoint, method, rule.rule), {})[role] = got
            checked += 1
            if got == "500":
                failures.append(f"{method} {path} ({endpoint}) as {role}: 500 {error}")
                continue
            if discover or row is None:
                continue
            if not accepts:
                expected = "405"
            else:
                expected = row.expected(method)[ROLES.index(role)]
            if not _matches(expected, got):
                failures.append(f"{method} {path} ({endpoint}) as {role}: {got}, not {expected}")
    if discover:
        for (endpoint, method, _rule), answers in sorted(observed.items()):
            print(method, endpoint, " ".join(answers[r] for r in ROLES))
    routed = sum(1 for answers in observed.values() for got in answers.values() if got != "405")
    print(
        f"authz matrix: {len(MATRIX)} endpoints, {len(list(app.url_map.iter_rules()))} rules x "
        f"{len(CHECKED_METHODS)} methods x {len(ROLES)} roles = {checked} requests "
        f"({routed} reached a view or its role check, the rest 405)"
    )
    assert not failures, "\n".join(failures)
