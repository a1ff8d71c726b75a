"""Provider routes: clarification questions on tenders (registered on the provider blueprint)."""

from dps.provider.routes import bp  # noqa: F401
