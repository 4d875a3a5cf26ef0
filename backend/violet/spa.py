"""Serve the built SPA (`frontend/dist`) at `/`, falling back to index.html for client routes."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, request, send_from_directory
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.security import safe_join

from violet.core.errors import problem


def register(app: Flask) -> None:
    dist = Path(app.config["FRONTEND_DIST"])

    API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    @app.route("/api", defaults={"path": ""}, methods=API_METHODS)
    @app.route("/api/<path:path>", methods=API_METHODS)
    def unknown_api_path(path: str) -> Response:
        """Unknown API paths are problem+json 404s, never the SPA's HTML, whatever the method.

        A known path called with a method it does not have lands here too (this rule takes
        every method): that is a 405 naming the methods it does have.
        """
        allowed = methods_of(request.path)
        if allowed:
            raise MethodNotAllowed(valid_methods=allowed)
        abort(404)

    def methods_of(path: str) -> list[str]:
        adapter = app.url_map.bind_to_environ(request.environ)
        allowed = []
        for method in API_METHODS:
            try:
                endpoint, _ = adapter.match(path, method=method)
            except HTTPException:
                continue
            if endpoint != "unknown_api_path":
                allowed.append(method)
        return allowed

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def spa(path: str) -> Response:
        if not (dist / "index.html").is_file():
            return problem(
                503, "The web interface is not built yet; run `make frontend` (or `make run`)."
            )
        # A path that leaves the build directory is treated exactly like a missing file: both
        # get index.html, so the answer says nothing about files elsewhere on the server.
        inside = safe_join(str(dist), path) if path else None
        if inside is not None and Path(inside).is_file():
            response = send_from_directory(dist, path)
            if path.startswith("assets/"):
                # Vite fingerprints asset names, so they can be cached forever.
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            return response
        response = send_from_directory(dist, "index.html")
        response.headers["Cache-Control"] = "no-cache"
        return response
