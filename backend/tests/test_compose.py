"""docker-compose.yml cannot run here (no Docker engine), so its shape is checked instead."""

import yaml

from violet.config import REPO_ROOT


def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


def test_services_are_db_and_api():
    assert set(compose()["services"]) == {"db", "api"}


def test_db_is_postgres_17_with_volume_and_healthcheck():
    db = compose()["services"]["db"]
    assert db["image"] == "postgres:17"
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])


def test_api_waits_for_a_healthy_db_and_is_configured_for_production():
    api = compose()["services"]["api"]
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    assert api["build"]["dockerfile"] == "backend/Dockerfile"
    env = api["environment"]
    assert env["VIOLET_ENV"] == "production"
    assert env["DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["DATABASE_URL"]
    # Secrets come from the caller's environment and are required, never defaulted.
    assert env["SECRET_KEY"] == "${SECRET_KEY:?set SECRET_KEY}"
    assert env["JWT_SECRET_KEY"] == "${JWT_SECRET_KEY:?set JWT_SECRET_KEY}"


def test_the_database_password_is_required_never_defaulted():
    services = compose()["services"]
    required = "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == required
    assert (
        f"postgresql://violet:{required}@db:5432/" in services["api"]["environment"]["DATABASE_URL"]
    )


def test_links_point_at_the_published_port_unless_public_base_url_is_set():
    api = compose()["services"]["api"]
    assert api["ports"] == ["${PORT:-8000}:8000"]
    assert (
        api["environment"]["PUBLIC_BASE_URL"]
        == "${PUBLIC_BASE_URL:-http://localhost:${PORT:-8000}}"
    )


def test_dockerfile_runs_migrations_before_gunicorn():
    dockerfile = (REPO_ROOT / "backend" / "Dockerfile").read_text()
    command = dockerfile[dockerfile.index("CMD") :]
    assert command.index("db upgrade") < command.index("gunicorn")
    for path in ("migrations/", "wsgi.py", "gunicorn.conf.py", "frontend/dist"):
        assert path in dockerfile


def test_the_api_keeps_its_data_directory_on_a_volume_the_image_lets_violet_write():
    file = compose()
    api = file["services"]["api"]
    # Evidence files default to VIOLET_DATA_DIR/evidence, and VIOLET_DATA_DIR to /app/var.
    assert "violet-data:/app/var" in api["volumes"]
    assert "violet-data" in file["volumes"]
    dockerfile = (REPO_ROOT / "backend" / "Dockerfile").read_text()
    created = dockerfile.index("chown violet:violet /app/var")
    assert "mkdir -p /app/var" in dockerfile
    assert created < dockerfile.index("USER violet")


def test_the_api_passes_the_evidence_storage_variables_through():
    env = compose()["services"]["api"]["environment"]
    for name in (
        "EVIDENCE_STORAGE",
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ):
        assert env[name] == "${" + name + ":-}"  # unset stays empty: local storage, no S3
    # boto3 takes an empty region for a region named "": its own default instead.
    assert env["AWS_DEFAULT_REGION"] == "${AWS_DEFAULT_REGION:-us-east-1}"
