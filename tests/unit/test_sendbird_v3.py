"""The /v3 translation on its own: native events untouched, /v3 events in native words, answers in
Sendbird's (the SDK itself drives the whole path in tests/http/test_sendbird_sdk.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annex.api import sendbird_v3
from annex.errors import BadRequest


def _event(method: str, resource: str, path: str, body: Any = None, query: dict[str, list[str]] | None = None) -> Any:
    return {
        "httpMethod": method,
        "resource": resource,
        "path": path,
        "requestContext": {"resourcePath": resource, "authorizer": {"app_id": "a"}},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query,
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
    }


def _ok(body: Any, status: int = 200) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"ETag": '"7"'}, "body": json.dumps(body)}


class Handler:
    """The native handler: records the events it runs and answers ``answer``."""

    def __init__(self, answer: dict[str, Any]):
        self.answer = answer
        self.seen: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        self.seen.append(event)
        return self.answer


def test_a_native_event_runs_as_it_came_and_answers_as_it_was() -> None:
    event = _event("GET", "/users", "/users", query={"next": ["x"]})
    handler = Handler(_ok({"data": [], "next": None}))
    assert sendbird_v3.serve(event, handler) is handler.answer
    assert handler.seen == [event]


def test_a_list_pages_with_token_and_answers_users_with_next_empty_at_the_end() -> None:
    event = _event("GET", "/v3/users", "/v3/users", query={"token": ["abc"], "limit": ["2"], "show_bot": ["true"]})
    user = {"user_id": "u", "created_at": 1_795_600_000_123}
    handler = Handler(_ok({"data": [user], "next": None}))
    answer = sendbird_v3.serve(event, handler)
    (native,) = handler.seen
    assert (native["resource"], native["path"]) == ("/users", "/users")
    assert native["multiValueQueryStringParameters"] == {"next": ["abc"], "limit": ["2"]}
    assert json.loads(answer["body"]) == {"users": [{"user_id": "u", "created_at": 1_795_600_000}], "next": ""}
    assert answer["headers"] == {"ETag": '"7"'}


def test_sendbird_fields_are_dropped_and_unknown_ones_kept_for_the_handler_to_refuse() -> None:
    body = {"channel_url": "c", "users": [], "is_distinct": True, "custom_type": "x", "colour": "red"}
    event = _event("POST", "/v3/{channel_type}", "/v3/group_channels", body)
    handler = Handler(_ok({"channel_url": "c", "created_at": 5000}, 201))
    answer = sendbird_v3.serve(event, handler)
    assert json.loads(handler.seen[0]["body"]) == {"channel_url": "c", "colour": "red"}
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["created_at"] == 5


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"a": NaN'])
def test_a_body_that_is_no_json_object_goes_on_unchanged(body: str) -> None:
    event = _event("POST", "/v3/users", "/v3/users", body)
    handler = Handler(_ok({}, 400))
    sendbird_v3.serve(event, handler)
    assert handler.seen[0]["body"] == body


def test_errors_keep_the_spec_body() -> None:
    error = {"statusCode": 404, "body": json.dumps({"error": True, "code": "not_found", "message": "m"})}
    event = _event("GET", "/v3/users/{user_id}", "/v3/users/u")
    assert sendbird_v3.serve(event, lambda _: error) is error


@pytest.mark.parametrize(
    ("resource", "query"),
    [
        ("/v3/users", {"nickname": ["J"]}),
        ("/v3/{channel_type}", {"distinct_mode": ["distinct"]}),
        ("/v3/{channel_type}", {"metacounter_key": ["k"], "metacounter_values": ["1,2"]}),
    ],
)
def test_a_filter_annex_cannot_apply_is_refused(resource: str, query: dict[str, list[str]]) -> None:
    with pytest.raises(BadRequest) as refused:
        sendbird_v3.serve(_event("GET", resource, resource, query=query), lambda _: _ok({}))
    assert refused.value.code == "not_supported"


def test_one_metacounter_value_is_the_range_of_that_value() -> None:
    query = {"metacounter_key": ["k"], "metacounter_values": ["3"], "distinct_mode": ["all"]}
    event = _event("GET", "/v3/{channel_type}", "/v3/open_channels", query=query)
    handler = Handler(_ok({"data": [], "next": None}))
    sendbird_v3.serve(event, handler)
    assert handler.seen[0]["multiValueQueryStringParameters"] == {
        "metacounter_key": ["k"],
        "metacounter_value_gte": ["3"],
        "metacounter_value_lte": ["3"],
    }
