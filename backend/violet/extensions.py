"""Flask extensions, created once here and bound to the app in `create_app`."""

from flask_jwt_extended import JWTManager
from flask_migrate import Migrate
from flask_smorest import Api, Blueprint
from flask_sqlalchemy import SQLAlchemy

from violet.core.errors import PROBLEM_JSON, ProblemSchema
from violet.core.json_types import StrictJsonParser
from violet.core.models import Base


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
api = VioletApi()
