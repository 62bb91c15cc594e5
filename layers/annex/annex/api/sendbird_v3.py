"""Sendbird's Platform API shapes under ``/v3``, over the native handlers (SPEC: Sendbird compatibility).

A ``/v3`` request is translated into the native request (the prefix stripped, Sendbird's paging
word and the body fields Annex does not model dropped), runs through the function's own resolver,
and its answer takes Sendbird's shape: lists under ``users`` / ``channels`` with ``next`` ``""`` at
the end, users' and channels' ``created_at`` in Unix seconds, a message's ``type`` and ``user``,
200 for a create. Errors keep the SPEC body. Only the translation lives here: no route, rule or
store access of its own, so ``/v3`` can never drift from the native API.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annex.errors import BadRequest

PREFIX = "/v3"
Event = dict[str, Any]
Answer = Callable[[Any], Any]


def _same(body: Any) -> Any:
    return body


def _seconds(resource: Any) -> Any:
    """A user or channel as Sendbird answers it: ``created_at`` in Unix seconds (Annex keeps ms)."""
    if isinstance(resource, dict) and isinstance(resource.get("created_at"), int):
        return resource | {"created_at": resource["created_at"] // 1000}
    return resource


def _message(message: Any) -> Any:
    """A message as Sendbird answers it: a text message (``MESG``) with its sender as ``user``."""
    if isinstance(message, dict) and "message_id" in message:
        return message | {"type": "MESG", "user": {"user_id": message.get("user_id", "")}}
    return message


def _list(word: str) -> Answer:
    """A page as Sendbird answers it: ``{word: [...], "next": token}``, ``next`` ``""`` at the end."""

    def answer(page: Any) -> Any:
        if not isinstance(page, dict) or "data" not in page:
            return page
        return {word: [_seconds(item) for item in page["data"]], "next": page.get("next") or ""}

    return answer


@dataclass(frozen=True)
class Route:
    """How one ``/v3`` route differs from its native twin."""

    answer: Answer = _same
    ignored_fields: frozenset[str] = frozenset()  # Sendbird body fields Annex does not model: dropped
    ignored_params: frozenset[str] = frozenset()  # Sendbird query options that change no result
    unsupported_params: frozenset[str] = frozenset()  # Sendbird filters Annex cannot apply: 400
    all_only_params: frozenset[str] = frozenset()  # Sendbird filters Annex answers for the value "all" only
    aliases: Mapping[str, str] = field(default_factory=dict)  # Sendbird query word -> native word
    counter_values: bool = False  # Sendbird's metacounter_values, answered for one value
    check: Callable[[dict[str, Any]], None] | None = None  # a body rule of Sendbird's that Annex narrows


def _text_messages_only(body: dict[str, Any]) -> None:
    kind = body.get("message_type", "MESG")
    if kind != "MESG":
        raise BadRequest(f"Annex stores text messages only: message_type {kind!r} is not MESG", code="not_supported")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PAGING = {"token": "next"}
CHANNEL_FIELDS = _words("cover_url cover_file custom_type operator_ids is_ephemeral")
GROUP_CHANNEL_FIELDS = CHANNEL_FIELDS | _words(
    "users user_ids is_distinct is_public is_super access_code strict inviter_id invitation_status hidden_status "
    "block_sdk_user_channel_join"
)
USER_FIELDS = _words("discovery_keys issue_access_token profile_file preferred_languages")
CHANNEL_LIST_FILTERS = _words(
    "created_after created_before custom_types custom_type_startswith channel_urls name name_contains "
    "name_startswith url_contains members_exactly_in members_include_in query_type members_nickname "
    "members_nickname_contains members_nickname_startswith search_query search_fields metadata_value_startswith "
    "hidden_mode unread_filter user_id"
)
CHANNEL_LIST_OPTIONS = _words(
    "show_empty show_member show_delivery_receipt show_read_receipt show_metadata show_frozen order "
    "metadata_order_key include_sorted_metaarray_in_last_message"
)
USER = Route(answer=_seconds)
CHANNEL = Route(answer=_seconds)
MESSAGE = Route(answer=_message)
ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/users"): Route(answer=_seconds, ignored_fields=USER_FIELDS),
    ("GET", "/users"): Route(
        answer=_list("users"),
        aliases=PAGING,
        ignored_params=_words("active_mode show_bot"),
        unsupported_params=_words("user_ids nickname nickname_startswith"),
    ),
    ("GET", "/users/{user_id}"): USER,
    ("PUT", "/users/{user_id}"): Route(
        answer=_seconds,
        ignored_fields=USER_FIELDS | _words("is_active last_seen_at leave_all_when_deactivated"),
    ),
    ("POST", "/{channel_type}"): Route(
        answer=_seconds, ignored_fields=GROUP_CHANNEL_FIELDS | _words("is_dynamic_partitioned")
    ),
    ("GET", "/{channel_type}"): Route(
        answer=_list("channels"),
        aliases=PAGING,
        ignored_params=CHANNEL_LIST_OPTIONS,
        unsupported_params=CHANNEL_LIST_FILTERS,
        all_only_params=_words("distinct_mode public_mode super_mode"),
        counter_values=True,
    ),
    ("GET", "/{channel_type}/{channel_url}"): CHANNEL,
    ("PUT", "/{channel_type}/{channel_url}"): Route(answer=_seconds, ignored_fields=GROUP_CHANNEL_FIELDS),
    ("POST", "/{channel_type}/{channel_url}/messages"): Route(
        answer=_message,
        check=_text_messages_only,
        ignored_fields=_words(
            "message_type custom_type mention_type mentioned_user_ids is_silent mark_as_read send_push dedup_id "
            "apns_bundle_id apple_critical_alert_options sound volume push_message_template created_at poll_id "
            "include_poll_details require_auth"
        ),
    ),
    ("GET", "/{channel_type}/{channel_url}/messages/{message_id}"): MESSAGE,
    ("POST", "/{channel_type}/{channel_url}/messages/{message_id}/sorted_metaarray"): MESSAGE,
    ("PUT", "/{channel_type}/{channel_url}/messages/{message_id}/sorted_metaarray"): MESSAGE,
    ("DELETE", "/{channel_type}/{channel_url}/messages/{message_id}/sorted_metaarray"): MESSAGE,
}
PASS_THROUGH = Route()  # metadata, metacounter and deletes: Sendbird's shapes are Annex's


def serve(event: Event, run: Callable[[Event], dict[str, Any]]) -> dict[str, Any]:
    """``run`` the event; a ``/v3`` event runs as its native twin and answers in Sendbird's shape."""
    resource = str(event.get("resource") or "")
    if not resource.startswith(PREFIX + "/"):
        return run(event)
    native = resource.removeprefix(PREFIX)
    route = ROUTES.get((str(event.get("httpMethod")), native), PASS_THROUGH)
    response = run(_request(event, native, route))
    return _answer(response, route)


