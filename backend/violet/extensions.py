"""Flask extensions, created once here and bound to the app in `create_app`."""

import re
from typing import Any

from apispec import BasePlugin
from flask_jwt_extended import JWTManager
from flask_migrate import Migrate
from flask_smorest import Api, Blueprint
from flask_sqlalchemy import SQLAlchemy

from violet.core.errors import PROBLEM_JSON, ProblemSchema
from violet.core.json_types import StrictJsonParser
from violet.core.models import Base

WRITES = {"post", "put", "patch", "delete"}


class CommonAnswersPlugin(BasePlugin):
    """Declares the answers that come from Violet's shared machinery rather than from one route,
    so a client generated from the spec knows every status it can get (each a problem+json):

    - 404 on every operation whose path names an object by id (`{…_id}`): an unknown id, one of
      another workspace, or one the caller may not see (docs/api.md);
    - 400 on every operation taking a JSON body: a body that is not JSON at all;
    - 403 on every operation taking `include_deleted`: seeing deleted items needs the
      resource's delete or manage permission (core/auth.py, `check_include_deleted`);
    - 409 on every write but the public sign-in steps: a name taken, a state that forbids it,
      or a concurrent write that got there first (an integrity violation, core/errors.py)."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        names_an_object = re.search(r"\{\w+_id\}", path or "") is not None
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            body = operation.get("requestBody", {}).get("content", {})
            if names_an_object:
                _declare(responses, 404, "NOT_FOUND")
            if "application/json" in body:
                _declare(responses, 400, "BAD_REQUEST")
            queries = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if "include_deleted" in queries:
                _declare(responses, 403, "FORBIDDEN")
            if method in WRITES and operation.get("security") != []:  # public: sign-in steps
                _declare(responses, 409, "CONFLICT")


def _declare(responses: dict[Any, Any], status: int, name: str) -> None:
    # flask-smorest keys its own answers by int, apispec's by str: a route's own wins.
    if status not in responses and str(status) not in responses:
        responses[str(status)] = name


class VioletApi(Api):
    # Document our problem+json body as the error schema of every operation.
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_RESPONSE_CONTENT_TYPE: str  # flask-smorest's, untyped

    def _register_responses(self) -> None:
        """flask-smorest's error responses, documented as what they are: problem+json."""
        content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = content_type


# Every blueprint's JSON bodies are checked against their documented types before loading.
Blueprint.ARGUMENTS_PARSER = StrictJsonParser()

db = SQLAlchemy(model_class=Base)
# Batch mode is for SQLite; on PostgreSQL plain ALTERs read better. The directory comes from the
# app's MIGRATIONS_DIR (create_app), so an installed package finds it too.
migrate = Migrate(render_as_batch=False)
jwt = JWTManager()
api = VioletApi(spec_kwargs={"extra_plugins": [CommonAnswersPlugin()]})
