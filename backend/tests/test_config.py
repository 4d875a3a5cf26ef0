import pytest

from violet.config import ConfigError, load_config, normalise_database_url

URL = "postgresql+psycopg://u@localhost/violet"


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "SECRET_KEY",
        "JWT_SECRET_KEY",
        "MFA_ENCRYPTION_KEY",
        "VIOLET_ENV",
        "VIOLET_ENABLE_DIAG_RESET",
        "DATABASE_URL",
        "VIOLET_APP_DIR",
        "MIGRATIONS_DIR",
        "FRONTEND_DIST",
        "PUBLIC_BASE_URL",
        "WEB_CONCURRENCY",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


STRONG = {
    "SECRET_KEY": "Yq3vR8kX2mN7pL4wT9sB6dF1hJ5cZ0aE",
    "JWT_SECRET_KEY": "uG7nK2xQ9rW4tY6iO1pA3sD8fH5jL0zC",
    "MFA_ENCRYPTION_KEY": "bV4mN8qR2tY7uI1oP5aS9dF3gH6jK0lZ",
}


def set_strong_secrets(env) -> None:
    for name, value in STRONG.items():
        env.setenv(name, value)


def test_production_refuses_to_start_without_secrets(clean_env):
    clean_env.setenv("VIOLET_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY, JWT_SECRET_KEY, MFA_ENCRYPTION_KEY"):
        load_config({"SQLALCHEMY_DATABASE_URI": URL})


def test_without_violet_env_the_mode_is_production_and_dev_secrets_are_never_used(clean_env):
    with pytest.raises(ConfigError, match="VIOLET_ENV=production needs"):
        load_config({"SQLALCHEMY_DATABASE_URI": URL})


@pytest.mark.parametrize(
    "weak",
    [
        "",
        STRONG["JWT_SECRET_KEY"][:31],
        "dev-only-jwt-secret-key-do-not-use-in-production",
        "a" * 32,
        "abcdefg" * 5,
    ],
    ids=["empty", "31 bytes", "the development value", "one character", "seven characters"],
)
def test_production_refuses_weak_secrets(clean_env, weak):
    clean_env.setenv("VIOLET_ENV", "production")
    set_strong_secrets(clean_env)
    clean_env.setenv("JWT_SECRET_KEY", weak)
    with pytest.raises(ConfigError, match="JWT_SECRET_KEY") as refused:
        load_config({"SQLALCHEMY_DATABASE_URI": URL})
    assert "secrets.token_urlsafe(48)" in str(refused.value)


@pytest.mark.parametrize("copied", ["SECRET_KEY", "MFA_ENCRYPTION_KEY"])
def test_production_refuses_two_secrets_that_are_equal(clean_env, copied):
    clean_env.setenv("VIOLET_ENV", "production")
    set_strong_secrets(clean_env)
    clean_env.setenv("JWT_SECRET_KEY", STRONG[copied])
    with pytest.raises(ConfigError, match="must be different values") as refused:
        load_config({"SQLALCHEMY_DATABASE_URI": URL})
    assert "JWT_SECRET_KEY" in str(refused.value) and copied in str(refused.value)
    assert "secrets.token_urlsafe(48)" in str(refused.value)


def test_production_starts_with_secrets_and_never_uses_dev_defaults(clean_env):
    clean_env.setenv("VIOLET_ENV", "production")
    set_strong_secrets(clean_env)
    config = load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL})
    assert config["SECRET_KEY"] == STRONG["SECRET_KEY"]
    assert "dev-only" not in config["JWT_SECRET_KEY"]


def test_production_refuses_the_test_reset_route(clean_env):
    clean_env.setenv("VIOLET_ENV", "production")
    set_strong_secrets(clean_env)
    clean_env.setenv("VIOLET_ENABLE_DIAG_RESET", "1")
    with pytest.raises(ConfigError, match="VIOLET_ENABLE_DIAG_RESET"):
        load_config({"SQLALCHEMY_DATABASE_URI": URL})


def test_development_has_throwaway_secrets(clean_env):
    clean_env.setenv("VIOLET_ENV", "development")
    config = load_config({"SQLALCHEMY_DATABASE_URI": URL})
    assert config["VIOLET_ENV"] == "development"
    assert config["SECRET_KEY"].startswith("dev-only")


def test_missing_database_url_says_what_to_do(clean_env):
    clean_env.setenv("VIOLET_ENV", "development")
    with pytest.raises(ConfigError, match="make run"):
        load_config()


