"""The market intelligence dashboard at demo scale: python benchmarks/bench_dashboard.py prints
the time one officer's page takes.

1. A PostgreSQL database of its own (BENCH_DASHBOARD_DATABASE_URL, default bench_dashboard on
   127.0.0.1:5432, dropped and recreated at the start, dropped at the end), migrated. Without
   PostgreSQL it says so in one line and exits 0.
2. Bulk inserts (one executemany per table) from a fixed seed: the Nottinghamshire DPS (9
   services, 11 zones), 1,000 providers admitted to 1-3 zones for 1-2 services (5% suspended),
   1,400 CQC ratings, 1,200 applications (decided on time, late, or waiting), 50 opened tenders
   with 5 lots each, 50,000 submitted bids with a checked hourly price each, 500 contracts.
3. The page through the Flask test client, signed in as an officer of the lead authority: one
   warm-up, then 20 timed requests of the whole page, and 20 with a service and zone filter.

Target: the median page under 300 ms. The wall time includes waiting for a CPU, so the script
also prints the CPU one page costs (this process plus the database backends, from Linux /proc)
and the load average: on a busy machine the CPU figure is the one to compare with the target.
"""

from __future__ import annotations

import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_dashboard"
PROVIDERS = 1_000
TENDERS = 50
LOTS_PER_TENDER = 5
BIDS_PER_LOT = 200  # 50 x 5 x 200 = 50,000 bids
APPLICATIONS = 1_200
RUNS = 20
TARGET_MS = 300.0
SEED = 2026
PASSWORD = "Bench-dashboard-password-2026"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def unreachable(database_url: str) -> str | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(database_url).set(database="postgres")
    try:
        engine = create_engine(admin, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return f"PostgreSQL is not reachable at {admin.render_as_string()} ({type(exc).__name__})"
    return None


def recreate_database(database_url: str, create: bool = True) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", url.database or ""):
        raise SystemExit(f"bench database name {url.database!r} must be lower-case letters")
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    engine.dispose()


def _ids(model, column, values) -> dict:
    from sqlalchemy import select

    from dps.extensions import db

    return dict(db.session.execute(select(column, model.id).where(column.in_(values))).all())


def build(app, rng: random.Random) -> tuple[int, str]:
    """The demo-scale market; returns the DPS id and the officer's e-mail."""
    from sqlalchemy import insert

    from dps.cli import upgrade_database
    from dps.extensions import db
    from dps.models import Bid, Lot, Membership, MembershipScope, Organisation, Tender, User
    from dps.models.award import Contract
    from dps.models.evaluation import PriceReview
    from dps.models.provider import Application, CqcRating
    from dps.models.tender import lot_zone
    from dps.services.accounts import hash_password
    from dps.services.dps_setup import create_dps, publish_dps
    from dps.state.clock import now

    with app.app_context():
        upgrade_database()
        council = Organisation(kind="authority", name="Bench Council", is_lead_authority=True)
        officer = User(
            email="officer@bench.example",
            full_name="Bench Officer",
            role="officer",
            organisation=council,
            password_hash=hash_password(PASSWORD),
            email_confirmed_at=now(),
        )
        db.session.add_all([council, officer])
        db.session.commit()
        dps, _ = create_dps(
            officer,
            reference="BENCH-DPS-01",
            title="Home care (benchmark)",
            description="Demo-scale market.",
            regime="pcr2015_dps",
            lead_authority_id=council.id,
            partner_ids=[],
            starts_on=date(2026, 1, 5),
        )
        publish_dps(officer, dps.id)
        zone_ids = [zone.id for zone in dps.zones]
        category_ids = [category.id for category in dps.categories]
        sizes = ("micro", "small", "medium", "large")

        names = [f"Bench Care {n:04d} Ltd" for n in range(PROVIDERS)]
        db.session.execute(
            insert(Organisation),
            [
                {"kind": "provider", "name": name, "legal_name": name, "size": rng.choice(sizes)}
                for name in names
            ],
        )
        org_ids = list(_ids(Organisation, Organisation.name, names).values())
        db.session.execute(
            insert(Membership),
            [
                {
                    "dps_id": dps.id,
                    "organisation_id": org_id,
                    "status": "suspended" if rng.random() < 0.05 else "active",
                }
                for org_id in org_ids
            ],
        )
        memberships = _ids(Membership, Membership.organisation_id, org_ids)
        scopes = []
        for membership_id in memberships.values():
            for zone_id in rng.sample(zone_ids[:8], rng.randint(1, 3)):
                for category_id in rng.sample(category_ids[:3], rng.randint(1, 2)):
                    scopes.append(
                        {
                            "membership_id": membership_id,
                            "zone_id": zone_id,
                            "category_id": category_id,
                        }
                    )
        db.session.execute(insert(MembershipScope), scopes)
        ratings = ("Outstanding", "Good", "Good", "Good", "Requires improvement", "Inadequate")
        db.session.execute(
            insert(CqcRating),
            [
                {
                    "organisation_id": rng.choice(org_ids),
                    "rating": rng.choice(ratings),
                    "rated_on": date(2023, 1, 1) + timedelta(days=rng.randint(0, 900)),
                }
                for _ in range(1_400)
            ],
        )
        applications = []
        for number in range(APPLICATIONS):
            submitted = datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(hours=rng.randint(0, 3000))
            status = rng.choice(("admitted", "admitted", "rejected", "submitted", "clarification"))
            decided = submitted + timedelta(days=rng.randint(3, 20))
            applications.append(
                {
                    "reference": f"BENCH-APP-{number:05d}",
                    "dps_id": dps.id,
                    "organisation_id": rng.choice(org_ids),
                    "status": status,
                    "submitted_at": submitted,
                    "decision_due_on": submitted.date() + timedelta(days=14),
                    "decided_at": decided if status in ("admitted", "rejected") else None,
                }
            )
        db.session.execute(insert(Application), applications)

        tender_refs = [f"BENCH-T-{n:03d}" for n in range(TENDERS)]
        db.session.execute(
            insert(Tender),
            [
                {
                    "dps_id": dps.id,
                    "reference": reference,
                    "title": f"Call-off {reference}",
                    "category_id": category_ids[n % 3],
                    "status": "in_evaluation",
                    "cost_template": "{}",
                    "benchmark_rate": Decimal("25.50") + Decimal(n % 5) / 10,
                    "closing_at": now(),
                    "opened_at": now(),
                }
                for n, reference in enumerate(tender_refs)
            ],
        )
        tenders = _ids(Tender, Tender.reference, tender_refs)
        db.session.execute(
            insert(Lot),
            [
                {
                    "tender_id": tender_id,
                    "number": number,
                    "title": f"Lot {number}",
                    "hours_per_week": Decimal("400"),
                    "contract_start_on": date(2026, 4, 1),
                    "contract_end_on": date(2029, 3, 31),
                }
                for tender_id in tenders.values()
                for number in range(1, LOTS_PER_TENDER + 1)
            ],
        )
        lots = db.session.execute(
            db.select(Lot.id, Lot.tender_id).where(Lot.tender_id.in_(list(tenders.values())))
        ).all()
        db.session.execute(
            insert(lot_zone),
            [
                {"lot_id": lot_id, "zone_id": zone_id}
                for lot_id, _ in lots
                for zone_id in rng.sample(zone_ids, rng.randint(1, 2))
            ],
        )
        bids = [
            {
                "tender_id": tender_id,
                "lot_id": lot_id,
                "organisation_id": org_id,
                "status": "submitted",
                "submitted_version": 1,
                "submitted_at": now(),
            }
            for lot_id, tender_id in lots
            for org_id in rng.sample(org_ids, BIDS_PER_LOT)
        ]
        db.session.execute(insert(Bid), bids)
        db.session.execute(
            insert(PriceReview),
            [
                {
                    "tender_id": tender_id,
                    "bid_id": bid_id,
                    "hourly_price": Decimal(rng.randint(1800, 3200)) / 100,
                    "findings": "[]",
                }
                for bid_id, tender_id in db.session.execute(db.select(Bid.id, Bid.tender_id))
            ],
        )
        db.session.execute(
            insert(Contract),
            [
                {
                    "tender_id": tender_id,
                    "lot_id": lot_id,
                    "organisation_id": org_id,
                    "reference": f"BENCH-C-{lot_id}-{org_id}",
                    "start_on": date(2026, 4, 1),
                    "end_on": date(2029, 3, 31),
                    "hourly_rate": Decimal("26.10"),
                    "hours_per_week": Decimal(rng.randint(50, 200)),
                }
                for lot_id, tender_id in lots
                for org_id in rng.sample(org_ids, 2)
            ],
        )
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        counts = {
            table: db.session.execute(db.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("membership", "membership_scope", "bid", "price_review", "contract")
        }
        dps_id, email = dps.id, officer.email
        db.session.remove()
        print("set-up: " + ", ".join(f"{count:,} {table}" for table, count in counts.items()))
        return dps_id, email


def database_cpu_seconds(database: str) -> float | None:
    """CPU time used so far by the PostgreSQL backends serving the bench database (Linux /proc;
    None elsewhere), so a busy machine's waiting is not counted as the page's work."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            if not title.startswith(b"postgres:") or f" {database} ".encode() not in title:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime and stime
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def timed(client, url: str, database: str) -> tuple[list[float], float | None]:
    """Wall times of RUNS requests, and the CPU one page costs (app process + database)."""
    response = client.get(url)  # warm-up: templates compiled, connections open
    assert response.status_code == 200, response.status_code
    times = []
    app_cpu, db_cpu = time.process_time(), database_cpu_seconds(database)
    for _ in range(RUNS):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    app_cpu = time.process_time() - app_cpu
    db_after = database_cpu_seconds(database)
    if db_cpu is None or db_after is None:
        return times, None
    return times, (app_cpu + db_after - db_cpu) * 1000 / RUNS


def bench(database_url: str, workdir: Path) -> None:
    from sqlalchemy.engine import make_url

    from dps import create_app

    os.environ.update(
        {
            "SECRET_KEY": os.urandom(32).hex(),
            "DATABASE_URL": database_url,
            "REDIS_URL": "redis://127.0.0.1:6379/15",  # the page never queues anything
            "SESSION_COOKIE_SECURE": "false",  # the test client speaks plain HTTP
            "UPLOAD_FOLDER": str(workdir / "uploads"),
            "MAIL_SERVER": "",
        }
    )
    app = create_app({"INSTANCE_PATH": str(workdir)}, env="production")
    began = time.perf_counter()
    dps_id, email = build(app, random.Random(SEED))
    print(f"set-up took {time.perf_counter() - began:.1f} s")
    client = app.test_client()
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    signed_in = client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302, signed_in.status_code
    url = f"/officer/dps/{dps_id}/market"
    for label, query in (("whole DPS", ""), ("one service, one zone", "?category={c}&zone={z}")):
        if query:
            with app.app_context():
                from dps.extensions import db
                from dps.models import DynamicPurchasingSystem

                dps = db.session.get(DynamicPurchasingSystem, dps_id)
                query = query.format(c=dps.categories[0].id, z=dps.zones[0].id)
                db.session.remove()
        times, cpu = timed(client, url + query, make_url(database_url).database)
        median = statistics.median(times)
        verdict = "met" if median < TARGET_MS else "NOT met"
        print(
            f"market dashboard ({label}, {PROVIDERS:,} providers, "
            f"{TENDERS * LOTS_PER_TENDER * BIDS_PER_LOT:,} bids): median {median:.0f} ms, "
            f"max {max(times):.0f} ms over {RUNS} requests "
            f"(target < {TARGET_MS:.0f} ms: {verdict}); "
            + ("" if cpu is None else f"CPU per page {cpu:.0f} ms (app and database); ")
            + f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
    with app.app_context():
        from dps.extensions import db

        db.session.remove()
        db.engine.dispose()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    database_url = os.environ.get("BENCH_DASHBOARD_DATABASE_URL") or DEFAULT_DATABASE_URL
    reason = unreachable(database_url)
    if reason:
        print(f"market dashboard: skipped, {reason}")
        return
    recreate_database(database_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    try:
        bench(database_url, workdir)
    finally:
        recreate_database(database_url, create=False)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
