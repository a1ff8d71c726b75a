"""Public routes: published DPSs (registered on the public blueprint)."""

from dps.public.routes import bp  # noqa: F401
