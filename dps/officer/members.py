"""Officer routes: members (registered on the officer blueprint)."""

from dps.officer.routes import bp  # noqa: F401
