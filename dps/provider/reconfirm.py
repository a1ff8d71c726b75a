"""Provider routes: reconfirm (registered on the provider blueprint)."""

from dps.provider.routes import bp  # noqa: F401
