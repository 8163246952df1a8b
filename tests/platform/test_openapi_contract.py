"""The OpenAPI document states what the server does (issue "Trust" #15): every status code,
every constraint, a summary in Vietnamese with English. Before, it listed only 200/201 and no
length, non-empty or required constraints."""

import json

import pytest

from kcb06.limits import MAX_ID

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    from django.core.serializers.json import DjangoJSONEncoder

    from kcb06.api import api

    return json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_the_document_is_served(api_client):
    response = api_client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json()["paths"]


def test_every_operation_has_a_summary_in_vietnamese_with_english(schema):
    for name, operation in operations(schema):
        summary = operation.get("summary", "")
        vi, _, en = summary.partition(" / ")
        assert vi and en, f"{name}: summary {summary!r} is not 'Tiếng Việt / English'"
        assert not vi.isascii(), f"{name}: {vi!r} has no Vietnamese"


def test_every_operation_documents_its_error_codes(schema):
    for name, operation in operations(schema):
        codes = set(operation["responses"])
        if name == "GET /api/v1/health":
            assert {"200", "500", "503"} <= codes
            continue
        assert {"401", "403", "422", "500", "503"} <= codes, name
        if "requestBody" in operation:
            assert "413" in codes, f"{name}: a body can be too large"
        for code in codes - {"200", "201"}:
            content = operation["responses"][code]["content"]["application/json"]
            error = resolve(schema, content["schema"])
            assert "error" in error["properties"], f"{name} {code}: not the error shape"
            assert "/" in operation["responses"][code]["description"]


def test_every_path_id_is_a_positive_64_bit_integer(schema):
    seen = 0
    for name, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                seen += 1
                assert parameter["schema"]["type"] == "integer", name
                assert parameter["schema"]["minimum"] == 1, name
                assert parameter["schema"]["maximum"] == MAX_ID, name
    assert seen >= 7


def _strings(schema, node, where):
    node = resolve(schema, node)
    for variant in node.get("anyOf", []):
        yield from _strings(schema, variant, where)
    if node.get("type") == "string" and "format" not in node and "enum" not in node:
        yield where, node
    if node.get("type") == "array":
        yield from _strings(schema, node["items"], where + "[]")
    for key, prop in node.get("properties", {}).items():
        yield from _strings(schema, prop, f"{where}.{key}")


def test_every_string_in_a_request_body_has_a_maximum_length(schema):
    for name, operation in operations(schema):
        if "requestBody" not in operation:
            continue
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        for where, node in _strings(schema, body, name):
            assert "maxLength" in node, f"{where}: no maxLength"


def test_every_list_in_a_request_body_has_a_maximum_count(schema):
    body = resolve(schema, {"$ref": "#/components/schemas/ClosureIn"})
    for key in ("prescriptions", "results", "services", "progress_notes", "secondary_icd10"):
        assert body["properties"][key]["maxItems"] == 100, key


def test_required_and_non_empty_fields_are_stated(schema):
    check_in = resolve(schema, {"$ref": "#/components/schemas/CheckInIn"})
    assert set(check_in["required"]) == {"scan", "department"}
    assert check_in["properties"]["scan"]["minLength"] == 1
    search = resolve(schema, {"$ref": "#/components/schemas/SearchIn"})
    assert search["required"] == ["name"] and search["properties"]["name"]["minLength"] == 1
    assert search["properties"]["name"]["maxLength"] == 200


def test_the_health_book_says_it_answers_fhir_json(schema):
    operation = schema["paths"]["/api/v1/patients/{patient_id}/healthbook"]["get"]
    assert "application/fhir+json" in operation["responses"]["200"]["content"]


def test_the_served_document_has_no_duplicate_keys(api_client):
    """A Python dict can hold 200 and "200" side by side; the JSON then names "200" twice and
    Swagger UI refuses the whole document ("duplicated mapping key")."""
    duplicates = []

    def refuse_duplicates(pairs):
        keys = [key for key, _ in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(api_client.get("/api/v1/openapi.json").content, object_pairs_hook=refuse_duplicates)
    assert duplicates == []
