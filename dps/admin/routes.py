"""The administrator's area: accounts, partner authorities, the e-mail outbox and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from dps.admin.forms import EnableForm, PartnerForm, StaffAccountForm
from dps.extensions import db
from dps.guards import require_roles
from dps.models import AuditEvent, EmailMessage, Organisation, OrganisationKind, Role, User
from dps.services import accounts, organisations

bp = Blueprint("admin", __name__, url_prefix="/admin")
require_roles(bp, Role.ADMIN)

PAGE_SIZE = 50


def _page() -> int:
    value = request.args.get("page", "1")
    return max(1, int(value)) if value.isdigit() and len(value) < 7 else 1


@bp.route("/")
def dashboard():
    counts = {
        "users": db.session.scalar(select(func.count(User.id))),
        "providers": db.session.scalar(
            select(func.count(Organisation.id)).where(
                Organisation.kind == OrganisationKind.PROVIDER
            )
        ),
        "emails": db.session.scalar(select(func.count(EmailMessage.id))),
        "audit": db.session.scalar(select(func.count(AuditEvent.seq))),
    }
    return render_template("admin/dashboard.html", counts=counts)


@bp.route("/users", methods=["GET", "POST"])
def users():
    form = StaffAccountForm()
    form.organisation_id.choices = [(org.id, org.name) for org in organisations.authorities()]
    if form.validate_on_submit():
        try:
            accounts.invite_user(
                inviter=current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                organisation_id=form.organisation_id.data,
            )
        except accounts.AccountError as error:
            form.email.errors = [str(error)]
        else:
            flash(f"Account created. We have sent an invitation to {form.email.data}.")
            return redirect(url_for("admin.users"))
    staff = db.session.scalars(
        select(User).where(User.role != Role.PROVIDER).order_by(User.role, User.full_name)
    ).all()
    status = 400 if request.method == "POST" else 200
    return render_template("admin/users.html", form=form, staff=staff, toggle=EnableForm()), status


@bp.route("/users/<int:user_id>/enabled", methods=["POST"])
def set_enabled(user_id: int):
    form = EnableForm()
    if not form.validate_on_submit():
        abort(400)
    enable = request.form.get("enable") == "yes"
    if user_id == current_user.id and not enable:
        flash("You cannot switch off your own account.")
        return redirect(url_for("admin.users"))
    if accounts.set_enabled(current_user, user_id, enable) is None:
        abort(404)
    flash("Account switched on." if enable else "Account switched off.")
    return redirect(url_for("admin.users"))


@bp.route("/organisations", methods=["GET", "POST"])
def authorities():
    form = PartnerForm()
    if form.validate_on_submit():
        organisations.add_partner(current_user, form.name.data, form.contact_email.data)
        flash(f"{form.name.data} added as a partner authority.")
        return redirect(url_for("admin.authorities"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/authorities.html", form=form, authorities=organisations.authorities()
    ), status


@bp.route("/outbox")
def outbox():
    page = _page()
    emails = db.session.scalars(
        select(EmailMessage)
        .order_by(EmailMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template("admin/outbox.html", emails=emails, page=page, page_size=PAGE_SIZE)


@bp.route("/outbox/<int:email_id>")
def outbox_email(email_id: int):
    email = db.session.get(EmailMessage, email_id)
    if email is None:
        abort(404)
    return render_template("admin/email.html", email=email)


@bp.route("/audit")
def audit_log():
    page = _page()
    events = db.session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.seq.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template("admin/audit.html", events=events, page=page, page_size=PAGE_SIZE)
