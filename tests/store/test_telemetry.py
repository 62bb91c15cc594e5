"""The figures of annex.telemetry, each emitted where it should be: EMF lines on the function's
stdout (Powertools Metrics), read back here as CloudWatch would, with cheap dimensions only."""

from __future__ import annotations

import json
import random
import sys
import types
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from admin.applications import register
from annex import snapstart, telemetry
from annex.core.clock import now_ms
from annex.store import keys, lock, sessions
from annex.store import table as table_module
from local.gateway import Containers, api_event
from local.template import Template, load

APP = "metrics-app"
TEMPLATE = Template(load())


def _figures(out: str) -> list[tuple[str, float, dict[str, str]]]:
    """Every (metric, value, dimensions) of the EMF lines in ``out``."""
    found = []
    for line in out.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        blob = json.loads(line)
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == telemetry.NAMESPACE
        dims = {name: str(blob[name]) for name in directive["Dimensions"][0]}
        for metric in directive["Metrics"]:
            values = blob[metric["Name"]]
            found.append((metric["Name"], sum(values) if isinstance(values, list) else values, dims))
    return found


def _total(figures: list[tuple[str, float, dict[str, str]]], name: str) -> float:
    return sum(value for metric, value, _ in figures if metric == name)


def _route_handler(path: str, method: str) -> Containers:
    route = next(r for r in TEMPLATE.routes() if r.path == path and r.method == method)
    return Containers(route.function)


