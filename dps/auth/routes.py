"""Signing in and out, registering a provider, confirming e-mail, resetting passwords."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from dps.auth.forms import ForgottenPasswordForm, NewPasswordForm, RegisterForm, SignInForm
from dps.services import accounts
from dps.services import two_factor as two_factor_service

bp = Blueprint("auth", __name__)

HOME = {
    "provider": "provider.dashboard",
    "officer": "officer.dashboard",
    "evaluator": "evaluator.dashboard",
    "panel": "panel.dashboard",
    "admin": "admin.dashboard",
}


def home_for(user) -> str:
    return url_for(HOME[user.role])


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        result = accounts.authenticate(
            form.email.data, form.password.data, request.remote_addr or ""
        )
        if result.user is not None:
            if two_factor_service.required_for(result.user):
                return two_factor.begin(result.user, _safe_next(request.args.get("next")))
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")) or home_for(result.user))
        form.email.errors = [result.message]
        status = result.status
    elif request.method == "POST":
        status = 400
    return render_template("auth/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out():
    session.pop("two_factor_pending", None)
    logout_user()
    flash("You have signed out.")
    return redirect(url_for("auth.sign_in"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_provider(
                organisation_name=form.organisation_name.data,
                companies_house_number=form.companies_house_number.data,
                cqc_provider_id=form.cqc_provider_id.data,
                size=form.size.data,
                full_name=form.full_name.data,
                email=form.email.data,
                password=form.password.data,
            )
        except accounts.AccountError as error:
            form.email.errors = [str(error)]
        else:
            return redirect(url_for("auth.check_email", email=user.email))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/register/check-your-email")
def check_email():
    return render_template("auth/check_email.html", email=request.args.get("email", "")[:254])


@bp.route("/confirm/<token>")
def confirm_email(token: str):
    try:
        accounts.confirm_email(token)
    except accounts.AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 400
    flash("Your e-mail address is confirmed. You can now sign in.")
    return redirect(url_for("auth.sign_in"))


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgotten_password.html", form=form), status


def _choose_password(token: str, purpose: str, title: str):
    try:
        accounts.read_token(
            token,
            purpose,
            accounts.RESET_MAX_AGE if purpose == "reset" else accounts.INVITE_MAX_AGE,
        )
    except accounts.AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(token, form.password.data, purpose)
        except accounts.AccountError as error:
            return render_template("auth/link_problem.html", message=str(error)), 400
        logout_user()
        flash("Your password has been saved. Sign in with it now.")
        return redirect(url_for("auth.sign_in"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/new_password.html", form=form, title=title), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _choose_password(token, "reset", "Choose a new password")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _choose_password(token, "invite", "Choose your password")


from dps.auth import two_factor  # noqa: E402 - registers the two-factor routes on bp
