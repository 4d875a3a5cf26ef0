"""Talk to the live server's API from e2e tests (urllib only): sign in, create users and
invitations, upload a MITRE bundle. Errors raise `ApiCallError` carrying the problem body."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The live server seeds (and /diag/reset re-seeds) its admin from these.
ADMIN_EMAIL = "admin@e2e.violet.test"
ADMIN_PASSWORD = "e2e admin password 1"
USER_PASSWORD = "correct horse battery"


class ApiCallError(AssertionError):
    def __init__(self, method: str, path: str, status: int, body: Any):
        super().__init__(f"{method} {path} → {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class ApiClient:
    base_url: str
    token: str | None = None
    # Sent as X-Violet-Workspace (an id or slug) when set; else the user's default workspace.
    workspace: str | None = None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        data: bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        """`method path` with a JSON body (or raw `data`); returns the decoded JSON or None."""
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.workspace:
            headers["X-Violet-Workspace"] = self.workspace
        request = urllib.request.Request(
            f"{self.base_url}/api/v1{path}", data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            raise ApiCallError(method, path, error.code, _decode(raw)) from None
        return _decode(raw)

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        """Log in and keep the access token for later calls; returns the token pair."""
        pair = self.call("POST", "/auth/login", {"email": email, "password": password})
        self.token = pair["access_token"]
        return pair

    def group_ids(self, *names: str) -> list[str]:
        groups = self.call("GET", "/groups?limit=500")["items"]
        by_name = {group["name"]: group["id"] for group in groups}
        return [by_name[name] for name in names]

    def create_user(
        self,
        *,
        email: str | None = None,
        password: str = USER_PASSWORD,
        display_name: str | None = None,
        groups: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """A user with a password (POST /users, needs user.manage) in the named groups."""
        email = email or f"user-{uuid.uuid4().hex[:8]}@e2e.violet.test"
        return self.call(
            "POST",
            "/users",
            {
                "email": email,
                "password": password,
                "display_name": display_name or email.split("@")[0],
                "group_ids": self.group_ids(*groups),
            },
        )

    def create_invitation(
        self, *, email: str | None = None, groups: tuple[str, ...] = ("Analysts",)
    ) -> dict[str, Any]:
        """POST /invitations (needs invitation.manage); the answer has `token` and `accept_url`."""
        email = email or f"invitee-{uuid.uuid4().hex[:8]}@e2e.violet.test"
        return self.call(
            "POST",
            "/invitations",
            {"email": email, "group_ids": self.group_ids(*groups), "expires_in_hours": 24},
        )

    def create_workspace(self, name: str, *, member_ids: tuple[str, ...] = ()) -> dict[str, Any]:
        """POST /workspaces (needs workspace.manage; the creator is its member), then, given
        `member_ids`, those users are its members besides the creator."""
        slug = f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:6]}"
        workspace = self.call("POST", "/workspaces", {"name": name, "slug": slug})
        if member_ids:
            me = self.call("GET", "/auth/me")["id"]
            members = [{"user_id": user_id} for user_id in dict.fromkeys((me, *member_ids))]
            self.call("PUT", f"/workspaces/{workspace['id']}/members", members)
        return workspace

    def create_mission(self, name: str, *, members: dict[str, str] | None = None) -> dict:
        """POST /missions in this client's workspace; `members` (user id → role) replaces the
        members, the caller leading."""
        mission = self.call("POST", "/missions", {"name": name, "status": "active"})
        if members:
            me = self.call("GET", "/auth/me")["id"]
            roles = {me: "lead", **members}
            self.call(
                "PUT",
                f"/missions/{mission['id']}/members",
                [{"user_id": user_id, "role": role} for user_id, role in roles.items()],
            )
        return mission

    def sync_mitre_file(
        self, path: Path, *, allow_unverified: bool = True, **more_fields: str
    ) -> dict[str, Any]:
        """Upload a STIX bundle to POST /mitre/sync as multipart/form-data (with more fields)."""
        fields = {"allow_unverified": "true"} if allow_unverified else {}
        fields |= more_fields
        data, content_type = _multipart(fields, "file", path)
        return self.call("POST", "/mitre/sync", data=data, content_type=content_type)


def admin_client(base_url: str) -> ApiClient:
    client = ApiClient(base_url)
    client.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    return client


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _multipart(fields: dict[str, str], file_field: str, path: Path) -> tuple[bytes, str]:
    boundary = f"violet-e2e-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    parts.append(
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{file_field}"; filename="{path.name}"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + path.read_bytes()
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
