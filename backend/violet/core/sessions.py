"""Flask's cookie session, switched off: Violet keeps no state in it."""

from __future__ import annotations

from typing import Any

from flask.sessions import SessionInterface


class NoCookieSession(SessionInterface):
    """Every request gets Flask's null session (writing to it raises), and no cookie is set."""

    def open_session(self, app: Any, request: Any) -> None:
        return None  # Flask then hands the request its null session

    def save_session(self, app: Any, session: Any, response: Any) -> None:
        return None
