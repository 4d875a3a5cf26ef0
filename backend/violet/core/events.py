"""Domain events: one domain reacts to another's without importing its internals.

A domain publishes a named event with keyword data; handlers that other domains declare in their
`Domain(handlers={...})` run synchronously, in the publisher's transaction (same `db.session`).
So a handler's writes commit with the publisher's, and a handler that raises makes the whole
request fail and roll back: nothing is half-written.

    # auth/service/directory.py
    publish(USER_DELETED, user_id=user.id)

    # some_domain/domain.py
    Domain(..., handlers={"user.deleted": [forget_the_user]})

Event names are `resource.past_tense_verb`; the data is plain values (ids), never ORM rows of the
publisher, so handlers depend on the event alone. Built on blinker (a Flask dependency); each
app has its own subscriptions, so tests that build several apps never share handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blinker import Namespace
from flask import Flask, current_app

Handler = Callable[..., None]

_events = Namespace()


def subscribe(app: Flask, event: str, handler: Handler) -> None:
    """Run `handler(**data)` whenever `app` publishes `event`."""

    def receive(sender: Flask, **data: Any) -> None:
        handler(**data)

    # Strong reference: `receive` lives only here. Keyed by app, so each app has its own.
    _events.signal(event).connect(receive, sender=app, weak=False)


def publish(event: str, **data: Any) -> None:
    """Run every handler of `event` now, in the current transaction; their errors propagate."""
    # The app itself, not the proxy: handlers were connected for that object.
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy API
    _events.signal(event).send(app, **data)
