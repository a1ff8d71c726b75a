"""The deadline rush: 500 providers submit their bids in the last minute before a tender closes.

python benchmarks/bench_deadline_rush.py prints the figures. It builds everything it needs and
removes it afterwards:

1. A PostgreSQL database of its own (BENCH_DATABASE_URL, default bench_rush on 127.0.0.1:5432,
   dropped and recreated at the start, dropped at the end), migrated; Redis database 15
   (BENCH_REDIS_URL), flushed at the end. Without PostgreSQL or Redis it says so and exits 0.
2. A published DPS and one tender with 7 lots (one per district); 500 provider organisations,
   each with one user (one argon2 hash shared by all), admitted to one district, invited as
   publishing invites, with a complete draft bid saved through the bid service, so that the rush
   is the final submission only.
3. The platform under gunicorn -w 2 with production settings (SECRET_KEY, DATABASE_URL,
   REDIS_URL; session cookies allowed over plain HTTP, as this is loopback only). Every provider
   gets beforehand the signed-in session cookie and submit-form CSRF token a real sign-in would
   give it, made in-process with the app's key (`mint_sessions`: 500 argon2 sign-ins took 7
   minutes on a busy 2-CPU machine and are not what is measured); BENCH_RUSH_SIGN_IN=http signs
   each one in over HTTP and opens its "check your bid" page instead.
4. The rush: 500 real POSTs of the submit form spread over 60 seconds, arrival times from a
   fixed seed skewed to the end (the time left before the deadline is exponential, mean 15 s:
   229 of the 500 come in the last 10 s, 25 in the last second), at most 50 in flight. The
   tender closes 30 s after the window. Latency runs from each request's scheduled arrival to
   its response, so time spent waiting for a free slot counts. Hard limit: 180 s.
5. The database afterwards: submitted bids, versions and receipt references (none lost, none
   twice) and the audit chain.
6. The baseline: benchmarks/rush_baseline_app.py (one INSERT per request) under gunicorn -w 2 on
   the same database, given the same arrival pattern.

Targets: 0 lost or duplicated, p95 <= 300 ms, p95 rush / p95 bare insert <= 3. Both runs also
print the gunicorn workers' CPU per request (read from /proc), which other load on the machine
inflates far less than latency; benchmarks/rush_statements.py counts one submission's SQL.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROVIDERS = 500
WINDOW_S = 60.0
MEAN_BEFORE_DEADLINE_S = 15.0
CONCURRENCY = 50
RUSH_TIMEOUT_S = 180.0
REQUEST_TIMEOUT_S = 30.0
CLOSING_MARGIN_S = 30.0  # the tender closes this long after the last arrival may come
SEED = 2026
P95_TARGET_MS = 300.0
RATIO_TARGET = 3.0
PASSWORD = "Bench-rush-password-2026"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_rush"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
DISTRICTS = (
    ("Ashfield", "ashfield"),
    ("Bassetlaw", "bassetlaw"),
    ("Broxtowe", "broxtowe"),
    ("Gedling", "gedling"),
    ("Mansfield", "mansfield"),
    ("Newark and Sherwood", "newark_sherwood"),
    ("Rushcliffe", "rushcliffe"),
)
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RECEIPT_RE = re.compile(r"/provider/bids/\d+/receipts/1$")


@dataclass
class Bidder:
    email: str
    tender_id: int
    lot_id: int
    bid_id: int
    client: object | None = None
    csrf_token: str = ""

    @property
    def check_url(self) -> str:
        return f"/provider/tenders/{self.tender_id}/lots/{self.lot_id}/bid/check"


@dataclass
class Outcome:
    latency_ms: float
    ok: bool
    problem: str = ""


# --- the database and Redis -------------------------------------------------------------------


def unreachable(database_url: str, redis_url: str) -> str | None:
    """Why the benchmark cannot run here, or None."""
    import redis
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
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis is not reachable at {redis_url} ({type(exc).__name__})"
    return None


def _admin_engine(database_url: str):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = make_url(database_url).set(database="postgres")
    return create_engine(admin, isolation_level="AUTOCOMMIT"), make_url(database_url).database


def recreate_database(database_url: str, create: bool = True) -> None:
    from sqlalchemy import text

    engine, name = _admin_engine(database_url)
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name or ""):
        raise SystemExit(f"bench database name {name!r} must be lower-case letters and digits")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url, socket_connect_timeout=3).flushdb()


# --- the tender, the providers and their drafts -----------------------------------------------


def full_content(question_ids: list[int]) -> dict:
    """A bid that passes every check: answers, costs, call rates, capacity, no partners."""
    from evaluation.costs import UKHCA_STYLE_2026

    costs = {name: str(value) for name, value in UKHCA_STYLE_2026.defaults().items()}
    costs["basic_pay"] = "13.87"
    answer = (
        "We start packages within a day because our coordinators hold spare rota slots in every "
        "locality, and we recruit drivers locally with paid travel time and fuel cards."
    )
    return {
        "answers": {str(qid): f"{answer} Answer {n}." for n, qid in enumerate(question_ids)},
        "cost_inputs": costs,
        "call_rates": {"15": "6.10", "30": "11.20", "45": "16.30", "60": "21.40"},
        "capacity_hours": "300",
        "subcontractors": [],
    }


def prepare(app, providers: int = PROVIDERS) -> list[Bidder]:
    """Tender, 500 admitted and invited providers, each with a complete draft bid."""
    from sqlalchemy import select

    from dps.extensions import db
    from dps.models import Invitation, Membership, Organisation, OrganisationKind, Role, User
    from dps.models.dps import Zone
    from dps.models.provider import MembershipScope
    from dps.models.tender import Tender
    from dps.services import bids
    from dps.services.accounts import hash_password
    from dps.services.tenders import invitees
    from dps.state.clock import now
    from tests.dps.stage2_factories import make_tender

    with app.app_context():
        from dps.cli import upgrade_database

        upgrade_database()
        ids = make_tender(
            reference="BENCH-RUSH-01", lots=tuple((name, (code,)) for name, code in DISTRICTS)
        )
        tender = db.session.get(Tender, ids.tender_id)
        zones = {
            zone.code: zone.id
            for zone in db.session.scalars(select(Zone).where(Zone.dps_id == tender.dps_id))
        }
        password_hash = hash_password(PASSWORD)
        emails = []
        for number in range(providers):
            organisation = Organisation(
                kind=OrganisationKind.PROVIDER,
                name=f"Rush Care {number:03d} Ltd",
                legal_name=f"Rush Care {number:03d} Ltd",
                size="small",
            )
            email = f"bidder{number:03d}@rush.example.com"
            emails.append(email)
            organisation.users.append(
                User(
                    email=email,
                    full_name=f"Bidder {number:03d}",
                    role=Role.PROVIDER,
                    password_hash=password_hash,
                    email_confirmed_at=now(),
                    is_org_admin=True,
                )
            )
            membership = Membership(dps_id=tender.dps_id, organisation=organisation)
            membership.scopes.append(
                MembershipScope(
                    category_id=tender.category_id,
                    zone_id=zones[DISTRICTS[number % len(DISTRICTS)][1]],
                )
            )
            db.session.add_all([organisation, membership])
        db.session.commit()
        for organisation_id, lot_ids in invitees(tender).items():  # as publishing invites
            db.session.add(
                Invitation(
                    tender_id=tender.id,
                    organisation_id=organisation_id,
                    lot_ids=json.dumps(lot_ids),
                    invited_at=tender.published_at,
                )
            )
        db.session.commit()
        content = full_content(ids.question_ids)
        users = db.session.scalars(select(User).where(User.email.in_(emails))).all()
        bidders = []
        for user in sorted(users, key=lambda u: u.email):
            invitation = db.session.scalar(
                select(Invitation).where(Invitation.organisation_id == user.organisation_id)
            )
            [lot_id] = json.loads(invitation.lot_ids)
            bid = bids.start_or_resume_bid(tender.id, lot_id, user.organisation_id, actor=user)
            bids.save_draft(bid.id, user.organisation_id, user, content)
            bidders.append(Bidder(user.email, tender.id, lot_id, bid.id))
        db.session.remove()
        return bidders


def set_closing(app, tender_id: int, closing_at) -> None:
    from dps.extensions import db
    from dps.models.tender import Tender

    with app.app_context():
        db.session.get(Tender, tender_id).closing_at = closing_at
        db.session.commit()
        db.session.remove()


def stored(app, tender_id: int) -> dict:
    """What the database holds after the rush."""
    from sqlalchemy import func, select

    from dps.extensions import db
    from dps.models.bid import Bid, BidVersion
    from dps.services import audit

    with app.app_context():
        submitted = db.session.scalar(
            select(func.count(Bid.id)).where(Bid.tender_id == tender_id, Bid.status == "submitted")
        )
        versions = db.session.execute(
            select(
                func.count(BidVersion.id),
                func.count(func.distinct(BidVersion.receipt_reference)),
                func.count(func.distinct(BidVersion.bid_id)),
            )
            .join(Bid, Bid.id == BidVersion.bid_id)
            .where(Bid.tender_id == tender_id)
        ).one()
        chain = audit.verify()
        db.session.remove()
    total, references, bids_with_versions = versions
    return {
        "submitted": submitted,
        "versions": total,
        "duplicates": total - bids_with_versions + (total - references),
        "chain": str(chain),
    }


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict, log_path: Path, chdir: Path = ROOT):
    """gunicorn -w 2 on a free loopback port; yields the base URL; stopped (TERM, wait) after."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--chdir",
        str(chdir),
        app_spec,
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log_path)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_healthy(base: str, process: subprocess.Popen, log_path: Path, limit: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not healthy after {limit} s: {log_path.read_text()[-2000:]}")


# --- the clients ------------------------------------------------------------------------------


def _csrf(response) -> str:
    match = CSRF_RE.search(response.text)
    if response.status_code != 200 or not match:
        raise RuntimeError(f"no CSRF token on {response.request.url} ({response.status_code})")
    return match.group(1)


def sign_in(base: str, bidder: Bidder) -> None:
    """Sign in and open the check page: the session and the submit form's token are kept."""
    import httpx

    client = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S, follow_redirects=False)
    token = _csrf(client.get("/sign-in"))
    response = client.post(
        "/sign-in", data={"email": bidder.email, "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError(f"{bidder.email} could not sign in ({response.status_code})")
    bidder.csrf_token = _csrf(client.get(bidder.check_url))
    bidder.client = client


def mint_sessions(app, bidders: list[Bidder], base: str) -> None:
    """Give each bidder a signed-in session and its submit form's token without the HTTP sign-in.

    What Flask-Login and Flask-WTF would put in the session cookie after a real sign-in (the user
    id with its token version, the "strong" session identifier for this client's address and
    user agent, the CSRF secret), signed with the app's key. Sign-in is not what the rush
    measures, and 500 argon2 verifications take minutes on a busy 2-CPU machine; BENCH_RUSH_SIGN_IN
    =http signs in over HTTP instead (`sign_in`).
    """
    import httpx
    from flask import g, session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import select

    from dps.extensions import db
    from dps.models import User

    user_agent = f"python-httpx/{httpx.__version__}"
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = app.config.get("SESSION_COOKIE_NAME", "session")
    with app.test_request_context(
        "/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": user_agent}
    ):
        users = {
            user.email: user
            for user in db.session.scalars(
                select(User).where(User.email.in_([bidder.email for bidder in bidders]))
            )
        }
        for bidder in bidders:
            session.clear()
            g.pop("csrf_token", None)
            login_user(users[bidder.email])
            session.permanent = True
            bidder.csrf_token = generate_csrf()
            bidder.client = httpx.Client(
                base_url=base,
                timeout=REQUEST_TIMEOUT_S,
                follow_redirects=False,
                cookies={cookie: serializer.dumps(dict(session))},
            )
        db.session.remove()


def arrivals(count: int, window: float, mean_before_deadline: float, seed: int) -> list[float]:
    """Seconds from the start of the window: the time left before the deadline is exponential
    (truncated to the window), so most requests come in the last seconds."""
    rng = random.Random(seed)
    times = []
    while len(times) < count:
        left = rng.expovariate(1 / mean_before_deadline)
        if left < window:
            times.append(window - left)
    return sorted(times)


def run_rush(schedule: list[float], send) -> tuple[list[Outcome], float]:
    """Call send(i) at each scheduled time (open loop, at most CONCURRENCY in flight).

    Returns the outcomes (latency from the scheduled time) and the wall time from the start of
    the window to the last response. Whatever has not answered by RUSH_TIMEOUT_S is an error.
    """
    started = time.perf_counter()
    outcomes: list[Outcome | None] = [None] * len(schedule)

    def call(index: int) -> None:
        due = started + schedule[index]
        try:
            ok, problem = send(index)
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the rush
            ok, problem = False, type(exc).__name__
        outcomes[index] = Outcome((time.perf_counter() - due) * 1000, ok, problem)

    pool = ThreadPoolExecutor(max_workers=CONCURRENCY)
    futures = []
    for index, offset in enumerate(schedule):
        delay = started + offset - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        futures.append(pool.submit(call, index))
    wait(futures, timeout=max(0.0, started + RUSH_TIMEOUT_S - time.perf_counter()))
    pool.shutdown(wait=False, cancel_futures=True)
    elapsed = time.perf_counter() - started
    results = [
        outcome or Outcome(RUSH_TIMEOUT_S * 1000, False, "no answer in time")
        for outcome in outcomes
    ]
    return results, elapsed


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far; (0, 0) where /proc/stat is missing."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_since(before: tuple[int, int]) -> str:
    """How busy the machine's CPUs were (this benchmark, PostgreSQL and anything else)."""
    busy, total = cpu_ticks()
    if total == before[1]:
        return "CPU use unknown"
    share = (busy - before[0]) / (total - before[1]) * 100
    return f"CPUs {share:.0f}% busy ({os.cpu_count()} CPUs)"


def workers_cpu_s(process: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn's workers (the master's children); 0 without /proc.

    Per request, this is what the machine's other load cannot inflate much, unlike latency."""
    try:
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        ticks = 0
        for child in children:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return 0.0
    return ticks / os.sysconf("SC_CLK_TCK")


def per_request(cpu_s: float) -> str:
    return f"; gunicorn workers' CPU {cpu_s * 1000 / PROVIDERS:.1f} ms per request"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def summary(outcomes: list[Outcome]) -> tuple[dict[str, float], int, str]:
    latencies = [o.latency_ms for o in outcomes]
    figures = {f"p{p}": percentile(latencies, p) for p in (50, 95, 99)}
    failures = Counter(o.problem for o in outcomes if not o.ok)
    detail = ", ".join(f"{problem} x{n}" for problem, n in failures.most_common(4))
    return figures, sum(failures.values()), f" ({detail})" if detail else ""


def peak_rate(schedule: list[float]) -> int:
    """The most arrivals in any one second of the window."""
    return max(Counter(int(t) for t in schedule).values())


# --- the benchmark ----------------------------------------------------------------------------


def settings_env(database_url: str, redis_url: str, instance: Path) -> dict[str, str]:
    return {
        "COMMISSION_ENV": "production",
        "COMMISSION_INSTANCE": str(instance),
        "SECRET_KEY": os.urandom(32).hex(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SESSION_COOKIE_SECURE": "false",  # loopback over plain HTTP
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "MAIL_SERVER": "",  # receipts are stored (the outbox), not sent
    }


def bench(database_url: str, redis_url: str, workdir: Path) -> None:
    import httpx
    from sqlalchemy import create_engine, text

    from benchmarks.rush_baseline_app import CREATE_TABLE, TABLE

    env = settings_env(database_url, redis_url, workdir / "instance")
    os.environ.update(env)
    from dps import create_app
    from dps.state.clock import now

    app = create_app(env="production")
    began = time.perf_counter()
    bidders = prepare(app)
    print(
        f"set-up: {len(bidders)} providers admitted, invited to 1 of {len(DISTRICTS)} lots and "
        f"holding complete drafts in {time.perf_counter() - began:.1f} s"
    )
    schedule = arrivals(PROVIDERS, WINDOW_S, MEAN_BEFORE_DEADLINE_S, SEED)
    order = list(bidders)
    random.Random(SEED).shuffle(order)
    gunicorn_env = {**os.environ, **env}

    with gunicorn("wsgi:app", gunicorn_env, workdir / "gunicorn-app.log") as (base, _process):
        began = time.perf_counter()
        if os.environ.get("BENCH_RUSH_SIGN_IN") == "http":
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda bidder: sign_in(base, bidder), order))
            how = "signed in over HTTP with their submit forms open"
        else:
            mint_sessions(app, order, base)
            how = "given signed-in sessions and submit-form tokens"
        print(f"sign-in: {len(order)} providers {how} in {time.perf_counter() - began:.1f} s")
        from datetime import timedelta

        set_closing(
            app,
            order[0].tender_id,
            now() + timedelta(seconds=WINDOW_S + CLOSING_MARGIN_S),
        )

        def submit(index: int) -> tuple[bool, str]:
            bidder = order[index]
            response = bidder.client.post(bidder.check_url, data={"csrf_token": bidder.csrf_token})
            location = response.headers.get("location", "")
            if response.status_code == 302 and RECEIPT_RE.search(location):
                return True, ""
            return False, f"HTTP {response.status_code}"

        ticks, worker_cpu = cpu_ticks(), workers_cpu_s(_process)
        outcomes, elapsed = run_rush(schedule, submit)
        cpu = busy_since(ticks)
        cpu += per_request(workers_cpu_s(_process) - worker_cpu)
        for bidder in order:
            bidder.client.close()
    held = stored(app, order[0].tender_id)
    figures, errors, detail = summary(outcomes)
    print(
        f"deadline rush: {PROVIDERS} bids in {elapsed:.1f} s (peak {peak_rate(schedule)}/s), "
        f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, p99 {figures['p99']:.0f} ms, "
        f"errors {errors}{detail}, stored {held['submitted']}/{PROVIDERS}, "
        f"versions {held['versions']}, duplicates {held['duplicates']} "
        f"(targets: p95 <= {P95_TARGET_MS:.0f} ms, 0 lost or duplicated); "
        f"audit {held['chain']}; {cpu}"
    )

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(CREATE_TABLE))
    with gunicorn(
        "rush_baseline_app:app", gunicorn_env, workdir / "gunicorn-bare.log", ROOT / "benchmarks"
    ) as (base, _process):
        client = httpx.Client(
            base_url=base,
            timeout=REQUEST_TIMEOUT_S,
            limits=httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=0),
        )

        def insert(index: int) -> tuple[bool, str]:
            response = client.post("/insert", data={"provider": str(index)})
            return response.status_code == 201, f"HTTP {response.status_code}"

        ticks, worker_cpu = cpu_ticks(), workers_cpu_s(_process)
        bare, _ = run_rush(schedule, insert)
        bare_cpu = busy_since(ticks)
        bare_cpu += per_request(workers_cpu_s(_process) - worker_cpu)
        client.close()
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT count(*) FROM {TABLE}")).scalar_one()
    engine.dispose()
    bare_figures, bare_errors, bare_detail = summary(bare)
    print(
        f"bare insert:  p50 {bare_figures['p50']:.0f} ms, p95 {bare_figures['p95']:.0f} ms, "
        f"p99 {bare_figures['p99']:.0f} ms, errors {bare_errors}{bare_detail}, "
        f"stored {rows}/{PROVIDERS}; {bare_cpu}"
    )
    ratios = {key: figures[key] / max(bare_figures[key], 0.001) for key in figures}
    print(
        f"ratio p95 rush / bare: {ratios['p95']:.1f} (target <= {RATIO_TARGET:.0f}); "
        f"p50 {ratios['p50']:.1f}, p99 {ratios['p99']:.1f}"
    )
    with app.app_context():
        from dps.extensions import db

        db.session.remove()
        db.engine.dispose()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)  # and so the migrations do not log each step
    try:
        import httpx  # noqa: F401 - a test extra
    except ImportError:
        print("deadline rush: skipped, httpx is not installed (make install-test)")
        return
    database_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    reason = unreachable(database_url, redis_url)
    if reason:
        print(f"deadline rush: skipped, {reason}")
        return
    recreate_database(database_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-rush-"))
    try:
        bench(database_url, redis_url, workdir)
    finally:
        recreate_database(database_url, create=False)
        flush_redis(redis_url)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
