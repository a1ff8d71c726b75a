"""The transactional outbox: jobs are written with the change, then handed to rq after commit."""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable

from flask import current_app, g, has_request_context
from sqlalchemy import select

from dps.extensions import db, queue
from dps.models.messaging import OutboxJob
from dps.state.clock import now

log = logging.getLogger(__name__)

# job name -> "module:function"; a job is looked up by name so that rows hold only plain data.
JOBS: dict[str, str] = {
    "deliver_email": "dps.jobs.mail:deliver_email",
    "send_invitations": "dps.jobs.tender_jobs:send_invitations",
    "notify_invitees": "dps.jobs.tender_jobs:notify_invitees",
    "make_award_letter": "dps.jobs.award_jobs:make_award_letter",
    "notify_uplift": "dps.jobs.uplift_jobs:notify_uplift",
}


def resolve(job_name: str) -> Callable:
    module_name, func_name = JOBS[job_name].split(":")
    return getattr(importlib.import_module(module_name), func_name)


def schedule(job_name: str, *args: int | str, key: str | None = None) -> OutboxJob:
    """Add a job to the outbox in the caller's transaction; `key` makes it unique."""
    if job_name not in JOBS:
        raise KeyError(f"unknown job {job_name!r}")
    key = key or f"{job_name}:{':'.join(str(a) for a in args)}"
    existing = db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))
    if existing is not None:
        return existing
    job = OutboxJob(job_name=job_name, args=json.dumps(list(args)), key=key)
    db.session.add(job)
    if has_request_context():
        g.outbox_pending = True
    return job


def run_job(outbox_id: int) -> None:
    """The function rq runs: look the outbox row up and call the named job with its ids."""
    from dps.jobs.context import app_context

    with app_context():
        job = db.session.get(OutboxJob, outbox_id)
        if job is None:
            return
        resolve(job.job_name)(*json.loads(job.args))


def dispatch_pending(limit: int = 500) -> int:
    """Hand jobs not yet enqueued to rq. Returns how many were enqueued; Redis down leaves them."""
    pending = db.session.scalars(
        select(OutboxJob).where(OutboxJob.enqueued_at.is_(None)).order_by(OutboxJob.id).limit(limit)
    ).all()
    count = 0
    for job in pending:
        try:
            queue.queue.enqueue(
                run_job,
                job.id,
                job_id=f"outbox-{job.id}",
                retry=_retry(),
                job_timeout=current_app.config.get("JOB_TIMEOUT", 600),
            )
        except Exception as exc:  # noqa: BLE001 - Redis unavailable: keep the row for later
            job.attempts += 1
            job.last_error = str(exc)[:500]
            db.session.commit()
            log.warning("outbox: could not enqueue job %s: %s", job.id, exc)
            break
        job.enqueued_at = now()
        db.session.commit()
        count += 1
    return count


def _retry():
    from rq import Retry

    return Retry(max=5, interval=[5, 30, 120, 600, 1800])
