"""Officer routes: building and publishing tenders (registered on the officer blueprint)."""

from dps.officer.routes import bp  # noqa: F401
