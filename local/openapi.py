"""The OpenAPI document of the whole API, generated from the functions' Powertools resolvers.

Each endpoint-group function declares its routes and pydantic models; this merges their
schemas into one document, describes the Api-Token header and the SPEC error body, and writes
``docs/openapi.json`` (`python -m local.openapi`; a test fails when the checked-in file is stale).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from local.gateway import load_module
from local.template import ROOT, Template, load

DOCUMENT = ROOT / "docs" / "openapi.json"
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error", "code", "message"],
    "properties": {
        "error": {"type": "boolean", "const": True},
        "code": {"type": "string", "examples": ["invalid_request", "not_found", "key_exists"]},
        "message": {"type": "string"},
    },
}
ERRORS = {
    "400": "Bad input: malformed JSON, wrong type, limit exceeded; nothing was written",
    "401": "Missing or unknown Api-Token",
    "404": "No such resource, key or route",
    "409": "Already exists, or a conflicting concurrent change",
    "413": "Body larger than 1 MiB",
    "414": "URL longer than 8,192 characters (API Gateway's limit): shorten the query parameters",
    "429": "Throttled; retry after Retry-After seconds",
}


def build() -> dict[str, Any]:
    template = Template(load())
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Annex",
            "version": "1.0.0",
            "description": "Metadata, counters and sessions for your application's users and channels.",
        },
        "servers": [{"url": "http://127.0.0.1:3000", "description": "make run"}],
        "paths": {},
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {"ApiToken": {"type": "apiKey", "in": "header", "name": "Api-Token"}},
        },
        "security": [{"ApiToken": []}],
    }
    functions = {route.function.logical_id: route.function for route in template.api_routes()}
    schemas = {
        logical_id: load_module(function, f"annex_openapi_{logical_id}")
        .app.get_openapi_schema()
        .model_dump(mode="json", by_alias=True, exclude_none=True)
        for logical_id, function in sorted(functions.items())
    }
    names = _operation_names(schemas)
    for logical_id, schema in schemas.items():
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                operation["operationId"] = names[(logical_id, method, path)]
                _headers(method, path, operation)
                # The function's group, unless the route names its own (analytics is a sessions operation).
                operation["tags"] = operation.pop("tags", None) or [logical_id.removesuffix("Function").lower()]
                _spec_errors(operation)
            document["paths"].setdefault(path, {}).update(operations)
        for name, component in schema.get("components", {}).get("schemas", {}).items():
            if name not in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
                document["components"]["schemas"][name] = component
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


def _operation_names(schemas: dict[str, dict[str, Any]]) -> dict[tuple[str, str, str], str]:
    """Each operation's id: its handler's name (``create_session``), which is what a generated
    client calls it. A name two functions share (``get_metadata`` of users and of channels) gets
    the function's resource after its verb: ``get_user_metadata``, ``get_channel_metadata``."""
    handler: dict[tuple[str, str, str], str] = {}
    for logical_id, schema in schemas.items():
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                suffix = re.sub(r"\W", "_", path) + "_" + method  # what Powertools appends to the name
                handler[(logical_id, method, path)] = str(operation["operationId"]).removesuffix(suffix)
    owners: dict[str, set[str]] = {}
    for (logical_id, _, _), name in handler.items():
        owners.setdefault(name, set()).add(logical_id)
    names = {}
    for key, name in handler.items():
        if len(owners[name]) > 1:
            verb, _, rest = name.partition("_")
            name = f"{verb}_{key[0].removesuffix('sFunction').lower()}_{rest}"
        names[key] = name
    if len(set(names.values())) != len(names):
        raise ValueError("two operations share an id: rename a handler")
    return names


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'Write only if the resource is still at this version (its ETag, e.g. "7"); else 412.',
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A retry with the same key and body within 24 h answers the first response; another body is 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
ETAG = {"description": "The resource's version, for If-Match", "schema": {"type": "string"}}
# GET routes below a resource that answer a list or an aggregate, not a versioned resource.
UNVERSIONED = frozenset({"/sessions/analytics"})  # an aggregate: no version (paged lists are told by `next`)


def _headers(method: str, path: str, operation: dict[str, Any]) -> None:
    """The version and idempotency headers Annex reads and answers on every route."""
    parameters = operation.setdefault("parameters", [])
    if method in ("put", "patch", "post", "delete"):
        parameters.append(IF_MATCH)
    if method in ("put", "patch", "post"):
        parameters.append(IDEMPOTENCY_KEY)
    ok = operation.get("responses", {}).get("200")
    paged = any(p.get("name") == "next" and p.get("in") == "query" for p in parameters)  # a list answers no ETag
    if method == "get" and ok is not None and path.count("/") > 1 and not paged and path not in UNVERSIONED:
        ok["headers"] = {"ETag": ETAG}
    responses = operation.setdefault("responses", {})
    if method != "get":
        responses["412"] = {
            "description": "If-Match names a version that is no longer current; nothing was written",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }


def _spec_errors(operation: dict[str, Any]) -> None:
    """Powertools documents its own 422 and 500; Annex answers the SPEC error body with these statuses."""
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    responses.pop("500", None)  # Powertools' response-validation 500: a bug, not part of the contract
    for status, description in ERRORS.items():
        responses[status] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


def main() -> int:
    DOCUMENT.write_text(render())
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
