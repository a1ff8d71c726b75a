"""Shared fixtures: the app on a real database (migrated, cleaned after each test), a real Redis,
an rq worker in burst mode, and test clients signed in as each role."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

os.environ.setdefault("COMMISSION_ENV", "test")

from dps import create_app  # noqa: E402
from dps.extensions import db, queue  # noqa: E402
from dps.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from dps.services.accounts import hash_password  # noqa: E402
from dps.state.clock import now  # noqa: E402

PASSWORD = "Test-password-123"
_HASH: list[str] = []


def password_hash() -> str:
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def instance_dir():
    path = Path(tempfile.mkdtemp(prefix="commission-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def app(instance_dir):
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'test.db'}"
    if database_url.startswith("postgresql"):
        _reset_postgres(database_url)
    application = create_app(
        {
            "ENV_NAME": "test",
            "TESTING": True,
            "INSTANCE_PATH": str(instance_dir),
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ.get("REDIS_URL") or None,
            "UPLOAD_FOLDER": str(instance_dir / "uploads"),
            "MAIL_SERVER": None,
        },
        env="test",
    )
    with application.app_context():
        from dps.cli import upgrade_database

        upgrade_database()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
        if not os.environ.get("REDIS_URL"):
            try:
                queue.connection._cleanup()
            except Exception:  # noqa: BLE001 - the embedded server may already be gone
                pass


def _clean(application) -> None:
    with application.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())
        from dps.services.audit import ensure_head

        ensure_head()
        db.session.remove()
        try:
            queue.connection.flushdb()
        except Exception:  # noqa: BLE001 - tests that stop Redis restore it themselves
            pass


@pytest.fixture(autouse=True)
def clean_database(request):
    """Each test starts from an empty, migrated database and an empty Redis."""
    yield
    if "app" in request.fixturenames:
        _clean(request.getfixturevalue("app"))


@pytest.fixture(autouse=True)
def _reset_clock():
    from dps.state import clock

    yield
    clock.set_fixed(None)


@contextmanager
def app_ctx(application):
    with application.app_context():
        yield
        db.session.remove()


@pytest.fixture
def ctx(app):
    """An app context for tests that work with the database directly."""
    with app_ctx(app):
        yield


@pytest.fixture
def make_user(app):
    """Create a user (and organisation if needed); returns the user's e-mail."""

    def _make(
        role: str, email: str | None = None, organisation: str | None = None, **values
    ) -> str:
        with app_ctx(app):
            kind = (
                OrganisationKind.PROVIDER if role == Role.PROVIDER else OrganisationKind.AUTHORITY
            )
            org_name = organisation or (
                "Acme Care Ltd" if role == Role.PROVIDER else "Test Council"
            )
            org = db.session.scalar(db.select(Organisation).where(Organisation.name == org_name))
            if org is None:
                org = Organisation(
                    kind=kind,
                    name=org_name,
                    legal_name=org_name,
                    size="small" if kind == OrganisationKind.PROVIDER else None,
                    is_lead_authority=kind == OrganisationKind.AUTHORITY,
                )
                db.session.add(org)
            email = email or f"{role}-{os.urandom(3).hex()}@example.com"
            db.session.add(
                User(
                    email=email,
                    full_name=f"Test {role}",
                    role=role,
                    organisation=org,
                    password_hash=password_hash(),
                    email_confirmed_at=now(),
                    is_org_admin=values.pop("is_org_admin", role == Role.PROVIDER),
                    **values,
                )
            )
            db.session.commit()
            return email

    return _make


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def login(app, make_user):
    """A test client signed in as a new user of the given role."""

    def _login(role: str, **values):
        email = make_user(role, **values)
        client = app.test_client()
        response = sign_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        client.email = email
        return client

    return _login


@pytest.fixture
def run_jobs(app):
    """Hand the outbox to rq and run every queued job with a real worker in burst mode."""

    def _run() -> int:
        from rq import SimpleWorker

        from dps.jobs.outbox import dispatch_pending

        with app_ctx(app):
            dispatch_pending()
            registry = queue.queue.finished_job_registry
            before = registry.count
            worker = SimpleWorker([queue.queue], connection=queue.connection)
            worker.work(burst=True, logging_level="WARNING")
            return registry.count - before

    return _run
