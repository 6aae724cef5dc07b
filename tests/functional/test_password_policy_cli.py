"""The command line applies the whole password policy too (security.md item 1): `user add` and `user set-password`."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, User
from app.organisation.services import update_organisation
from app.security.passwords import verify_password
from tests.support import PASSWORD, add_user


def _named(app):
    with app.app_context():
        update_organisation("South Derbyshire District Council", "South Derbyshire Community Safety Partnership")


def test_user_add_refuses_the_councils_name_and_adds_nobody(app):
    _named(app)
    result = app.test_cli_runner().invoke(args=[
        "user", "add", "--name", "Pat Lead", "--email", "pat@council.example", "--role", "auditor",
        "--password-stdin"], input="South Derbyshire District Council\n")
    assert result.exit_code == 1
    assert "Password must not contain the council's name" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_set_password_refuses_an_easily_guessed_password_and_keeps_the_old_one(app):
    _named(app)
    account = add_user(app, name="Pat Lead", email="pat@council.example", role=Role.AUDITOR)
    runner = app.test_cli_runner()
    for weak, message in [
        ("Password123!", "Password is too easy to guess: it is mostly a common word with numbers or symbols added"),
        ("southderbyshire2026", "Password must not contain the council's name"),
        ("section17audit!!", "Password must not contain the name of this service"),
    ]:
        result = runner.invoke(args=["user", "set-password", account.email, "--password-stdin"], input=f"{weak}\n")
        assert result.exit_code == 1, result.output
        assert message in result.output
    with app.app_context():
        assert verify_password(db.session.get(User, account.id).password_hash, PASSWORD)
    result = runner.invoke(args=["user", "set-password", account.email, "--password-stdin"],
                           input="copper kettles sing at dawn\n")
    assert result.exit_code == 0, result.output
