"""The deadline rush's baseline: a bare Flask app whose one endpoint inserts one row.

`bench_deadline_rush.py` serves it with gunicorn -w 2 against the same PostgreSQL database as the
platform and sends it the same arrival pattern, so the rush's latency can be read as a multiple of
"a web request that writes one row". Nothing else happens per request: no session, no CSRF, no
template; one pooled connection (as the platform's engine pools them), one INSERT, one COMMIT.

Serve with DATABASE_URL set: gunicorn -w 2 --chdir benchmarks rush_baseline_app:app
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

TABLE = "rush_baseline"
CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id SERIAL PRIMARY KEY,
    provider INTEGER NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


def create_table(engine) -> None:
    """Made by the benchmark before the workers start (two workers racing to create it fail)."""
    with engine.begin() as connection:
        connection.execute(text(CREATE_TABLE))


def create_baseline_app(database_url: str | None = None) -> Flask:
    url = database_url or os.environ["DATABASE_URL"]
    engine = create_engine(url, pool_pre_ping=True)
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return jsonify(status="ok")

    @app.post("/insert")
    def insert():
        provider = request.form.get("provider", type=int) or 0
        with engine.begin() as connection:
            connection.execute(text(f"INSERT INTO {TABLE} (provider) VALUES (:p)"), {"p": provider})
        return "stored", 201

    return app


app = create_baseline_app() if os.environ.get("DATABASE_URL") else None
