from openapi_spec_validator import validate


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/diag/health" in spec["paths"]


def test_error_responses_are_documented_as_problems(client):
    spec = client.get("/api/v1/openapi.json").json
    assert set(spec["components"]["schemas"]["Problem"]["properties"]) >= {
        "type",
        "title",
        "status",
        "detail",
        "errors",
    }


def test_docs_ui_is_served_without_internet(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert b"/api/docs/assets/swagger-ui-bundle.js" in page.data

    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert len(bundle.data) > 100_000


def test_every_error_of_the_mitre_sync_has_the_problem_schema(client):
    responses = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/mitre/sync"]["post"][
        "responses"
    ]
    errors = {status: answer for status, answer in responses.items() if status.startswith("4")}
    errors |= {status: answer for status, answer in responses.items() if status.startswith("5")}
    assert set(errors) >= {"401", "403", "409", "413", "415", "422", "502"}
    for status, answer in errors.items():
        if "$ref" in answer:  # the shared 401/403 answers carry the Problem schema themselves
            continue
        (content,) = answer["content"].values()
        assert content["schema"] == {"$ref": "#/components/schemas/Problem"}, status


def test_operations_say_what_they_need_in_their_description(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue  # path-level "parameters"
            security = operation.get("security")
            if security == []:  # public
                continue
            description = operation.get("description", "")
            if "x-permissions" in operation:
                assert "Requires permission" in description, (method, path)
            else:
                assert "Needs only sign-in" in description, (method, path)


# The formats JSON Schema (2020-12) and OpenAPI 3 define: a generated client or a validator knows
# these, and would pass over any other name (apispec writes marshmallow's Url as `url`).
STANDARD_FORMATS = {
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
    "json-pointer", "relative-json-pointer", "regex",
    "int32", "int64", "float", "double", "byte", "binary", "password",
}  # fmt: skip


def test_every_format_in_the_spec_is_a_standard_one(client):
    spec = client.get("/api/v1/openapi.json").json
    found: dict[str, str] = {}

    def walk(node, path):
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                found[path] = node["format"]
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}/{index}")

    walk(spec, "")
    assert "/components/schemas/TestTemplateCreate/properties/references/items" in found
    unknown = {path: name for path, name in found.items() if name not in STANDARD_FORMATS}
    assert unknown == {}
