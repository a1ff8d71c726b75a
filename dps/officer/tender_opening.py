"""Officer routes: tender clarifications and opening bids (on the officer blueprint)."""

from dps.officer.routes import bp  # noqa: F401
