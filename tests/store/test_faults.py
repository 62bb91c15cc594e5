"""DynamoDB faults at every call site of every route: the SDK retries, then the client gets the SPEC
error body with the right status (429 + Retry-After, 503, or the domain's 4xx), never a traceback or a
5xx of ours, and nothing is half-written."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import ReadTimeoutError

from annex.domain import messages
from annex.domain.resources import ChannelRef, create_channel, create_user
from annex.models.resources import ChannelCreate, UserCreate
from annex.store import sessions
from annex.store import table as table_module
from local.engine import Engine
from local.gateway import Containers
from local.template import Template, load

# /v3 runs the native handlers' call sites and passes their errors through untranslated
# (annex/api/sendbird_v3.py): two of its events, one translating a body and one a query, stand for all.
V3_SAMPLES = {"messages_send_message", "users_list_users"}
EVENTS = [
    path
    for path in sorted((Path(__file__).resolve().parents[2] / "events").glob("*/*.json"))
    if path.parent.name != "v3" or path.stem in V3_SAMPLES
]
ROUTES = {(r.method, r.path): r.function for r in Template(load()).routes()}
HANDLERS: dict[str, Containers] = {}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}
SDK_ATTEMPTS = 3  # annex.store.table: retries={"mode": "standard", "total_max_attempts": 3}


@dataclass(frozen=True)
class Fault:
    name: str
    code: str | None  # DynamoDB error code, or None for a timeout
    http_status: int = 400
    answer: int | tuple[int, ...] = 0  # what the client must see
    retried: bool = True
    operations: frozenset[str] | None = None  # call sites it can happen at (None: all)


FAULTS = [
    Fault("provisioned_throughput", "ProvisionedThroughputExceededException", answer=429),
    Fault("throttling", "ThrottlingException", answer=429),
    Fault("internal_error", "InternalServerError", http_status=500, answer=503),
    Fault("timeout", None, answer=503),
    Fault(
        "conditional_check",
        "ConditionalCheckFailedException",
        answer=(400, 404, 409),
        retried=False,
        operations=frozenset(WRITES),
    ),
    Fault(
        "transaction_canceled",
        "TransactionCanceledException",
        answer=(400, 404, 409),
        retried=False,
        operations=frozenset({"TransactWriteItems"}),
    ),
]


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


class Injector:
    """A botocore before-send hook: every matching DynamoDB request fails as ``fault`` says."""

    def __init__(self, fault: Fault):
        self.fault = fault
        self.sent = 0

    def __call__(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        operation = request.headers.get("X-Amz-Target", b"").decode().rsplit(".", 1)[-1]
        if self.fault.operations is not None and operation not in self.fault.operations:
            return None
        self.sent += 1
        if self.fault.code is None:
            raise ReadTimeoutError(endpoint_url=request.url)
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{self.fault.code}", "message": "injected"})
        return AWSResponse(request.url, self.fault.http_status, HTTPHeaders(), _Body(body.encode()))


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    running = Engine("127.0.0.1", 0).start()
    yield running
    running.stop()


@pytest.fixture
def engine_table(aws_env: None, engine: Engine) -> Iterator[Any]:
    """A fresh table in the embedded engine, reached over HTTP as in `make run`.

    (moto's in-process mock would still apply a request whose response a hook replaced.)
    """
    name = f"faults-{uuid.uuid4().hex[:8]}"
    boto3.client("dynamodb", endpoint_url=engine.endpoint).create_table(
        TableName=name, **Template(load()).table_definition()
    )
    with table_module.target(name, engine.endpoint):
        yield table_module.table()


def _seed(app_id: str | None) -> None:
    if app_id is None:  # a public route (the console's files): no application
        return
    create_user(app_id, UserCreate(user_id="alice", metadata={"location": "NYC", "plan": "pro"}))
    create_channel(
        app_id,
        "open_channels",
        ChannelCreate(channel_url="lobby", metadata={"topic": "general"}, metacounter={"visits": 1}),
    )
    sessions.create(app_id, "visit-1", {"user_id": "alice"}, {"plan": "pro"})
    lobby = ChannelRef(app_id, "open_channels", "lobby")
    fields = {"user_id": "alice", "message": "hello", "data": "", "meta": {"mood": "happy"}}
    messages.send(lobby, fields, [("design", ["A", "B"]), ("likes", ["alice"])])  # message 1


def _state(table: Any) -> list[dict[str, Any]]:
    return sorted(table.scan()["Items"], key=lambda i: (i["PK"], i["SK"]))


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
@pytest.mark.parametrize("path", EVENTS, ids=[f"{p.parent.name}/{p.stem}" for p in EVENTS])
def test_fault_answers_the_spec_error_and_writes_nothing(
    engine_table: Any, monkeypatch: pytest.MonkeyPatch, path: Path, fault: Fault
) -> None:
    event = json.loads(path.read_text())
    _seed(event["requestContext"].get("authorizer", {}).get("app_id"))
    before = _state(engine_table)
    function = ROUTES[(event["httpMethod"], event["resource"])]
    handler = HANDLERS.setdefault(function.logical_id, Containers(function))
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _: None)  # keep the SDK's retries, not its waits
    injector = Injector(fault)
    emitters = [engine_table.meta.client.meta.events, table_module.bulk_client().meta.events]
    for events in emitters:
        events.register_first("before-send.dynamodb", injector)
    try:
        response = handler.invoke(event)
    finally:
        for events in emitters:
            events.unregister("before-send.dynamodb", injector)
    if injector.sent == 0:
        assert response["statusCode"] in (200, 201), "a route without that call site answers normally"
        return
    answers = fault.answer if isinstance(fault.answer, tuple) else (fault.answer,)
    assert response["statusCode"] in answers, response["body"]
    body = json.loads(response["body"])
    assert set(body) == {"error", "code", "message"} and body["error"] is True
    assert "Traceback" not in response["body"] and "injected" not in body["message"]
    if response["statusCode"] in (429, 503):
        headers = response.get("multiValueHeaders") or {}
        assert headers.get("Retry-After") == ["1"] or (response.get("headers") or {}).get("Retry-After") == "1"
    if fault.retried:
        assert injector.sent == SDK_ATTEMPTS, "the SDK's retries ran before giving up"
    assert _state(engine_table) == before
