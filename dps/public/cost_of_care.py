"""The public, read-only hourly-rate calculator (built-in and benchmark templates, no saving)."""

from __future__ import annotations

from dps.cost_views import add_cost_routes
from dps.public.routes import bp

add_cost_routes(bp, can_save=False)
