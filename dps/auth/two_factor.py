"""The second step of sign-in (TOTP or a recovery code), enrolment, and managing the codes.

Until the second step is done nobody is signed in: Flask-Login's current_user stays anonymous,
so every role blueprint's own check refuses the half-signed-in session with no extra code. The
pending state (whose password was right, when, where to go next) lives in the signed session
for a few minutes only.
"""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from dps.admin.routes import bp as admin_bp
from dps.auth.routes import bp, home_for
from dps.extensions import db
from dps.forms import BaseForm, submit
from dps.models.organisation import User
from dps.services import two_factor

PENDING = "two_factor_pending"
PENDING_SECONDS = 10 * 60


class CodeForm(BaseForm):
    code = StringField(
        "Code",
        validators=[
            InputRequired(message="Enter the code from your authenticator app"),
            Length(max=40, message="Enter the 6-digit code from your authenticator app"),
        ],
        widget=GovTextInput(),
    )
    submit = submit("Continue")


class ConfirmForm(BaseForm):
    submit = submit("Continue")


def begin(user: User, next_url: str | None):
    """The password was right: remember who, then ask for (or set up) the second factor."""
    session[PENDING] = {"user": user.get_id(), "since": int(time.time()), "next": next_url}
    if two_factor.is_enrolled(user):
        return redirect(url_for("auth.two_factor_code"))
    return redirect(url_for("auth.two_factor_enrol"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user_id, _, version = str(pending.get("user", "")).partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or str(user.token_version) != version or not user.is_enabled:
        session.pop(PENDING, None)
        return None
    return user


def _start_again():
    flash("Your sign-in took too long or was not finished. Sign in again.")
    return redirect(url_for("auth.sign_in"))


def _finish(user: User) -> str:
    """Sign the person in for real; where to send them next."""
    pending = session.pop(PENDING, None) or {}
    login_user(user)
    return pending.get("next") or home_for(user)


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
def two_factor_code():
    user = _pending_user()
    if user is None:
        return _start_again()
    if not two_factor.is_enrolled(user):
        return redirect(url_for("auth.two_factor_enrol"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            two_factor.verify(user.id, form.code.data, request.remote_addr or "")
        except two_factor.TwoFactorError as error:
            form.code.errors = [str(error)]
            status = 400
        else:
            return redirect(_finish(user))
    elif request.method == "POST":
        status = 400
    return render_template("auth/two_factor/code.html", form=form), status


@bp.route("/sign-in/two-factor/set-up", methods=["GET", "POST"])
def two_factor_enrol():
    user = _pending_user()
    if user is None:
        return _start_again()
    if two_factor.is_enrolled(user):
        return redirect(url_for("auth.two_factor_code"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(user.id, form.code.data, request.remote_addr or "")
        except two_factor.TwoFactorError as error:
            form.code.errors = [str(error)]
            status = 400
        else:
            next_url = _finish(user)
            # Shown once, in this response only: never stored anywhere they could be shown again.
            return render_template(
                "auth/two_factor/recovery_codes.html", codes=codes, next_url=next_url
            )
    elif request.method == "POST":
        status = 400
    secret = two_factor.enrolment_secret(user.id)
    return render_template(
        "auth/two_factor/enrol.html",
        form=form,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr=two_factor.qr_svg(two_factor.provisioning_uri(user, secret)),
    ), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_manage():
    if not two_factor.is_enrolled(current_user):
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        codes = two_factor.regenerate_recovery_codes(current_user.id)
        return render_template(
            "auth/two_factor/recovery_codes.html", codes=codes, next_url=home_for(current_user)
        )
    return render_template(
        "auth/two_factor/manage.html",
        form=form,
        remaining=two_factor.unused_recovery_codes(current_user.id),
    ), (400 if request.method == "POST" else 200)


@admin_bp.route("/users/<int:user_id>/two-factor", methods=["GET", "POST"])
def reset_two_factor(user_id: int):
    """An administrator resets someone's two-factor sign-in (the admin blueprint checks role)."""
    person = db.session.get(User, user_id)
    if person is None or str(person.role) == "provider":
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        two_factor.reset(current_user, user_id)
        flash(f"Two-factor sign-in reset for {person.full_name}. They set it up again next time.")
        return redirect(url_for("admin.users"))
    return render_template(
        "auth/two_factor/admin_reset.html",
        form=form,
        person=person,
        enrolled=two_factor.is_enrolled(person),
    ), (400 if request.method == "POST" else 200)
