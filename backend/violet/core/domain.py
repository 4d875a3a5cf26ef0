"""What a domain package contributes to the application, declared in one place.

Each domain (auth, mitre, settings, diag, …) declares a `Domain` in its `domain.py`:
blueprints, permission codes (with their descriptions and default groups), seed steps, CLI
commands, config keys and event handlers. `violet/domains.py` lists the domains; `create_app`
hands that list to `register_domains`, which wires each part in. Adding a domain is one line
there plus a migration (docs/domains.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import click
from flask import Flask, current_app
from flask_smorest import Api, Blueprint
from marshmallow import validate
from sqlalchemy import func, select

from violet.core.events import Handler, subscribe
from violet.extensions import db

DOMAINS_KEY = "violet.domains"
SEED_LOCK_KEY = int.from_bytes(b"vioSEEDS", "big")
# Groups every instance starts with (their rights come from the declarations below).
ADMINISTRATORS = "Administrators"
OPERATORS = "Operators"
ANALYSTS = "Analysts"


@dataclass(frozen=True)
class Mount:
    """A blueprint under a URL prefix; `enabled_by` names a config flag that must be true."""

    blueprint: Blueprint
    url_prefix: str
    enabled_by: str | None = None


@dataclass(frozen=True)
class PermissionCode:
    """A permission code (`resource.action`), what it allows, and the default groups holding it
    besides Administrators, which holds every code."""

    code: str
    description: str
    default_groups: tuple[str, ...] = ()


# A seed step writes reference data idempotently in the caller's transaction and may return a
# notice for the operator, shown once (a generated password).
SeedStep = Callable[[], str | None]


@dataclass(frozen=True)
class Domain:
    name: str
    blueprints: Sequence[Mount] = ()
    permissions: Sequence[PermissionCode] = ()
    seed_steps: Sequence[SeedStep] = ()
    cli: Sequence[click.Command] = ()
    # Config keys with their values read from the environment, and a check run after overrides.
    config: Callable[[], dict[str, Any]] | None = None
    check_config: Callable[[Mapping[str, Any]], None] | None = None
    # Event name → handlers, run inside the transaction of whoever publishes (core/events.py).
    handlers: Mapping[str, Sequence[Handler]] = field(default_factory=dict)
    # Anything else the domain must do with the app (the auth domain sets the authenticator).
    init_app: Callable[[Flask], None] | None = None


# The codes of every registered domain, for validators built when schemas are imported (before
# any app exists). Every app of the process registers the same list of domains.
_declared_codes: dict[str, PermissionCode] = {}


def domain_config(domains: Sequence[Domain]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for domain in domains:
        if domain.config is not None:
            config.update(domain.config())
    return config


def check_domain_config(domains: Sequence[Domain], config: Mapping[str, Any]) -> None:
    for domain in domains:
        if domain.check_config is not None:
            domain.check_config(config)


def register_domains(app: Flask, api: Api, domains: Sequence[Domain]) -> None:
    """Wire every domain's contributions into `app` (permissions first: schemas list them)."""
    codes = [permission.code for domain in domains for permission in domain.permissions]
    duplicated = sorted({code for code in codes if codes.count(code) > 1})
    if duplicated:
        raise RuntimeError(f"permission codes declared twice: {', '.join(duplicated)}")
    for domain in domains:
        _declared_codes.update({p.code: p for p in domain.permissions})
    app.extensions[DOMAINS_KEY] = tuple(domains)
    for domain in domains:
        for mount in domain.blueprints:
            if mount.enabled_by is None or app.config[mount.enabled_by]:
                api.register_blueprint(mount.blueprint, url_prefix=mount.url_prefix)
        for command in domain.cli:
            app.cli.add_command(command)
        for event, handlers in domain.handlers.items():
            for handler in handlers:
                subscribe(app, event, handler)
        if domain.init_app is not None:
            domain.init_app(app)


def registered_domains(app: Flask | None = None) -> tuple[Domain, ...]:
    return (app or current_app).extensions[DOMAINS_KEY]


def declared_permissions(app: Flask | None = None) -> dict[str, PermissionCode]:
    """Every permission code the app's domains declare, in declaration order."""
    return {p.code: p for domain in registered_domains(app) for p in domain.permissions}


def default_group_codes(group: str, app: Flask | None = None) -> list[str]:
    """The codes a default group starts with (Administrators: all of them)."""
    declared = declared_permissions(app).values()
    return [p.code for p in declared if group == ADMINISTRATORS or group in p.default_groups]


def seed_all() -> list[str]:
    """Run every domain's seed steps in the current transaction, in the order of the domains.

    Safe to run again on a seeded database; the caller commits. Returns the notices to show the
    operator once.
    """
    # Replicas that start together all seed: the lock makes them take turns, and each later one
    # finds the rows the first committed (the lock is held until the caller's commit).
    db.session.execute(select(func.pg_advisory_xact_lock(SEED_LOCK_KEY)))
    notices = [step() for domain in registered_domains() for step in domain.seed_steps]
    return [notice for notice in notices if notice]


class _DeclaredCodes(Sequence[str]):
    """The declared permission codes, read when used rather than when a schema is built."""

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return list(_declared_codes)[index]

    def __len__(self) -> int:
        return len(_declared_codes)

    def __iter__(self) -> Iterator[str]:
        return iter(list(_declared_codes))

    def __contains__(self, code: object) -> bool:
        return code in _declared_codes


class DeclaredPermissionCode(validate.OneOf):
    """Accepts (and documents as an enum) every declared permission code."""

    def __init__(self) -> None:
        super().__init__(_DeclaredCodes())

    @property
    def choices_text(self) -> str:
        return ", ".join(self.choices)

    @choices_text.setter
    def choices_text(self, value: str) -> None:
        pass  # computed when used: the codes are not known when the schema is built
