"""Serve Swagger UI's files from the swagger-ui-bundle package, so `/api/docs` works offline.

flask-smorest renders `/api/docs` and loads Swagger UI from OPENAPI_SWAGGER_UI_URL; by default
that points here instead of a CDN (air-gapped installs are a first-class use of Violet).
"""

from __future__ import annotations

from flask import Flask, Response, send_from_directory
from swagger_ui_bundle import swagger_ui_path

ASSETS_URL = "/api/docs/assets/"


def register(app: Flask) -> None:
    @app.get(f"{ASSETS_URL}<path:filename>")
    def swagger_ui_asset(filename: str) -> Response:
        response = send_from_directory(swagger_ui_path, filename)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response
