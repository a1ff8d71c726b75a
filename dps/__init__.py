"""Commission: the application factory."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask, g, render_template, session
from flask_wtf.csrf import CSRFError
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from config.settings import INSTANCE, ROOT, settings_for

BLUEPRINTS = ("auth", "public", "provider", "officer", "evaluator", "panel", "admin", "ocds")


def create_app(config: dict | None = None, env: str | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI and error pages."""
    settings = settings_for(env or (config or {}).get("ENV_NAME"))
    settings.update(config or {})
    instance = Path(settings.get("INSTANCE_PATH") or INSTANCE)
    app = Flask(
        "dps",
        root_path=str(ROOT),
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
    )
    app.config.update(settings)
    if not app.config.get("DATABASE_URL"):
        raise RuntimeError("Set DATABASE_URL (for example sqlite:////tmp/commission.db)")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=app.config["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(app.config["DATABASE_URL"]),
        MAX_CONTENT_LENGTH=(app.config["UPLOAD_MAX_MB"] + 1) * 1024 * 1024,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_TIME_LIMIT=None,
    )
    instance.mkdir(parents=True, exist_ok=True)
    _init_templates(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_hooks(app)
    from dps import security_headers

    security_headers.init_app(app)
    from dps.cli import register_cli

    register_cli(app)
    return app


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite runs with WAL (readers never block the writer) and foreign keys enforced."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    if app.config.get("TESTING") or app.config["ENV_NAME"] == "test":
        from dps.strict_templates import OurStrictUndefined

        app.jinja_env.undefined = OurStrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from dps import filters

    filters.register(app)


def _init_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from dps.extensions import csrf, db, login_manager, migrate, queue

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.session_protection = "strong"
    queue.init_app(app)
    WTFormsHelpers(app)

    from dps.models import User

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit() or not version.lstrip("-").isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.token_version != int(version) or not user.is_enabled:
            return None
        return user

    with app.app_context():
        engine = db.engine
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))


def _register_blueprints(app: Flask) -> None:
    import importlib

    for name in BLUEPRINTS:
        module = importlib.import_module(f"dps.{name}.routes")
        app.register_blueprint(module.bp)


def _register_errors(app: Flask) -> None:
    messages = {
        400: (
            "Sorry, there is a problem with your request",
            "Check what you entered and try again.",
        ),
        403: (
            "You do not have permission to see this page",
            "This page is for a different kind "
            "of account. If you think you should be able to see it, contact your administrator.",
        ),
        404: ("Page not found", "If you typed the web address, check it is correct."),
        405: ("Sorry, that action is not allowed here", "Go back and try again."),
        413: (
            "The file is too large",
            f"Files must be smaller than {app.config['UPLOAD_MAX_MB']} MB.",
        ),
        429: ("Too many attempts", "Wait a few minutes and try again."),
        500: (
            "Sorry, there is a problem with the service",
            "Try again later. What you saved before this is safe.",
        ),
    }

    def render_error(code: int, detail: str | None = None):
        title, body = messages[code]
        return render_template(
            "errors/error.html", title=title, body=detail or body, code=code
        ), code

    for code in messages:
        app.register_error_handler(code, lambda error, code=code: render_error(code))

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        """The database dropped mid-request: the transaction was rolled back, so say so (503)."""
        from dps.extensions import db

        db.session.rollback()
        app.logger.warning("database unavailable: %s", error)
        title, body = (
            "Sorry, the service is unavailable",
            "We could not reach our database, so nothing from this step was saved. "
            "Wait a minute and try again.",
        )
        return render_template("errors/error.html", title=title, body=body, code=503), 503

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "The form had expired or was sent from somewhere else. Go back, reload the "
            "page and try again. Nothing you saved before has been lost.",
        )


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def keep_session_fresh():
        session.permanent = True

    @app.after_request
    def headers_and_outbox(response):
        if g.pop("outbox_pending", False):
            from dps.jobs.outbox import dispatch_pending

            dispatch_pending()
        return response

    @app.teardown_request
    def rollback_unfinished(exc):
        if exc is not None:
            from dps.extensions import db

            db.session.rollback()
