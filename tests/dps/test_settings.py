import pytest

from config import settings


def test_environment_overrides_only_declared_keys(monkeypatch):
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "9")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("NOT_A_SETTING", "x")
    values = settings.Test.load()
    assert values["LOGIN_MAX_FAILURES"] == 9
    assert values["MAIL_USE_TLS"] is True
    assert "NOT_A_SETTING" not in values


def test_bad_number_in_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "lots")
    with pytest.raises(RuntimeError, match="LOGIN_MAX_FAILURES must be a whole number"):
        settings.Test.load()


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_its_settings(monkeypatch, missing):
    for key in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.setenv(key, "set")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        settings.Production.load()


def test_development_makes_its_secret_once(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "INSTANCE", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = settings.Development.load()["SECRET_KEY"]
    second = settings.Development.load()["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_unknown_environment_name():
    with pytest.raises(RuntimeError, match="Unknown COMMISSION_ENV"):
        settings.settings_for("staging")
