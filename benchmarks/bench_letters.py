"""Award letters: 1,000 bidders, one approval, 2 rq workers making every letter.

python benchmarks/bench_letters.py prints the figures. It builds everything it needs and removes
it afterwards:

1. A PostgreSQL database of its own (BENCH_LETTERS_DATABASE_URL, default bench_letters on
   127.0.0.1:5432, dropped and recreated at the start, dropped at the end), migrated; Redis
   database 14 (BENCH_LETTERS_REDIS_URL), flushed at the end. Without PostgreSQL or Redis it
   says so in one line and exits 0.
2. A tender in evaluation with 7 lots and 3 quality questions, 1,000 provider organisations
   (one user each) and a proposed award whose results snapshot holds one scored bid per
   provider (about 143 per lot, fixed seed), so every letter has marks, the winner's scores and
   the reasons the winner scored higher.
3. Two `flask dps worker` processes (production settings) are started and registered first, so
   their start-up is not timed. The clock starts when a second officer approves the award
   (1,000 letter rows and outbox jobs in one transaction) and the outbox is handed to rq; it
   stops when the last letter is made (PDF rendered, stored, posted to the inbox, e-mailed).
4. Checks afterwards: 1,000 letters made, 1,000 inbox messages with a PDF, 1,000 e-mails, none
   twice, and the award in standstill.

Target: <= 30 s for 1,000 letters; the mean PDF size is printed too.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_deadline_rush import (  # noqa: E402
    DISTRICTS,
    flush_redis,
    recreate_database,
    settings_env,
    unreachable,
)

LETTERS = 1000
WORKERS = 2
TARGET_S = 30.0
TIMEOUT_S = 600.0
SEED = 2026
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_letters"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
Q = Decimal("0.01")


def build_results(tender, organisations) -> dict:
    """A ready TenderResults (as a dict) with one scored bid per organisation."""
    from dps.services.results_types import BidResult, LotResult, QuestionResult, TenderResults

    rng = random.Random(SEED)
    questions = sorted(tender.questions, key=lambda q: q.number)
    total_weight = sum(Decimal(q.weight) for q in questions)
    by_lot: dict[int, list] = {lot.id: [] for lot in tender.lots}
    lots = sorted(tender.lots, key=lambda lot: lot.number)
    for index, organisation in enumerate(organisations):
        by_lot[lots[index % len(lots)].id].append(organisation)
    lot_results = []
    bid_id = 0
    for lot in lots:
        prices = {org.id: Decimal(rng.randint(2450, 2950)).scaleb(-2) for org in by_lot[lot.id]}
        lowest = min(prices.values())
        rows = []
        for organisation in by_lot[lot.id]:
            bid_id += 1
            marks = []
            for question in questions:
                mark = Decimal(rng.randint(2, question.max_mark))
                points = (
                    mark / question.max_mark * Decimal(question.weight) / total_weight * 60
                ).quantize(Q, ROUND_HALF_UP)
                marks.append(
                    QuestionResult(
                        question.id,
                        question.number,
                        question.text,
                        Decimal(question.weight),
                        question.max_mark,
                        mark,
                        points,
                        "The answer named local recruiters, a rota with spare slots in every "
                        "locality and paid travel time, with evidence from the last year.",
                    )
                )
            quality = sum(m.points for m in marks)
            price_score = (lowest / prices[organisation.id] * 40).quantize(Q, ROUND_HALF_UP)
            rows.append((quality + price_score, organisation, bid_id, marks, quality, price_score))
        rows.sort(key=lambda row: (-row[0], row[2]))
        bids = tuple(
            BidResult(
                bid_id=row_bid,
                organisation_id=organisation.id,
                organisation_name=organisation.name,
                quality_score=quality,
                price=prices[organisation.id],
                price_score=price_score,
                combined=combined,
                position=position,
                excluded=False,
                exclusion_reasons=(),
                won=position == 1,
                reason="Highest total score" if position == 1 else "Ranked lower",
                questions=tuple(marks),
                capacity_hours=Decimal(400),
            )
            for position, (combined, organisation, row_bid, marks, quality, price_score) in (
                enumerate(rows, start=1)
            )
        )
        lot_results.append(
            LotResult(
                lot_id=lot.id,
                number=lot.number,
                title=lot.title,
                hours_per_week=Decimal(lot.hours_per_week),
                providers_to_appoint=1,
                bids=bids,
                winner_bid_ids=(bids[0].bid_id,),
            )
        )
    return TenderResults(
        tender_id=tender.id,
        reference=tender.reference,
        title=tender.title,
        quality_weight=Decimal(60),
        price_weight=Decimal(40),
        lots=tuple(lot_results),
        ready=True,
    )


def prepare(app) -> tuple[int, int]:
    """The tender in evaluation, 1,000 providers and a proposed award; (tender id, approver id)."""
    from dps.extensions import db
    from dps.models import Organisation, OrganisationKind, Role, User
    from dps.models.tender import Tender
    from dps.services import awards
    from dps.state.clock import now
    from tests.dps.stage2_factories import _officer, make_tender

    with app.app_context():
        from dps.cli import upgrade_database

        upgrade_database()
        ids = make_tender(
            reference="BENCH-LETTERS-01",
            lots=tuple((name, (code,)) for name, code in DISTRICTS),
        )
        tender = db.session.get(Tender, ids.tender_id)
        tender.status = "in_evaluation"
        tender.closing_at = tender.opened_at = now()
        organisations = []
        for number in range(LETTERS):
            organisation = Organisation(
                kind=OrganisationKind.PROVIDER,
                name=f"Bench Home Care {number:04d} Ltd",
                legal_name=f"Bench Home Care {number:04d} Limited",
                address=f"{number} Market Street, Mansfield, NG18 1AB",
                size="small",
            )
            organisation.users.append(
                User(
                    email=f"bidder{number:04d}@bench-care.example",
                    full_name=f"Bidder {number:04d}",
                    role=Role.PROVIDER,
                    email_confirmed_at=now(),
                    is_org_admin=True,
                )
            )
            organisations.append(organisation)
        db.session.add_all(organisations)
        db.session.commit()
        results = build_results(tender, organisations)
        proposer = db.session.get(User, tender.created_by_id)
        approver_id = _officer().id
        awards.results_for = lambda tender_id: results  # the bench has no marks to moderate
        awards.propose(tender.id, proposer)
        return tender.id, approver_id


def worker_command(env: dict) -> list[str]:
    """`flask dps worker` (rq's forking Worker, as in production), or with
    BENCH_LETTERS_WORKER=simple rq's SimpleWorker (no fork per job) through the rq CLI."""
    if os.environ.get("BENCH_LETTERS_WORKER") == "simple":
        return [
            *(sys.executable, "-m", "rq.cli", "worker", "--url", env["REDIS_URL"]),
            *("--worker-class", "rq.worker.SimpleWorker", "--with-scheduler", "commission"),
        ]
    return [sys.executable, "-m", "flask", "--app", "wsgi", "dps", "worker"]


def start_workers(env: dict, logs: Path) -> list[subprocess.Popen]:
    processes = []
    for number in range(WORKERS):
        log = (logs / f"worker-{number}.log").open("wb")
        processes.append(
            subprocess.Popen(
                worker_command(env),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return processes


def stop_workers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def bench(database_url: str, redis_url: str, workdir: Path) -> None:
    env = settings_env(database_url, redis_url, workdir / "instance")
    os.environ.update(env)
    from rq import Worker
    from sqlalchemy import func, select

    from dps import create_app
    from dps.extensions import db, queue
    from dps.jobs.outbox import dispatch_pending
    from dps.models import EmailMessage, Message, User
    from dps.models.award import AwardDecision, AwardLetter
    from dps.models.messaging import Document
    from dps.services import awards

    app = create_app(env="production")
    began = time.perf_counter()
    tender_id, approver_id = prepare(app)
    print(
        f"set-up: {LETTERS} providers and a proposed award in {time.perf_counter() - began:.1f} s"
    )

    processes = start_workers({**os.environ, **env}, workdir)
    try:
        with app.app_context():
            deadline = time.monotonic() + 180
            while len(Worker.all(queue=queue.queue)) < WORKERS:
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    raise SystemExit(f"the workers did not start (logs in {workdir})")
                time.sleep(0.2)
            started = time.perf_counter()
            awards.approve(tender_id, db.session.get(User, approver_id))
            dispatch_pending(limit=LETTERS + 10)
            db.session.remove()
            made = failed = 0
            deadline = time.monotonic() + TIMEOUT_S
            while time.monotonic() < deadline:
                counts = dict(
                    db.session.execute(
                        select(AwardLetter.status, func.count()).group_by(AwardLetter.status)
                    ).all()
                )
                db.session.remove()
                made, failed = counts.get("made", 0), counts.get("failed", 0)
                if made + failed >= LETTERS:
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            sizes = db.session.scalars(
                select(Document.size_bytes).where(Document.purpose == "award_letter")
            ).all()
            messages = db.session.scalar(
                select(func.count(Message.id)).where(Message.document_id.is_not(None))
            )
            emails = db.session.scalar(select(func.count(EmailMessage.id)))
            status = db.session.scalar(select(AwardDecision.status))
    finally:
        stop_workers(processes)
    mean_kb = (sum(sizes) / len(sizes) / 1024) if sizes else 0
    verdict = "met" if made == LETTERS and elapsed <= TARGET_S else "NOT met"
    print(
        f"award letters: {made} of {LETTERS} made ({failed} failed) by {WORKERS} rq workers "
        f"({os.environ.get('BENCH_LETTERS_WORKER') or 'flask dps worker'}) in "
        f"{elapsed:.1f} s (target <= {TARGET_S:.0f} s: {verdict}), "
        f"{made / elapsed:.1f} letters/s; mean PDF {mean_kb:.1f} KB"
    )
    print(
        f"checks: {len(sizes)} PDFs, {messages} inbox messages with the PDF, {emails} e-mails, "
        f"award {status}"
    )
    if (len(sizes), messages, emails) != (made, made, made):
        print("CHECK FAILED: letters, messages and e-mails do not match one to one")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    database_url = os.environ.get("BENCH_LETTERS_DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("BENCH_LETTERS_REDIS_URL") or DEFAULT_REDIS_URL
    reason = unreachable(database_url, redis_url)
    if reason:
        print(f"award letters: skipped, {reason}")
        return
    recreate_database(database_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    try:
        bench(database_url, redis_url, workdir)
    finally:
        from dps.extensions import db

        try:
            db.session.remove()
        except Exception:  # noqa: BLE001 - no app context left
            pass
        recreate_database(database_url, create=False)
        flush_redis(redis_url)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
