"""Providers' hourly-rate calculator and their organisation's saved scenarios."""

from __future__ import annotations

from dps.cost_views import add_cost_routes
from dps.provider.routes import bp

add_cost_routes(bp, can_save=True)
