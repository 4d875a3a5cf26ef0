"""`flask` commands for administrative tasks."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from violet.auth.service.directory import create_admin
from violet.core.errors import ApiError
from violet.extensions import db
from violet.seed import seed_all

users_cli = AppGroup("users", help="Manage user accounts.")


def first_admin_box(email: str, password: str, sign_in_url: str | None = None) -> str:
    """The generated first-administrator credentials, framed so they stand out of the log."""
    lines = [
        "Violet is ready. First administrator (the password is shown only this once):",
        "",
        f"  Email:    {email}",
        f"  Password: {password}",
    ]
    if sign_in_url:
        lines.append(f"  Sign in:  {sign_in_url}")
    lines += ["", "Change the password after signing in (Account → Password)."]
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])


def print_first_admin_password(password: str | None) -> None:
    if password:
        click.echo("\n" + first_admin_box(current_app.config["ADMIN_EMAIL"], password) + "\n")


@users_cli.command("create-admin")
@click.option("--email", required=True, help="Email of the new administrator.")
@click.option(
    "--password", default=None, help="Password (12–128 characters); generated if omitted."
)
def create_admin_command(email: str, password: str | None) -> None:
    """Create a user in the Administrators group."""
    try:
        user, generated = create_admin(email, password)
    except ApiError as exc:
        raise click.ClickException(exc.detail) from exc
    db.session.commit()
    click.echo(f"Created administrator {user.email}.")
    if generated:
        click.echo(f"Password (shown once): {generated}")


def register(app: Flask) -> None:
    from violet.mitre.cli import mitre_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(mitre_cli)

    @app.cli.command("seed")
    def seed_command() -> None:
        """Write reference data (permissions, groups, first admin); safe to run again."""
        generated = seed_all()
        db.session.commit()
        click.echo("Seeded.")
        print_first_admin_password(generated)