def test_every_request_counts_by_route_and_status_class_and_errors_by_code(
    moto_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from aws_lambda_powertools.metrics.provider.cold_start import reset_cold_start_flag

    users = _route_handler("/users", "POST")
    reset_cold_start_flag()  # the flag is the process's: earlier tests' handlers ran in this one
    capsys.readouterr()
    assert users.invoke(api_event("POST", "/users", "/users", APP, {"user_id": "u1"}))["statusCode"] == 201
    missing = users.invoke(api_event("GET", "/users/{user_id}", "/users/nobody", APP))
    assert missing["statusCode"] == 404
    out = capsys.readouterr().out
    figures = _figures(out)
    requests = [dims for name, _, dims in figures if name == "Requests"]
    assert {(d["route"], d["status_class"]) for d in requests} == {
        ("POST /users", "2xx"),
        ("GET /users/{user_id}", "4xx"),
    }
    assert [dims["code"] for name, _, dims in figures if name == "Errors"] == [json.loads(missing["body"])["code"]]
    assert _total(figures, "ColdStart") == 1  # the first invocation of the container only
    # Dimensions stay cheap: never the application id (the request's log line carries it).
    assert all(APP not in dims.values() for _, _, dims in figures)


def test_events_accepted_and_rejected_are_counted(moto_table: Any, capsys: pytest.CaptureFixture[str]) -> None:
    events = _route_handler("/events", "POST")
    batch = [
        {"session_id": "s1", "type": "screen", "name": "home"},
        {"session_id": "s1", "type": "track", "name": "tap"},
        {"type": "no such type"},
    ]
    capsys.readouterr()
    answer = events.invoke(api_event("POST", "/events", "/events", APP, {"batch": batch}))
    assert answer["statusCode"] == 200, answer["body"]
    body = json.loads(answer["body"])
    figures = _figures(capsys.readouterr().out)
    assert _total(figures, "EventsAccepted") == body["accepted"] > 0
    assert _total(figures, "EventsRejected") == len(body["rejected"]) == 1


def test_sessions_opened_and_analytics_sessions_are_counted(
    moto_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    created = _route_handler("/sessions", "POST").invoke(
        api_event("POST", "/sessions", "/sessions", APP, {"session_id": "s-open"})
    )
    assert created["statusCode"] == 201, created["body"]
    assert _total(_figures(capsys.readouterr().out), "SessionsOpened") == 1
    for i in range(2):
        sessions.create(APP, f"s{i}", {"device": {"model": "x"}}, None)
    answer = _route_handler("/sessions/analytics", "GET").invoke(
        api_event("GET", "/sessions/analytics", "/sessions/analytics", APP)
    )
    assert answer["statusCode"] == 200, answer["body"]
    assert _total(_figures(capsys.readouterr().out), "AnalyticsSessions") == 3


def test_a_session_opened_by_an_event_counts_as_opened(moto_table: Any, capsys: pytest.CaptureFixture[str]) -> None:
    events = _route_handler("/events", "POST")
    batch = [{"session_id": "s-new", "type": "track", "name": "tap"}] * 2
    capsys.readouterr()
    answer = events.invoke(api_event("POST", "/events", "/events", APP, {"batch": batch}))
    assert json.loads(answer["body"]) == {"accepted": 2, "rejected": []}
    assert _total(_figures(capsys.readouterr().out), "SessionsOpened") == 1
    again = events.invoke(api_event("POST", "/events", "/events", APP, {"batch": batch}))
    assert json.loads(again["body"])["accepted"] == 2
    assert _total(_figures(capsys.readouterr().out), "SessionsOpened") == 0  # it exists now


def test_a_write_that_waits_for_an_index_lock_counts_once(
    moto_table: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions.create(APP, "s-locked", {}, {"tier": "gold"})
    key = keys.session(APP, "s-locked").key
    _, value = lock.new()  # another writer's live lock
    moto_table.update_item(Key=key, UpdateExpression="SET index_lock = :l", ExpressionAttributeValues={":l": value})
    monkeypatch.setattr(lock, "WAIT_S", 0.3)
    capsys.readouterr()
    answer = _route_handler("/sessions/{session_id}", "PATCH").invoke(
        api_event("PATCH", "/sessions/{session_id}", "/sessions/s-locked", APP, {"user_metadata": {"tier": "x"}})
    )
    assert answer["statusCode"] == 409, answer["body"]  # the lock outlived the wait
    assert _total(_figures(capsys.readouterr().out), "IndexLockWaits") == 1
    # Free, the same write waits for nothing and counts nothing.
    moto_table.update_item(Key=key, UpdateExpression="REMOVE index_lock")
    answer = _route_handler("/sessions/{session_id}", "PATCH").invoke(
        api_event("PATCH", "/sessions/{session_id}", "/sessions/s-locked", APP, {"user_metadata": {"tier": "x"}})
    )
    assert answer["statusCode"] == 200, answer["body"]
    assert _total(_figures(capsys.readouterr().out), "IndexLockWaits") == 0
    assert now_ms() < int(value["until"])  # the lock was live all along


def test_the_authorizer_counts_rejected_tokens_and_never_shows_one(
    moto_table: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    auth = TEMPLATE.authorizer()
    assert auth is not None
    authorizer = Containers(auth[0])
    register("app-1", "one", "secret-token-1")
    event = {"type": "TOKEN", "methodArn": "arn:aws:execute-api:us-east-1:1:a/v1/GET/users"}
    authorizer.invoke(event | {"authorizationToken": "secret-token-1"})
    with pytest.raises(Exception, match="Unauthorized"):
        authorizer.invoke(event | {"authorizationToken": "not-a-token"})
    out = capsys.readouterr().out
    assert _total(_figures(out), "TokensRejected") == 1
    assert "secret-token-1" not in out and "not-a-token" not in out


def test_the_sweeper_counts_sessions_it_timed_out(moto_table: Any, capsys: pytest.CaptureFixture[str]) -> None:
    register(APP, "metrics", "secret-token-2")
    sessions.create(APP, "idle", {}, None, created_at=1)  # idle since 1970
    sweeper = Containers(TEMPLATE.function("SweeperFunction"))
    capsys.readouterr()
    swept = sweeper.invoke({})
    assert swept["timed_out"] >= 1
    assert _total(_figures(capsys.readouterr().out), "SessionsTimedOut") == swept["timed_out"]


class _Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def test_dynamodb_throttles_are_counted_on_every_client_the_store_creates(
    aws_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    telemetry.watch_dynamodb()
    client = boto3.client("dynamodb", region_name="us-east-1")  # as the store makes its own, afterwards
    answers = [
        (400, {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "message": "slow"}),
        (200, {}),
    ]

    def answer(request: Any, **_: Any) -> AWSResponse:  # DynamoDB's answer, without a network
        status, body = answers.pop(0)
        headers = HTTPHeaders()
        headers["x-amzn-RequestId"] = "r"
        return AWSResponse(request.url, status, headers, _Raw(json.dumps(body).encode()))

    client.meta.events.register("before-send.dynamodb.GetItem", answer)  # type: ignore[arg-type]
    client.get_item(TableName="t", Key={"PK": {"S": "k"}})  # throttled once, then answered
    telemetry.metrics.flush_metrics()
    assert _total(_figures(capsys.readouterr().out), "DynamoDBThrottles") == 1


def test_snapstart_hooks_prime_the_tracer_and_the_table_and_reseed_random(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    registered: dict[str, list[Any]] = {"before": [], "after": []}
    hooks = types.ModuleType("snapshot_restore_py")
    hooks.register_before_snapshot = registered["before"].append  # type: ignore[attr-defined]
    hooks.register_after_restore = registered["after"].append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", hooks)
    telemetry.instrument(lambda event, context: {})
    assert registered["after"] == [random.seed]
    assert registered["before"] == [telemetry.tracer, snapstart.dynamodb_handle]
    table_module._table.cache_clear()
    telemetry.tracer.cache_clear()
    for prime in registered["before"]:
        prime()
    # Both exist before any request, in the snapshot.
    assert table_module._table.cache_info().currsize == 1 and telemetry.tracer.cache_info().currsize == 1
    monkeypatch.delitem(sys.modules, "snapshot_restore_py")
    assert not snapstart.register(telemetry.tracer)  # outside Lambda's runtime: nothing to register
