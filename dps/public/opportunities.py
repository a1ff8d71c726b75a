"""Public routes: open opportunities (registered on the public blueprint)."""

from dps.public.routes import bp  # noqa: F401
