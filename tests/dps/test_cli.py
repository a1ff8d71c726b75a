"""The commands a new user and the operators run."""

from dps.extensions import db
from dps.models import AuditEvent, Organisation, OrganisationKind, Role, User
from dps.services import audit
from tests.conftest import app_ctx


def test_demo_loads_once_and_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["dps", "demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data loaded" in first.output
    with app_ctx(app):
        counts = {
            "users": db.session.scalar(db.select(db.func.count(User.id))),
            "orgs": db.session.scalar(db.select(db.func.count(Organisation.id))),
            "audit": db.session.scalar(db.select(db.func.count(AuditEvent.seq))),
        }
        providers = db.session.scalars(
            db.select(Organisation).where(Organisation.kind == OrganisationKind.PROVIDER)
        ).all()
        assert len(providers) == 71
        small = [p for p in providers if p.size in ("micro", "small")]
        assert len(small) > len(providers) / 2
        roles = {u.role for u in db.session.scalars(db.select(User))}
        assert roles == {r.value for r in Role}
        authorities = db.session.scalars(
            db.select(Organisation).where(Organisation.kind == OrganisationKind.AUTHORITY)
        ).all()
        assert len(authorities) == 3 and sum(a.is_lead_authority for a in authorities) == 1
    second = runner.invoke(args=["dps", "demo"])
    assert second.exit_code == 0 and "nothing to add" in second.output
    with app_ctx(app):
        assert db.session.scalar(db.select(db.func.count(User.id))) == counts["users"]
        assert db.session.scalar(db.select(db.func.count(Organisation.id))) == counts["orgs"]
        assert db.session.scalar(db.select(db.func.count(AuditEvent.seq))) == counts["audit"]
        assert audit.verify().ok


def test_demo_sign_ins_work(app):
    from dps.demo import DEMO_PASSWORD, DEMO_SIGN_INS
    from tests.conftest import sign_in

    app.test_cli_runner().invoke(args=["dps", "demo"])
    for _, email in DEMO_SIGN_INS:
        assert sign_in(app.test_client(), email, DEMO_PASSWORD).status_code == 302, email
