"""The resolver every endpoint-group function uses: validation, decoded path parameters, the SPEC
error mapping, and the Lambda entry point (body limits, idempotency, one log line and the
figures of annex.telemetry per request)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from re import Match
from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from annex import idempotency, telemetry
from annex.api import sendbird_v3
from annex.api.body import as_json, strict_json
from annex.api.exchange import comma_lists, error_response, internal_error
from annex.errors import AnnexError, BadRequest, NotFound, describe
from annex.store.table import service_error

logger = Logger(service="annex")

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class Resolver(APIGatewayRestResolver):
    """Powertools' REST resolver whose handlers receive their path parameters decoded.

    Routes match the raw path (``/open_channels/c%2F1`` is the channel ``c/1``, not a deeper
    route), so each parameter is percent-decoded once here, after the match, as API Gateway
    decodes ``pathParameters``.
    """

    def _convert_matches_into_route_keys(self, match: Match[str]) -> dict[str, str]:
        return {name: unquote(value) for name, value in match.groupdict().items()}


def create_app() -> Resolver:
    """A resolver with request validation and the SPEC error mapping installed."""
    app = Resolver(enable_validation=True, json_body_deserializer=strict_json, response_validation_error_http_code=500)

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
        return internal_error()

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
        return internal_error()
    logger.warning("DynamoDB fault mapped to %s", mapped.status, extra={"code": mapped.code})
    return error_response(mapped)


def lambda_handler(app: APIGatewayRestResolver) -> Handler:
    """The function's entry point: request-size limit, routing, one structured log line and the
    figures (``annex.telemetry``) per request.

    The line carries the correlation id (API Gateway's request id), the application id, the route,
    the status and an error's code; never the event, its headers or the Api-Token. Every answer is
    ``Cache-Control: no-store``.
    """

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
    @telemetry.instrument
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        started = time.perf_counter()
        route = f"{event.get('httpMethod')} {event.get('resource')}"
        try:
            # Repeated query parameters joined; a /v3 request runs as its native twin, answered as Sendbird does.
            request = comma_lists(as_json(event))
            with telemetry.segment(route):
                response = sendbird_v3.serve(request, lambda native: idempotency.run(app.resolve, native, context))
        except AnnexError as err:  # a body too large or not UTF-8, a /v3 filter Annex cannot apply: refused first
            response = {
                "statusCode": err.status,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(err.body()),
            }
        status = int(response.get("statusCode") or 500)
        code = _error_code(response) if status >= 400 else None
        telemetry.request(route, status, code)
        # Answers are one application's data: no cache on the way may keep them (#16).
        response["headers"] = (response.get("headers") or {}) | {"Cache-Control": "no-store"}
        if response.get("multiValueHeaders"):
            response["multiValueHeaders"] = response["multiValueHeaders"] | {"Cache-Control": ["no-store"]}
        logger.info(
            "request",
            extra={
                "method": event.get("httpMethod"),
                "route": event.get("resource"),
                "app_id": ((event.get("requestContext") or {}).get("authorizer") or {}).get("app_id"),
                "status": status,
                "code": code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    return handler


def _error_code(response: dict[str, Any]) -> str:
    """The ``code`` of an error answer's body (Annex's or Sendbird's shape), else ``unknown``."""
    try:
        body = json.loads(response.get("body") or "{}")
    except ValueError:
        return "unknown"
    code = body.get("code") if isinstance(body, dict) else None
    return str(code) if isinstance(code, str | int) else "unknown"
