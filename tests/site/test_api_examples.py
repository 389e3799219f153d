"""Every write operation of the API documents a request example, and each example is valid against
the operation's own request schema, so a case system's developer can copy one and send it."""

import json

import jsonschema
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

WRITES = {
    ("post", "/api/v1/referrals/"),
    ("put", "/api/v1/referrals/{public_id}/"),
    ("patch", "/api/v1/referrals/{public_id}/"),
    ("post", "/api/v1/referrals/{public_id}/withdraw/"),
    ("put", "/api/v1/referrals/by-ref/{external_ref}"),
    ("post", "/api/v1/visits/"),
    ("post", "/api/v1/aftercare/follow-ups/{public_id}/record/"),
    ("post", "/api/v1/moveon/actions/"),
    ("patch", "/api/v1/moveon/actions/{public_id}/"),
}


def _document() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def _json_schema(schema):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's null type; everything else as it is."""
    if isinstance(schema, list):
        return [_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {name: _json_schema(value) for name, value in schema.items() if name != "nullable"}
    if schema.get("nullable"):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if "$ref" in converted or "allOf" in converted or "oneOf" in converted:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def test_every_write_operation_has_a_request_example_valid_against_its_schema():
    document = _document()
    components = _json_schema(document["components"])
    found = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch") or "requestBody" not in operation:
                continue
            found.add((method, path))
            content = operation["requestBody"]["content"]["application/json"]
            examples = content.get("examples") or {}
            assert examples, f"{method.upper()} {path} has no request example"
            schema = {**_json_schema(content["schema"]), "components": components}
            for name, example in examples.items():
                errors = [
                    error.message
                    for error in jsonschema.Draft7Validator(schema).iter_errors(example["value"])
                ]
                assert not errors, f"{method.upper()} {path} example {name!r}: {errors}"
    assert found == WRITES


def test_an_invalid_example_would_be_caught():
    """The check above is not vacuous: a wrong value in the referral example fails it."""
    document = _document()
    content = document["paths"]["/api/v1/referrals/"]["post"]["requestBody"]["content"]["application/json"]
    [example] = content["examples"].values()
    wrong = {**example["value"], "urgency": "whenever"}
    schema = {**_json_schema(content["schema"]), "components": _json_schema(document["components"])}
    assert not jsonschema.Draft7Validator(schema).is_valid(wrong)
