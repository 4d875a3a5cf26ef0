"""Response headers that make the browser enforce what the server means, and the proxy setting.

- The SPA and everything else: a Content-Security-Policy with `script-src 'self'` (no inline
  script) and `frame-ancestors 'none'`. Styles may be inline: Mantine sets style attributes.
- The Swagger UI page (`/api/docs`) keeps working under its own policy: flask-smorest's page
  starts Swagger UI with an inline script.
- Every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (invitation
  links carry their token in the query string), `X-Frame-Options: DENY` for old browsers.
- Over https: `Strict-Transport-Security` for HSTS_MAX_AGE seconds (0 turns it off).

Behind TRUSTED_PROXY_COUNT reverse proxies the client address and scheme come from their
X-Forwarded-For / X-Forwarded-Proto; with 0 (the default) those headers are never trusted.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

SPA_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
API_DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)
API_DOCS_PATH = "/api/docs"


def content_security_policy(path: str) -> str:
    if path == API_DOCS_PATH or path.startswith(API_DOCS_PATH + "/"):
        return API_DOCS_POLICY
    return SPA_POLICY


def register(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    hsts_max_age = app.config["HSTS_MAX_AGE"]

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(request.path))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure and hsts_max_age > 0:
            headers.setdefault(
                "Strict-Transport-Security", f"max-age={hsts_max_age}; includeSubDomains"
            )
        return response
