"""Award letter jobs: each letter made exactly once, in one transaction, from ids only.

The first statement of the job is an UPDATE of the letter row that only matches while it is not
yet made: on PostgreSQL it row-locks the letter (a second worker waits, then matches nothing);
on SQLite it takes the write lock (writers are serialised). The PDF, the stored document, the
inbox message, the e-mails and the "made" mark then commit together or not at all, so a worker
killed mid-job leaves the letter pending for a retry, and a rerun of a made letter does nothing.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select, update

from dps.documents.letters import render_letter
from dps.extensions import db, queue
from dps.jobs.context import app_context
from dps.models.award import AwardDecision, AwardLetter
from dps.models.messaging import OutboxJob
from dps.models.organisation import User
from dps.services import audit, inbox
from dps.services.award_letters import letter_data, message_text, snapshot_for
from dps.services.documents import store_bytes
from dps.services.mail import send_email
from dps.services.notices import link
from dps.state.award import AWARD_TRANSITIONS
from dps.state.clock import now
from dps.state.machine import fire

log = logging.getLogger(__name__)


def make_award_letter(letter_id: int) -> str:
    """Make, store, post and e-mail one award letter; safe to run any number of times."""
    with app_context():
        try:
            return _make(letter_id)
        except Exception as exc:
            db.session.rollback()
            _record_failure(letter_id, exc)
            raise


def _claim(letter_id: int) -> AwardLetter | None:
    """Lock the letter if it still needs making (see the module docstring), else None."""
    claimed = db.session.execute(
        update(AwardLetter)
        .where(AwardLetter.id == letter_id, AwardLetter.status != "made")
        .values(attempts=AwardLetter.attempts + 1)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return None
    return db.session.scalar(
        select(AwardLetter)
        .where(AwardLetter.id == letter_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _file_name(reference: str, organisation: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", organisation).strip("-")[:60] or "bidder"
    return f"{reference}-award-letter-{slug}.pdf"


def _make(letter_id: int) -> str:
    letter = _claim(letter_id)
    if letter is None:
        return "already made"
    award = letter.award
    tender = award.tender
    bidder = letter.organisation
    results, ranked = snapshot_for(award, bidder.id)
    data = letter_data(award, tender, bidder, results, ranked)
    pdf = render_letter(data)
    document = store_bytes(
        pdf,
        original_name=_file_name(tender.reference, bidder.name),
        content_type="application/pdf",
        organisation_id=bidder.id,
        purpose="award_letter",
    )
    db.session.flush()
    subject, body = message_text(tender, data)
    sender = tender.dps.lead_authority.name
    message = inbox.post(
        bidder.id, subject, body, sender, document_id=document.id, dedupe_key=_key(letter)
    )
    db.session.flush()
    read_it = link("provider.inbox_message", message_id=message.id)
    users = db.session.scalars(
        select(User)
        .where(User.organisation_id == bidder.id, User.is_enabled.is_(True))
        .order_by(User.id)
    )
    for user in users:
        send_email(
            user.email,
            subject,
            f"{body}\n\nRead the message and download the letter: {read_it}",
            dedupe_key=f"{_key(letter)}:u{user.id}",
        )
    letter.status = "made"
    letter.last_error = None
    letter.document_id = document.id
    letter.message_id = message.id
    letter.made_at = now()
    audit.record(
        "award.letter_made",
        "award_letter",
        letter.id,
        {"tender": tender.reference, "organisation": bidder.name, "sha256": document.sha256},
    )
    _finish_if_last(award.id, letter.id)
    db.session.commit()
    return "made"


def _key(letter: AwardLetter) -> str:
    return f"award-letter:{letter.id}"


def _finish_if_last(award_id: int, letter_id: int) -> None:
    """Start the standstill once every letter is made. No lock on the award row here: with
    every job locking it, two workers deadlocked on it and the audit head (PostgreSQL). If the
    last two letters finish at the same moment neither sees the other made; the tick's sweeper
    then fires "letters_done" (the standstill end was fixed at approval either way)."""
    left = db.session.scalar(
        select(func.count(AwardLetter.id)).where(
            AwardLetter.award_id == award_id,
            AwardLetter.status != "made",
            AwardLetter.id != letter_id,
        )
    )
    if left:
        return
    award = db.session.scalar(
        select(AwardDecision)
        .where(AwardDecision.id == award_id)
        .execution_options(populate_existing=True)
    )
    if award.status == "approved":
        letters_done(award)


def letters_done(award: AwardDecision) -> None:
    """Fire "letters_done" (and, with no standstill, end it at once); the caller commits."""
    regime = award.tender.dps.regime
    fire(AWARD_TRANSITIONS, award, "letters_done", regime=regime)
    if not award.standstill_applies:
        fire(AWARD_TRANSITIONS, award, "end_standstill")
    audit.record(
        "award.letters_done",
        "tender",
        award.tender_id,
        {"status": award.status, "standstill_ends_at": award.standstill_ends_at},
    )


def _record_failure(letter_id: int, exc: Exception) -> None:
    """Keep the error; after the last rq retry (or outside rq) the letter shows as failed."""
    from rq import get_current_job

    job = get_current_job()
    final = job is None or not job.retries_left
    try:
        letter = db.session.get(AwardLetter, letter_id)
        if letter is None or letter.status == "made":
            return
        letter.attempts += 1
        letter.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if final:
            letter.status = "failed"
        db.session.commit()
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        db.session.rollback()
        log.exception("award letter %s: could not record the failure", letter_id)


# The sweeper (run by `flask dps tick`) -----------------------------------------------------

_WAITING = {"scheduled", "deferred"}


def _latest_jobs(letter_ids: list[int]) -> dict[int, OutboxJob]:
    """The most recent outbox row of each letter ("award_letter:<id>" or "...:<id>:<n>")."""
    latest: dict[int, OutboxJob] = {}
    rows = db.session.scalars(
        select(OutboxJob).where(OutboxJob.job_name == "make_award_letter").order_by(OutboxJob.id)
    )
    wanted = set(letter_ids)
    for row in rows:
        letter_id = int(row.key.split(":")[1])
        if letter_id in wanted:
            latest[letter_id] = row
    return latest


def _abandoned(rq_job, stale_seconds: float, queued_ids: set[str]) -> bool:
    """True when nothing will make the letter: the rq job is gone, finished or failed, it says
    "queued" but a killed worker had already taken it off the queue, or it started and its
    worker has stopped sending heartbeats (killed)."""
    if rq_job is None:
        return True
    status = rq_job.get_status(refresh=False)
    status = getattr(status, "value", status)
    if status == "queued":
        return rq_job.id not in queued_ids
    if status in _WAITING:
        return False
    if status == "started":
        beat = rq_job.last_heartbeat or rq_job.started_at
        if beat is None:
            return True
        if beat.tzinfo is None:
            beat = beat.replace(tzinfo=UTC)
        return (datetime.now(UTC) - beat).total_seconds() >= stale_seconds
    return True


def sweep_award_letters() -> int:
    """Re-queue pending letters whose job was lost (a worker killed mid-job, a flushed Redis),
    and finish batches whose last letter was made. Returns how many letters were re-queued."""
    from rq.job import Job

    from dps.jobs.outbox import schedule
    from dps.services.awards import LETTER_JOB, letter_key

    stale = float(current_app.config.get("AWARD_LETTER_STALE_SECONDS", 300))
    pending = db.session.scalars(
        select(AwardLetter)
        .join(AwardDecision, AwardLetter.award_id == AwardDecision.id)
        .where(AwardDecision.status == "approved", AwardLetter.status == "pending")
        .order_by(AwardLetter.id)
    ).all()
    requeued = 0
    if pending:
        latest = _latest_jobs([letter.id for letter in pending])
        due = [
            (letter, latest.get(letter.id))
            for letter in pending
            if latest.get(letter.id) is None
            or (
                latest[letter.id].enqueued_at is not None
                and (now() - latest[letter.id].enqueued_at).total_seconds() >= stale
            )
        ]
        try:
            rq_jobs = Job.fetch_many(
                [f"outbox-{row.id}" for _, row in due if row is not None],
                connection=queue.connection,
            )
            queued_ids = set(queue.queue.get_job_ids()) if due else set()
        except Exception as exc:  # noqa: BLE001 - Redis down: the next tick tries again
            log.warning("award letter sweep: Redis unavailable: %s", exc)
            return 0
        by_id = {job.id: job for job in rq_jobs if job is not None}
        for letter, row in due:
            if row is not None and not _abandoned(by_id.get(f"outbox-{row.id}"), stale, queued_ids):
                continue
            attempts = db.session.scalar(
                select(func.count(OutboxJob.id)).where(
                    OutboxJob.job_name == LETTER_JOB,
                    (OutboxJob.key == letter_key(letter.id))
                    | OutboxJob.key.like(f"{letter_key(letter.id)}:%"),
                )
            )
            schedule(LETTER_JOB, letter.id, key=letter_key(letter.id, attempts or 1))
            requeued += 1
        db.session.commit()
    _finish_done_batches()
    return requeued


def _finish_done_batches() -> None:
    awards = db.session.scalars(
        select(AwardDecision).where(AwardDecision.status == "approved").order_by(AwardDecision.id)
    ).all()
    for award in awards:
        left = db.session.scalar(
            select(func.count(AwardLetter.id)).where(
                AwardLetter.award_id == award.id, AwardLetter.status != "made"
            )
        )
        if not left:
            locked = db.session.scalar(
                select(AwardDecision)
                .where(AwardDecision.id == award.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if locked.status == "approved":  # a worker may have finished it meanwhile
                letters_done(locked)
            db.session.commit()