def test_unknown_mode_is_refused(clean_env):
    clean_env.setenv("VIOLET_ENV", "staging")
    with pytest.raises(ConfigError, match="VIOLET_ENV"):
        load_config({"SQLALCHEMY_DATABASE_URI": URL})


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("MAX_CONTENT_LENGTH", "0", "MAX_CONTENT_LENGTH must be 1 or more, got 0"),
        ("HSTS_MAX_AGE", "-1", "HSTS_MAX_AGE must be 0 or more, got -1"),
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT must be 0 or more, got -1"),
        ("JWT_ACCESS_TOKEN_MINUTES", "0", "JWT_ACCESS_TOKEN_MINUTES must be 1 or more, got 0"),
        ("JWT_REFRESH_TOKEN_DAYS", "-3", "JWT_REFRESH_TOKEN_DAYS must be 1 or more, got -3"),
        ("HSTS_MAX_AGE", "a year", "HSTS_MAX_AGE must be an integer, got 'a year'"),
        ("WEB_CONCURRENCY", "abc", "WEB_CONCURRENCY must be an integer, got 'abc'"),
        ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY must be 1 or more, got 0"),
        ("PUBLIC_BASE_URL", "notaurl", "PUBLIC_BASE_URL must be the http(s) address"),
        ("PUBLIC_BASE_URL", "violet.example.org", "PUBLIC_BASE_URL must be the http(s) address"),
        ("PUBLIC_BASE_URL", "ftp://violet.example.org", "PUBLIC_BASE_URL must be"),
        ("PUBLIC_BASE_URL", "https://violet.example.org/?a=1", "PUBLIC_BASE_URL must be"),
        # README: a number out of range stops Violet naming it. libpq waits for ever on a
        # connect timeout of 0, the hang DB_CONNECT_TIMEOUT exists to prevent.
        ("DB_CONNECT_TIMEOUT", "0", "DB_CONNECT_TIMEOUT must be 1 or more, got 0"),
        ("DB_PING_AFTER_IDLE_SECONDS", "-1", "DB_PING_AFTER_IDLE_SECONDS must be 0 or more"),
        ("PORT", "0", "PORT must be 1 or more, got 0"),
        ("PORT", "70000", "PORT must be 65535 or less, got 70000"),
        # Not a level `logging` knows: a traceback from create_app, naming no variable, before.
        ("LOG_LEVEL", "verbose", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_an_impossible_value_is_refused_naming_it(clean_env, name, value, message):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL})
    assert str(refused.value).startswith(message)


def test_the_smallest_sensible_values_are_accepted(clean_env):
    for name, value in (
        ("MAX_CONTENT_LENGTH", "1"),
        ("HSTS_MAX_AGE", "0"),
        ("PUBLIC_BASE_URL", "https://violet.example.org/"),
        ("DB_CONNECT_TIMEOUT", "1"),
        ("DB_PING_AFTER_IDLE_SECONDS", "0"),
        ("PORT", "65535"),
        ("LOG_LEVEL", "debug"),
    ):
        clean_env.setenv(name, value)
    config = load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL})
    assert config["MAX_CONTENT_LENGTH"] == 1 and config["HSTS_MAX_AGE"] == 0
    assert config["PUBLIC_BASE_URL"] == "https://violet.example.org"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] == 1
    assert config["PORT"] == 65535 and config["LOG_LEVEL"] == "DEBUG"


@pytest.mark.parametrize("url", ["postgres://u:p@h:5432/d", "postgresql://u:p@h:5432/d"])
def test_database_urls_use_psycopg3(url):
    assert normalise_database_url(url) == "postgresql+psycopg://u:p@h:5432/d"


def test_the_application_directory_holds_migrations_and_the_spa(clean_env, tmp_path):
    clean_env.setenv("VIOLET_APP_DIR", str(tmp_path))
    config = load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL})
    assert config["MIGRATIONS_DIR"] == str(tmp_path / "migrations")
    assert config["FRONTEND_DIST"] == str(tmp_path / "frontend" / "dist")


def test_each_path_can_be_set_on_its_own(clean_env, tmp_path):
    clean_env.setenv("MIGRATIONS_DIR", str(tmp_path / "history"))
    clean_env.setenv("FRONTEND_DIST", str(tmp_path / "spa"))
    config = load_config({"VIOLET_ENV": "test", "SQLALCHEMY_DATABASE_URI": URL})
    assert config["MIGRATIONS_DIR"] == str(tmp_path / "history")
    assert config["FRONTEND_DIST"] == str(tmp_path / "spa")
