"""What every endpoint-group function shares: the resolver, auth context, limits and error mapping.

Handlers in ``functions/`` only parse (pydantic models via Powertools validation), call the
domain and answer; every error becomes the SPEC body ``{"error": true, "code", "message"}`` here.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from annex import idempotency, sendbird_v3
from annex.errors import AnnexError, BadRequest, NotFound, PayloadTooLarge, PreconditionFailed, Unauthorized, describe
from annex.store.table import service_error

MAX_BODY_BYTES = 1024 * 1024
logger = Logger(service="annex")

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def error_response(err: AnnexError) -> Response[Any]:
    return Response(
        status_code=err.status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(err.body()),
        headers=err.headers or None,
    )


def create_app() -> APIGatewayRestResolver:
    """A resolver with request validation and the SPEC error mapping installed."""
    app = APIGatewayRestResolver(
        enable_validation=True, json_body_deserializer=strict_json, response_validation_error_http_code=500
    )

    @app.exception_handler(AnnexError)
    def _annex(err: AnnexError) -> Response[Any]:
        return error_response(err)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(err: RequestValidationError) -> Response[Any]:
        return error_response(BadRequest(describe(err.errors()), code="invalid_request"))

    @app.exception_handler(Exception)
    def _bug(_: Exception) -> Response[Any]:
        """Anything else is Annex's fault (a response that breaks its model included): logged, 500."""
        logger.exception("Unhandled error")
        return _internal_error()

    @app.exception_handler(NotFoundError)
    def _no_route(_: NotFoundError) -> Response[Any]:
        return error_response(NotFound(f"No route for {app.current_event.http_method} {app.current_event.path}"))

    @app.exception_handler(ClientError)
    def _dynamodb(err: ClientError) -> Response[Any]:
        return _service_fault(err)

    @app.exception_handler(BotoCoreError)
    def _botocore(err: BotoCoreError) -> Response[Any]:
        return _service_fault(err)

    return app


def _service_fault(err: ClientError | BotoCoreError) -> Response[Any]:
    mapped = service_error(err)
    if mapped is None:
        logger.exception("Unexpected DynamoDB error")
        return _internal_error()
    logger.warning("DynamoDB fault mapped to %s", mapped.status, extra={"code": mapped.code})
    return error_response(mapped)


MAX_JSON_DEPTH = 32


def strict_json(body: str) -> Any:
    """JSON as Annex accepts it: finite numbers, at most 32 levels deep, no unpaired surrogates."""

    def refuse(constant: str) -> Any:
        raise BadRequest(f"{constant} is not a JSON number", code="invalid_request")

    def finite(text: str) -> float:
        number = float(text)
        if not math.isfinite(number):
            raise BadRequest(f"{text[:20]} is out of the range of a JSON number", code="invalid_request")
        return number

    try:
        value = json.loads(body, parse_constant=refuse, parse_float=finite)
    except json.JSONDecodeError:
        raise  # Powertools answers it as an invalid body
    except ValueError:  # e.g. an integer of more than 4300 digits
        raise BadRequest("The body holds a number that is too large", code="invalid_request") from None
    except RecursionError:
        raise BadRequest(f"The body nests more than {MAX_JSON_DEPTH} levels", code="invalid_request") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise BadRequest(f"The body nests more than {MAX_JSON_DEPTH} levels", code="invalid_request")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("The body has a string that is not valid Unicode", code="invalid_request") from None
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _internal_error() -> Response[Any]:
    return Response(
        status_code=500,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": True, "code": "internal_error", "message": "Internal error"}),
    )


def tenant(app: APIGatewayRestResolver) -> str:
    """The application id the authorizer resolved from the Api-Token header."""
    app_id = app.current_event.request_context.authorizer.get("app_id")
    if not app_id:
        raise Unauthorized("Missing or unknown Api-Token")
    return str(app_id)


def csv(value: str | None) -> list[str] | None:
    """A comma-separated query parameter (keys never contain commas); given repeated, its values
    arrive joined (see ``_as_json``)."""
    if value is None:
        return None
    return [part for part in value.split(",") if part]


def tagged(body: Any, version: int) -> Response[Any]:
    """A 200 JSON answer carrying the resource's version as its ETag."""
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=body,  # serialized (and checked against the route's response model) by the resolver
        headers={"ETag": f'"{version}"'},
    )


def if_match(app: APIGatewayRestResolver) -> int | None:
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


def lambda_handler(app: APIGatewayRestResolver) -> Handler:
    """The function's entry point: request-size limit, routing, and one structured log line per request.

    The line carries the correlation id (API Gateway's request id), the route and the status; never
    the event, its headers or the Api-Token.
    """

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            response = sendbird_v3.serve(_as_json(event), lambda native: idempotency.run(app.resolve, native, context))
        except AnnexError as err:  # a body that is too large or not UTF-8: refused before parsing
            response = {
                "statusCode": err.status,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(err.body()),
            }
        logger.info(
            "request",
            extra={
                "method": event.get("httpMethod"),
                "route": event.get("resource"),
                "status": response.get("statusCode"),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    return handler


def _as_json(event: dict[str, Any]) -> dict[str, Any]:
    """The event with a UTF-8 text body of at most 1 MiB, read as JSON whatever Content-Type the
    client sent (curl -d says form-urlencoded)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        if len(body) * 3 // 4 > MAX_BODY_BYTES:
            raise PayloadTooLarge("The body is larger than 1 MiB")
        try:
            body = base64.b64decode(body).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise BadRequest("The body is not UTF-8 JSON", code="invalid_request") from None
    if len(body.encode("utf-8", errors="surrogatepass")) > MAX_BODY_BYTES:
        raise PayloadTooLarge("The body is larger than 1 MiB")
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    multi = {k: v for k, v in (event.get("multiValueHeaders") or {}).items() if k.lower() != "content-type"}
    headers["Content-Type"], multi["Content-Type"] = "application/json", ["application/json"]
    fixed = {"headers": headers, "multiValueHeaders": multi, "body": body or None, "isBase64Encoded": False}
    return event | fixed | _comma_lists(event)


def _comma_lists(event: dict[str, Any]) -> dict[str, Any]:
    """A query parameter given more than once (``keys=a&keys=b``) read as its comma list (``keys=a,b``):
    a list parameter takes it as given once, a single-valued one refuses it (400), never picks one."""
    multi = event.get("multiValueQueryStringParameters") or {}
    joined = {name: ",".join(values) for name, values in multi.items() if len(values) > 1}
    if not joined:
        return {}
    return {
        "queryStringParameters": (event.get("queryStringParameters") or {}) | joined,
        "multiValueQueryStringParameters": multi | {name: [value] for name, value in joined.items()},
    }
