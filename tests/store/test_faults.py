"""DynamoDB faults at every call site of every route: the SDK retries, then the client gets the SPEC
error body with the right status (429 + Retry-After, 503, or the domain's 4xx), never a traceback or a
5xx of ours, and nothing is half-written."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    with table_module.target("faults", engine.endpoint):  # one name: the store's handles are built once
        _recreate()
        yield table_module.table()


def _recreate() -> None:
    client = table_module.client()
    with contextlib.suppress(client.exceptions.ResourceNotFoundException):
        client.delete_table(TableName="faults")
    client.create_table(TableName="faults", **Template(load()).table_definition())


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


@pytest.mark.parametrize("path", EVENTS, ids=[f"{p.parent.name}/{p.stem}" for p in EVENTS])
def test_each_fault_answers_the_spec_error_and_writes_nothing(
    engine_table: Any, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    """Every fault in turn at the route's call sites, from the same seeded table: each one must leave
    it as it was, so the next starts from the state the first did."""
    event = json.loads(path.read_text())
    app_id = event["requestContext"].get("authorizer", {}).get("app_id")
    _seed(app_id)
    before = _state(engine_table)
    function = ROUTES[(event["httpMethod"], event["resource"])]
    handler = HANDLERS.setdefault(function.logical_id, Containers(function))
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _: None)  # keep the SDK's retries, not its waits
    # The store's clients live as long as the process (as in a container), and so does the retry
    # quota of botocore's standard mode, which these faults would drain: each fault gets a full one.
    monkeypatch.setattr("botocore.retries.quota.RetryQuota.acquire", lambda _self, _amount: True)
    emitters: list[Any] = [
        c.meta.events for c in (engine_table.meta.client, table_module.client(), table_module.bulk_client())
    ]
    for fault in FAULTS:
        injector = Injector(fault)
        for events in emitters:
            events.register_first("before-send.dynamodb", injector)
        try:
            response = handler.invoke(event)
        finally:
            for events in emitters:
                events.unregister("before-send.dynamodb", injector)
        if _check(fault, injector, response):
            assert _state(engine_table) == before, f"{fault.name} left the table changed"
        else:  # the route ran as normal (and may have written): the next fault starts from the seed again
            _recreate()
            _seed(app_id)


def _check(fault: Fault, injector: Injector, response: dict[str, Any]) -> bool:
    """Whether the fault happened (and was answered as it should be); False: the route has no call
    site for it and answered normally."""
    if injector.sent == 0:
        assert response["statusCode"] in (200, 201), f"{fault.name}: a route without that call site answers normally"
        return False
    answers = fault.answer if isinstance(fault.answer, tuple) else (fault.answer,)
    assert response["statusCode"] in answers, (fault.name, response["body"])
    body = json.loads(response["body"])
    assert set(body) == {"error", "code", "message"} and body["error"] is True, fault.name
    assert "Traceback" not in response["body"] and "injected" not in body["message"], fault.name
    if response["statusCode"] in (429, 503):
        headers = response.get("multiValueHeaders") or {}
        assert headers.get("Retry-After") == ["1"] or (response.get("headers") or {}).get("Retry-After") == "1"
    if fault.retried:
        assert injector.sent == SDK_ATTEMPTS, f"{fault.name}: the SDK's retries ran before giving up"
    return True