def _request(event: Event, native: str, route: Route) -> Event:
    path = str(event.get("path") or "").removeprefix(PREFIX)
    context = event.get("requestContext") or {}
    return event | {
        "resource": native,
        "path": path,
        "requestContext": context | {"resourcePath": native},
        **_query(event, route),
        "body": _body(event.get("body"), route),
    }


def _query(event: Event, route: Route) -> Event:
    """The query in native words: paging renamed, display options dropped, a filter Annex cannot
    apply refused (silently ignoring it would answer rows the caller did not ask for)."""
    multi: dict[str, list[str]] = dict(event.get("multiValueQueryStringParameters") or {})
    for name, value in (event.get("queryStringParameters") or {}).items():
        multi.setdefault(name, [value])
    translated: dict[str, list[str]] = {}
    for name, values in multi.items():
        if (name in route.all_only_params and set(values) == {"all"}) or name in route.ignored_params:
            continue
        if name in route.aliases and values == [""]:  # Sendbird's empty token: the first page
            continue
        if name in route.unsupported_params or name in route.all_only_params:
            raise BadRequest(f"Annex cannot filter by {name} on /v3 (see the README)", code="not_supported")
        translated[route.aliases.get(name, name)] = values
    counter_values = translated.pop("metacounter_values", None) if route.counter_values else None
    if counter_values is not None:
        # Sendbird's "any of these values": Annex answers one value, as the range [v, v].
        if len(counter_values) != 1 or "," in counter_values[0]:
            raise BadRequest("Annex filters by one metacounter_values value on /v3", code="not_supported")
        translated["metacounter_value_gte"] = translated["metacounter_value_lte"] = counter_values
    return {
        "queryStringParameters": {k: v[-1] for k, v in translated.items()} or None,
        "multiValueQueryStringParameters": translated or None,
    }


def _body(body: str | None, route: Route) -> str | None:
    """The body without the Sendbird fields Annex does not model. A body that is not a JSON object
    goes on unchanged: the native handler answers its error."""
    if not body or (not route.ignored_fields and route.check is None):
        return body
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return body
    if not isinstance(parsed, dict):
        return body
    if route.check is not None:
        route.check(parsed)
    return json.dumps({k: v for k, v in parsed.items() if k not in route.ignored_fields})


def _answer(response: dict[str, Any], route: Route) -> dict[str, Any]:
    status = int(response.get("statusCode", 200))
    if not 200 <= status < 300 or route.answer is _same:
        return response
    try:
        body = json.loads(response.get("body") or "null")
    except ValueError:
        return response
    return response | {"statusCode": 200, "body": json.dumps(route.answer(body))}
