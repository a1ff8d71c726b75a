"""Officer routes: dps_setup (registered on the officer blueprint)."""

from dps.officer.routes import bp  # noqa: F401
