"""Demo data based on the Nottinghamshire paper: a lead council, two NHS partners, staff and ~70
providers, most of them small or micro. Loading twice changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import select

from dps.extensions import db
from dps.models.organisation import Organisation, OrganisationKind, ProviderSize, Role, User
from dps.services import audit
from dps.services.accounts import hash_password
from dps.state.clock import now

DEMO_PASSWORD = "Demo-password-2026"
DEMO_DOMAIN = "commission-demo.example.org"
LEAD = "Nottinghamshire County Council"
PARTNERS = (
    "NHS Nottingham and Nottinghamshire Integrated Care Board",
    "NHS Bassetlaw Place Partnership",
)
STAFF = (
    ("admin", Role.ADMIN, "Alex Morgan", LEAD),
    ("officer", Role.OFFICER, "Olivia Patel", LEAD),
    ("officer2", Role.OFFICER, "Owen Hughes", LEAD),
    ("evaluator", Role.EVALUATOR, "Eve Clarke", LEAD),
    ("evaluator2", Role.EVALUATOR, "Ethan Shah", PARTNERS[0]),
    ("panel", Role.PANEL, "Pat Jenkins", LEAD),
    ("panel2", Role.PANEL, "Priya Walsh", LEAD),
    ("panel3", Role.PANEL, "Peter Doyle", LEAD),
)
DEMO_SIGN_INS = (
    ("Administrator", f"admin@{DEMO_DOMAIN}"),
    ("Procurement officer", f"officer@{DEMO_DOMAIN}"),
    ("Second procurement officer", f"officer2@{DEMO_DOMAIN}"),
    ("Evaluator", f"evaluator@{DEMO_DOMAIN}"),
    ("Experts by Experience panel", f"panel@{DEMO_DOMAIN}"),
    ("Provider user", f"provider@{DEMO_DOMAIN}"),
)
# Staff (not panel or provider) accounts set up two-factor sign-in the first time they sign in:
# scan the QR code with any authenticator app (or type the key shown), then keep the recovery codes.
DEMO_TWO_FACTOR_NOTE = (
    "Administrator, officers and evaluator: at the first sign-in, set up two-factor sign-in with\n"
    "any authenticator app on your phone (scan the QR code or type the key shown).\n"
    "No phone? Use the key shown, without its spaces:\n"
    "  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('KEY-SHOWN-ON-THE-PAGE').now())\"\n"
    "An administrator can reset someone's two-factor sign-in from Accounts."
)
PROVIDER_COUNT = 71  # Nottinghamshire admitted 71 providers to stage 1
# Most are small or micro, as in the paper; a few large national providers.
SIZE_MIX = (
    [ProviderSize.MICRO] * 26
    + [ProviderSize.SMALL] * 28
    + [ProviderSize.MEDIUM] * 12
    + [ProviderSize.LARGE] * 5
)
PLACES = (
    "Ashfield",
    "Bassetlaw",
    "Broxtowe",
    "Gedling",
    "Mansfield",
    "Newark",
    "Rushcliffe",
    "Sherwood",
    "Trent",
    "Retford",
    "Worksop",
    "Hucknall",
    "Bingham",
    "Southwell",
    "Eastwood",
    "Kirkby",
    "Sutton",
    "Arnold",
    "Beeston",
    "Carlton",
    "Ollerton",
    "Blidworth",
    "Collingham",
)
WORDS = (
    "Home Care",
    "Care at Home",
    "Homecare Services",
    "Community Care",
    "Care Partners",
    "Support Services",
    "Home Support",
    "Caring Hands",
    "Care Agency",
    "Domiciliary Care",
)
FIRST = (
    "Sam",
    "Jo",
    "Chris",
    "Amrit",
    "Grace",
    "Tom",
    "Aisha",
    "Ben",
    "Claire",
    "Dev",
    "Ella",
    "Femi",
    "Hannah",
    "Imran",
    "Jess",
    "Kate",
    "Liam",
    "Maya",
    "Nina",
    "Rob",
)
LAST = (
    "Smith",
    "Khan",
    "Brown",
    "Taylor",
    "Wilson",
    "Evans",
    "Ali",
    "Walker",
    "Wright",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Lewis",
    "Young",
    "King",
    "Hill",
    "Scott",
    "Moore",
    "Baker",
)


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, count: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + count

    def describe(self) -> str:
        if not self.created:
            return "Demo data already loaded: nothing to add."
        return "Demo data loaded: " + ", ".join(f"{n} {what}" for what, n in self.created.items())


def provider_names() -> list[tuple[str, ProviderSize]]:
    """The same 71 names and sizes every time (a fixed seed)."""
    rng = random.Random(2017)
    sizes = list(SIZE_MIX)
    rng.shuffle(sizes)
    names: list[str] = []
    while len(names) < PROVIDER_COUNT:
        name = f"{rng.choice(PLACES)} {rng.choice(WORDS)} Ltd"
        if name not in names:
            names.append(name)
    return list(zip(names, sizes, strict=True))


def load_demo() -> DemoSummary:
    from dps.demo_market import load_market

    summary = DemoSummary()
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account keeps it quick
    existing_orgs = {org.name: org for org in db.session.scalars(select(Organisation))}
    existing_users = set(db.session.scalars(select(User.email)))

    def organisation(name: str, **values) -> Organisation:
        if name not in existing_orgs:
            org = Organisation(name=name, legal_name=name, **values)
            db.session.add(org)
            existing_orgs[name] = org
            summary.add("organisations")
        return existing_orgs[name]

    def user(email: str, **values) -> None:
        if email not in existing_users:
            db.session.add(
                User(email=email, password_hash=password_hash, email_confirmed_at=now(), **values)
            )
            existing_users.add(email)
            summary.add("users")

    organisation(
        LEAD,
        kind=OrganisationKind.AUTHORITY,
        is_lead_authority=True,
        contact_email=f"procurement@{DEMO_DOMAIN}",
        address="County Hall, West Bridgford, Nottingham NG2 7QP",
    )
    for partner in PARTNERS:
        organisation(
            partner, kind=OrganisationKind.AUTHORITY, contact_email=f"commissioning@{DEMO_DOMAIN}"
        )
    for local, role, full_name, org_name in STAFF:
        user(
            f"{local}@{DEMO_DOMAIN}",
            full_name=full_name,
            role=role,
            organisation=existing_orgs[org_name],
        )
    rng = random.Random(71)
    for index, (name, size) in enumerate(provider_names(), start=1):
        org = organisation(
            name,
            kind=OrganisationKind.PROVIDER,
            size=size,
            companies_house_number=f"{rng.randrange(10**7, 10**8):08d}",
            cqc_provider_id=f"1-{rng.randrange(10**8, 10**9)}",
            contact_email=f"office{index}@{DEMO_DOMAIN}",
        )
        email = f"provider@{DEMO_DOMAIN}" if index == 1 else f"provider{index}@{DEMO_DOMAIN}"
        user(
            email,
            full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            role=Role.PROVIDER,
            organisation=org,
            is_org_admin=True,
        )
    db.session.flush()
    load_market(summary)
    if summary.created:
        db.session.flush()
        audit.record("demo.loaded", "demo", "1", dict(summary.created))
    db.session.commit()
    return summary
