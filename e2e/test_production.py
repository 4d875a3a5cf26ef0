"""The production path, without Docker: backend/Dockerfile's steps run outside the repository.

Its final stage is followed as written: the files it COPYs go into an application directory
(the SPA from this checkout's `frontend/dist`, which its Node stage builds), `pip install .` becomes
building the wheel there and installing it into a fresh venv, its ENV is applied, and its CMD
(`db upgrade`, `seed`, gunicorn) is started with `VIOLET_ENV=production` and real secrets, against
a PostgreSQL of its own (a second embedded server). Two instances start together on one database,
like replicas behind a load balancer.
"""

from __future__ import annotations

import json
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from api_client import ApiCallError, ApiClient
from live_server import REPO_ROOT, free_port, wait_until_up
from stix import write_bundle

DOCKERFILE = REPO_ROOT / "backend" / "Dockerfile"
ADMIN_EMAIL = "admin@production.test"
ADMIN_PASSWORD = secrets.token_urlsafe(18)


def final_stage(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile's last stage, continuations joined."""
    instructions: list[tuple[str, str]] = []
    for line in re.sub(r"\\\n\s*", " ", dockerfile).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        if keyword.upper() == "FROM":
            instructions = []
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


@dataclass
class Image:
    """What `docker build` would have made: an app directory, a venv, an environment, a CMD."""

    app_dir: Path
    venv: Path
    env: dict[str, str]
    cmd: list[str]


def build_without_docker(root: Path) -> Image:
    app_dir, venv = root / "app", root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    env: dict[str, str] = {}
    cmd: list[str] = []
    workdir = Path("/")
    for instruction, arguments in final_stage(DOCKERFILE.read_text()):
        if instruction == "WORKDIR":
            workdir = Path(arguments)
        elif instruction == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(arguments))
        elif instruction == "COPY":
            *sources, destination = arguments.split()
            if sources[0].startswith("--from="):
                # The Node stage's `npm run build` output is what `make frontend` builds here.
                assert sources[1].endswith("frontend/dist"), arguments
                sources = ["frontend/dist"]
            target = app_dir / destination
            for source in sources:
                copy_into(REPO_ROOT / source.rstrip("/"), target, destination)
        elif instruction == "RUN":
            assert "pip install --no-cache-dir . " in arguments + " ", arguments
            wheels = root / "wheels"
            subprocess.run(
                [*pip, "wheel", "--no-deps", "-w", str(wheels), "."], cwd=app_dir, check=True
            )
            subprocess.run([*pip, "install", *map(str, wheels.glob("violet-*.whl"))], check=True)
        elif instruction == "CMD":
            cmd = json.loads(arguments)
    # The image's WORKDIR (/app) is this app directory.
    env = {name: str(app_dir) if value == str(workdir) else value for name, value in env.items()}
    return Image(app_dir, venv, env, cmd)


def copy_into(source: Path, target: Path, destination: str) -> None:
    if source.is_dir():
        # What .dockerignore keeps out of the build context.
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    elif destination.endswith("/"):
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / source.name)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


@dataclass
class Instance:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    if not (REPO_ROOT / "frontend" / "dist" / "index.html").is_file():
        pytest.exit("frontend/dist is missing: run `make frontend` (make e2e does it)", 2)
    return build_without_docker(tmp_path_factory.mktemp("production"))


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A separate PostgreSQL: a second embedded server, in its own data directory."""
    from violet.core import embedded_db

    return embedded_db.database_url(tmp_path_factory.mktemp("postgres"), "violet_production")


@pytest.fixture(scope="module")
def instances(image: Image, database_url: str) -> Iterator[list[Instance]]:
    """Two instances of the image started together on one database (replicas)."""
    secret_env = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "WEB_CONCURRENCY": "2",
    }
    started = []
    for number in range(2):
        port = free_port()
        env = {
            "PATH": f"{image.venv / 'bin'}:/usr/bin:/bin",
            "HOME": str(image.app_dir),
            **image.env,
            **secret_env,
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        assert env["VIOLET_ENV"] == "production"
        log = image.app_dir.parent / f"instance-{number}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                image.cmd, cwd=image.app_dir, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        started.append(Instance(f"http://127.0.0.1:{port}", process, log))
    try:
        for instance in started:
            wait_until_up(f"{instance.base_url}/api/v1/diag/health", instance.process, timeout=180)
        yield started
    finally:
        for instance in started:
            instance.process.terminate()
        for instance in started:
            instance.process.wait(timeout=30)
            print(f"--- {instance.base_url}\n{instance.log.read_text()}")  # shown on failure


def fetch(url: str) -> tuple[int, str, str]:
    """GET `url` → (status, content type, body)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def test_an_installed_instance_serves_health_login_spa_docs_and_sync(instances, tmp_path):
    first, second = instances
    assert fetch(f"{first.base_url}/api/v1/diag/health")[0] == 200

    admin = ApiClient(first.base_url)
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    database = admin.call("GET", "/diag/db")
    assert database["reachable"] is True

    status, content_type, body = fetch(f"{first.base_url}/")
    assert status == 200 and content_type.startswith("text/html")
    assert body == (REPO_ROOT / "frontend" / "dist" / "index.html").read_text()
    status, content_type, body = fetch(f"{first.base_url}/api/docs")
    assert status == 200 and "swagger" in body.lower()

    bundle = tmp_path / "bundle.json"
    write_bundle(bundle)
    synced = admin.sync_mitre_file(bundle)
    assert synced["status"] == "succeeded"
    # The other replica reads the same database.
    assert (
        ApiClient(second.base_url, admin.token).call("GET", "/mitre/status")["counts"]
        == (synced["counts"])
    )


def test_a_token_issued_by_one_instance_works_on_the_other(instances):
    first, second = instances
    signed_in = ApiClient(first.base_url).sign_in(ADMIN_EMAIL, ADMIN_PASSWORD)
    me = ApiClient(second.base_url, signed_in["access_token"]).call("GET", "/auth/me")
    assert me["email"] == ADMIN_EMAIL

    token = ApiClient(first.base_url, signed_in["access_token"]).call(
        "POST",
        "/auth/tokens",
        {"name": "automation", "expires_in_days": 1, "permissions": ["user.read"]},
    )
    users = ApiClient(second.base_url, token["token"]).call("GET", "/users")
    assert ADMIN_EMAIL in [user["email"] for user in users["items"]]


def test_a_login_rate_limit_counted_on_one_instance_holds_on_the_other(instances):
    first, second = instances
    email = "target@production.test"
    for _ in range(10):
        with pytest.raises(ApiCallError) as failure:
            ApiClient(first.base_url).sign_in(email, "wrong password 123")
        assert failure.value.status == 401
    with pytest.raises(ApiCallError) as limited:
        ApiClient(second.base_url).sign_in(email, "wrong password 123")
    assert limited.value.status == 429
