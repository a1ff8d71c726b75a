"""Provider routes: tenders and bids (registered on the provider blueprint)."""

from dps.provider.routes import bp  # noqa: F401
