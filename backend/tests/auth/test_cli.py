"""`flask users create-admin` and the first administrator of `make run`."""

import re

import pytest
from sqlalchemy import select, text

from violet.auth.models import User
from violet.auth.service.credentials import verify_password
from violet.config import load_config
from violet.core.domain import seed_all
from violet.extensions import db


def test_create_admin_with_a_given_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "Boss@Example.test", "--password", "p" * 16]
    )

    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "boss@example.test")).one()
    assert [group.name for group in user.groups] == ["Administrators"]
    assert verify_password(user.password_hash, "p" * 16)
    assert "p" * 16 not in result.output


def test_create_admin_prints_a_generated_password_once(app):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "--email", "a@b.test"])

    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1].split(": ", 1)[1]
    user = db.session.scalars(select(User).where(User.email == "a@b.test")).one()
    assert verify_password(user.password_hash, password)


def test_create_admin_refuses_a_taken_email_and_a_short_password(app, make_user):
    make_user("taken@example.test")
    runner = app.test_cli_runner()

    taken = runner.invoke(args=["users", "create-admin", "--email", "taken@example.test"])
    short = runner.invoke(args=["users", "create-admin", "--email", "n@e.test", "--password", "x"])

    assert taken.exit_code != 0 and "already exists" in taken.output
    assert short.exit_code != 0 and "12 to 128" in short.output


@pytest.mark.parametrize("email", ["not-an-email", "", "a@" + "b" * 260 + ".test"])
def test_create_admin_refuses_what_the_api_refuses_as_an_email(app, email):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", email, "--password", "p" * 16]
    )

    assert result.exit_code != 0
    assert "Not a valid email address" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalars(select(User).where(User.email == email.lower())).all() == []


@pytest.mark.parametrize("production", [False, True])
def test_seed_refuses_an_admin_password_the_api_refuses(app, monkeypatch, production):
    # README: a value Violet cannot use stops it with one line naming the variable; a short
    # ADMIN_PASSWORD ended `flask seed` (and `make run`, and the image's start) in a traceback.
    db.session.execute(User.__table__.delete())
    monkeypatch.setitem(app.config, "ADMIN_PASSWORD", "short")
    if production:
        monkeypatch.setitem(app.config, "VIOLET_ENV", "production")

    result = app.test_cli_runner().invoke(args=["seed"])

    assert result.exit_code != 0
    assert result.output == (
        "Error: ADMIN_PASSWORD (the first administrator's password) is refused: "
        "Passwords must be 12 to 128 characters long.\n"
    )
    assert db.session.scalars(select(User)).all() == []


@pytest.mark.parametrize("production", [False, True])
def test_seed_refuses_an_admin_email_the_api_refuses(app, monkeypatch, production):
    db.session.execute(User.__table__.delete())
    monkeypatch.setitem(app.config, "ADMIN_EMAIL", "not-an-email")
    if production:  # without a password: the setup-link branch
        monkeypatch.setitem(app.config, "VIOLET_ENV", "production")
        monkeypatch.setitem(app.config, "ADMIN_PASSWORD", "")

    result = app.test_cli_runner().invoke(args=["seed"])

    assert result.exit_code != 0
    assert "ADMIN_EMAIL" in result.output and "not-an-email" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalars(select(User)).all() == []
    invitations = db.session.execute(text("SELECT count(*) FROM invitations")).scalar_one()
    assert invitations == 0


def test_seed_creates_the_first_admin_only_when_there_is_no_user(app):
    db.session.execute(User.__table__.delete())

    notices = seed_all()
    again = seed_all()

    users = db.session.scalars(select(User)).all()
    assert [user.email for user in users] == [app.config["ADMIN_EMAIL"]]
    [notice] = notices
    generated = re.search(r"Password:\s+(\S+)", notice).group(1)
    assert app.config["ADMIN_EMAIL"] in notice
    assert verify_password(users[0].password_hash, generated)
    assert again == []


def test_production_without_admin_password_issues_an_expiring_setup_link(
    app, client, monkeypatch, caplog
):
    db.session.execute(User.__table__.delete())
    monkeypatch.setitem(app.config, "VIOLET_ENV", "production")
    monkeypatch.setitem(app.config, "ADMIN_PASSWORD", "")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://violet.example")

    [notice] = seed_all()
    db.session.commit()

    assert "Password" not in notice and app.config["ADMIN_EMAIL"] in notice
    assert db.session.scalars(select(User)).all() == [], "no password was chosen for anyone"
    setup_url = notice.rsplit(" ", 1)[1]
    assert setup_url.startswith("https://violet.example/accept-invitation?token=")
    token = setup_url.split("token=", 1)[1]
    lookup = client.get(f"/api/v1/invitations/lookup?token={token}")
    assert lookup.status_code == 200 and lookup.json["email"] == app.config["ADMIN_EMAIL"]
    accepted = client.post(
        "/api/v1/invitations/accept",
        json={"token": token, "display_name": "Root", "password": "chosen by the operator"},
    )
    assert accepted.status_code == 201
    assert "user.manage" in accepted.json["user"]["permissions"]
    assert seed_all() == []
    assert token not in caplog.text


def test_without_public_base_url_the_setup_link_uses_port(app, monkeypatch):
    db.session.execute(User.__table__.delete())
    monkeypatch.setitem(app.config, "VIOLET_ENV", "production")
    monkeypatch.setitem(app.config, "ADMIN_PASSWORD", "")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    monkeypatch.setenv("PORT", "9123")
    # What the configuration makes of it (`flask seed` reads the same environment).
    config = load_config(
        {"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )
    monkeypatch.setitem(app.config, "PORT", config["PORT"])

    [notice] = seed_all()

    assert notice.rsplit(" ", 1)[1].startswith("http://localhost:9123/accept-invitation?token=")
