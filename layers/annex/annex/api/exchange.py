"""What a handler reads from the request (tenant, If-Match, comma lists) and how it answers a version."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from annex.errors import AnnexError, PreconditionFailed, Unauthorized


def tenant(app: APIGatewayRestResolver) -> str:
    """The application id the authorizer resolved from the Api-Token header."""
    app_id = app.current_event.request_context.authorizer.get("app_id")
    if not app_id:
        raise Unauthorized("Missing or unknown Api-Token")
    return str(app_id)


def csv(value: str | None) -> list[str] | None:
    """A comma-separated query parameter (keys never contain commas); given repeated, its values
    arrive joined (``comma_lists``)."""
    if value is None:
        return None
    return [part for part in value.split(",") if part]


def key_list(value: str | None) -> list[str] | None:
    """A ``keys`` parameter: comma-separated keys, the spaces around each one ignored, so
    ``?keys=a, b`` (as Sendbird's documentation writes it) asks for ``a`` and ``b``."""
    found = csv(value)
    return None if found is None else [k for k in (part.strip() for part in found) if k]


def comma_lists(event: dict[str, Any]) -> dict[str, Any]:
    """The event with each query parameter given more than once (``keys=a&keys=b``) as its comma
    list (``keys=a,b``): a list parameter takes it as if given once, a single-valued one refuses the
    joined text (400) rather than picking one of its values."""
    multi = event.get("multiValueQueryStringParameters") or {}
    joined = {name: ",".join(values) for name, values in multi.items() if len(values) > 1}
    if not joined:
        return event
    return event | {
        "queryStringParameters": (event.get("queryStringParameters") or {}) | joined,
        "multiValueQueryStringParameters": multi | {name: [value] for name, value in joined.items()},
    }


def if_match(app: BaseRouter) -> int | None:
    """The version an ``If-Match`` header asks for (None without one, or for ``*``).

    A tag that is no version Annex ever gave out cannot match: 412, and nothing is written.
    """
    raw = app.current_event.headers.get("If-Match")  # a case-insensitive mapping
    if raw is None or raw.strip() == "*":
        return None
    tag = raw.strip().removeprefix("W/")
    digits = tag[1:-1]
    if len(tag) >= 3 and tag[0] == tag[-1] == '"' and digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(digits)
    raise PreconditionFailed(f"If-Match {raw!r} matches no version of this resource")


def tagged(body: Any, version: int) -> Response[Any]:
    """A 200 JSON answer carrying the resource's version as its ETag."""
    return with_headers(body, {"ETag": f'"{version}"'})


def with_headers(body: Any, headers: dict[str, str]) -> Response[Any]:
    """A 200 JSON answer with ``headers``."""
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=body,  # serialized (and checked against the route's response model) by the resolver
        headers=headers,
    )


def error_response(err: AnnexError) -> Response[Any]:
    """The SPEC error body ``{"error": true, "code", "message"}`` with the error's status."""
    return Response(
        status_code=err.status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(err.body()),
        headers=err.headers or None,
    )


def internal_error() -> Response[Any]:
    return Response(
        status_code=500,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": True, "code": "internal_error", "message": "Internal error"}),
    )
