"""Checks a real response against what the OpenAPI document declares for its operation.

`SpecChecker(spec).check(response)` answers the list of disagreements (empty when the response
is what the document says): the operation exists, its status code is declared (not only through
`default`), the content type is the declared one (`application/problem+json` for every error),
the body validates against the declared schema (OpenAPI 3.0: `nullable`, `readOnly`), no object
carries a field the schema does not name, and every header worth declaring (`ETag`) is declared.
"""

from __future__ import annotations

import re
from typing import Any

from openapi_schema_validator import OAS30ReadValidator

# Headers a client acts on: when a response sends one, the operation must declare it.
DECLARED_HEADERS = ("ETag", "Retry-After")


class SpecChecker:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas = spec["components"]["schemas"]
        self.paths: list[tuple[re.Pattern[str], str]] = []
        for template in spec["paths"]:
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self.paths.append((re.compile(f"^{pattern}$"), template))
        # Literal paths first (`/tests/order` before `/tests/{test_id}`).
        self.paths.sort(key=lambda entry: entry[1].count("{"))

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for pattern, template in self.paths:
            if pattern.match(path):
                operation = self.spec["paths"][template].get(method.lower())
                if operation is not None:
                    return template, operation
        return None

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            _, section, name = node["$ref"].rsplit("/", 2)
            node = self.spec["components"][section][name]
        return node

    def check(self, response: Any) -> list[str]:
        method, path = response.request.method, response.request.path
        if method in ("HEAD", "OPTIONS"):
            return []
        found = self.operation(method, path)
        where = f"{method} {path} → {response.status_code}"
        if found is None:
            return [f"{where}: no such operation in the spec"]
        template, operation = found
        where = f"{method} {template} → {response.status_code}"
        responses = operation["responses"]
        status = str(response.status_code)
        if status not in responses:
            problems = [f"{where}: status not declared (only `default` covers it)"]
            declared = self.resolve(responses["default"])
        else:
            problems = []
            declared = self.resolve(responses[status])
        for header in DECLARED_HEADERS:
            if header in response.headers and header not in declared.get("headers", {}):
                problems.append(f"{where}: sends {header} but does not declare it")
        content = declared.get("content")
        if response.status_code in (204, 304):
            if response.data:
                problems.append(f"{where}: a body on {status}")
            return problems
        mimetype = response.mimetype
        if response.status_code >= 400 and mimetype != "application/problem+json":
            problems.append(f"{where}: an error as {mimetype}")
        if not content:
            problems.append(f"{where}: a {mimetype} body, none declared")
            return problems
        if mimetype not in content:
            problems.append(f"{where}: {mimetype} but the spec declares {sorted(content)}")
            return problems
        schema = content[mimetype].get("schema")
        if schema is None or not mimetype.endswith("json"):
            return problems
        body = response.get_json()
        validator = OAS30ReadValidator({**schema, "components": self.spec["components"]})
        for error in sorted(validator.iter_errors(body), key=lambda error: list(error.path)):
            location = "/".join(str(part) for part in error.absolute_path)
            problems.append(f"{where}: /{location}: {error.message[:300]}")
        problems += [f"{where}: {extra}" for extra in self.undeclared(body, schema, "")]
        return problems

    def undeclared(self, value: Any, schema: dict[str, Any], location: str) -> list[str]:
        """Fields present in the body that the schema does not name (a client drops them)."""
        schema = self.resolve(schema)
        for combined in ("allOf", "oneOf", "anyOf"):
            if combined in schema:
                return []  # not used by Violet's schemas; not worth walking here
        found: list[str] = []
        if isinstance(value, dict) and schema.get("type", "object") == "object":
            properties = schema.get("properties")
            if properties is None:
                return []  # a free-form object (additionalProperties)
            for key, item in value.items():
                if key in properties:
                    found += self.undeclared(item, properties[key], f"{location}/{key}")
                elif not schema.get("additionalProperties"):
                    found.append(f"{location}/{key}: not in the schema")
        elif isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value[:50]):
                found += self.undeclared(item, schema["items"], f"{location}/{index}")
        return found
