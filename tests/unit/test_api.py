"""The shared resolver: bugs are a logged 500 with the SPEC body, client mistakes their 4xx."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from annex import api
from annex.errors import Conflict


class Out(BaseModel):
    n: int


def _event(path: str, method: str = "GET", body: str | None = None) -> dict[str, Any]:
    return {
        "path": path,
        "httpMethod": method,
        "resource": path,
        "headers": {},
        "body": body,
        "requestContext": {"requestId": "r", "authorizer": {"app_id": "a"}},
        "isBase64Encoded": False,
    }


class Context:
    function_name, memory_limit_in_mb, invoked_function_arn, aws_request_id = "f", 128, "arn", "r"


app = api.create_app()


@app.get("/bug")
def bug() -> dict[str, Any]:
    raise RuntimeError("secret internals")


@app.get("/bad-response")
def bad_response() -> Out:
    return {"n": "not a number"}  # type: ignore[return-value]


@app.get("/conflict")
def conflict() -> dict[str, Any]:
    raise Conflict("taken", code="already_exists")


@app.get("/transaction-conflict")
def transaction_conflict() -> dict[str, Any]:
    error = {"Error": {"Code": "TransactionConflictException", "Message": "Transaction is ongoing for the item"}}
    raise ClientError(error, "UpdateItem")  # type: ignore[arg-type]


@app.get("/echo/<first>/<second>")
def echo(first: str, second: str) -> dict[str, Any]:
    return {"first": first, "second": second}


handler = api.lambda_handler(app)


def call(path: str) -> tuple[int, dict[str, Any]]:
    response = handler(_event(path), Context())  # type: ignore[arg-type]
    return response["statusCode"], json.loads(response["body"])


def test_a_bug_is_500_with_the_spec_body_and_no_internals() -> None:
    assert call("/bug") == (500, {"error": True, "code": "internal_error", "message": "Internal error"})


def test_a_response_that_breaks_its_model_is_500_not_a_client_error() -> None:
    assert call("/bad-response")[0] == 500


def test_domain_errors_keep_their_status_and_code() -> None:
    assert call("/conflict") == (409, {"error": True, "code": "already_exists", "message": "taken"})
    assert call("/nowhere")[0] == 404


def test_a_write_that_met_a_transaction_in_progress_is_a_retryable_409() -> None:
    status, body = call("/transaction-conflict")
    assert status == 409 and body["code"] == "concurrent_update"
    assert "ongoing" not in body["message"]


def test_path_parameters_reach_the_handler_decoded_once_after_the_route_matched() -> None:
    # %2F is a slash inside one parameter (it does not split the path); %2525 decodes to %25, not %.
    assert call("/echo/c%2F1/a%20b%2525") == (200, {"first": "c/1", "second": "a b%25"})
