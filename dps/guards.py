"""Role checks that sit on a blueprint (before_request), not on each view."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from dps.extensions import login_manager


def require_roles(blueprint: Blueprint, *roles: str) -> None:
    @blueprint.before_request
    def _check_role():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role not in roles:
            abort(403)
        return None
