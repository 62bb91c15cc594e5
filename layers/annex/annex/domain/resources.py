"""Users and channels: the records that own key/value metadata, metacounters and meta."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from typing import Any

from annex.core import MAX_ID_CHARS
from annex.core.clock import now_ms
from annex.domain.keyvalue import check_key
from annex.errors import BadRequest, NotFound
from annex.models.resources import ChannelCreate, ChannelUpdate, UserCreate, UserUpdate
from annex.store import keys, pages, qindex, records
from annex.store.keys import Ref


class ChannelType(StrEnum):
    OPEN = "open_channels"
    GROUP = "group_channels"


def channel_type(value: str) -> ChannelType:
    try:
        return ChannelType(value)
    except ValueError:
        raise NotFound(f"No such resource: /{value} (channel types are open_channels and group_channels)") from None


def _possible_id(value: str, what: str) -> str:
    """An id from a path; one longer than any that can be created names nothing."""
    if not 1 <= len(value) <= MAX_ID_CHARS:
        raise NotFound(f"{what} not found (ids are 1 to {MAX_ID_CHARS} characters)")
    return value


class UserRef:
    """A user of one application: where its record lives and how to say it is missing."""

    def __init__(self, app_id: str, user_id: str):
        self.app_id, self.user_id = app_id, _possible_id(user_id, "User")
        self.ref: Ref = keys.user(app_id, user_id)
        self.missing = f"User not found: {user_id}"


class ChannelRef:
    def __init__(self, app_id: str, kind: str, channel_url: str):
        self.app_id, self.kind = app_id, channel_type(kind)
        self.channel_url = _possible_id(channel_url, "Channel")
        self.ref: Ref = keys.channel(app_id, self.kind, channel_url)
        self.missing = f"Channel not found: {self.kind}/{channel_url}"


def new_user(app_id: str, body: UserCreate, created_at: int | None = None) -> tuple[Ref, dict[str, Any]]:
    """Where a new user lives and the fields it starts with (the API's create and annex-admin import)."""
    fields = body.model_dump(include=set(UserCreate.model_fields))  # a subclass's extra fields are not stored
    return keys.user(app_id, body.user_id), fields | {"created_at": now_ms() if created_at is None else created_at}


def create_user(app_id: str, body: UserCreate) -> dict[str, Any]:
    ref, fields = new_user(app_id, body)
    return records.create(ref, fields, f"User already exists: {body.user_id}")


def update_user(user: UserRef, body: UserUpdate, expected: int | None = None) -> dict[str, Any]:
    return records.update(user.ref, body.model_dump(exclude_none=True), user.missing, expected)


def new_channel(
    app_id: str, kind: str, body: ChannelCreate, created_at: int | None = None
) -> tuple[Ref, dict[str, Any]]:
    """Where a new channel lives and the fields it starts with; its url is generated when absent."""
    kind = channel_type(kind)
    url = body.channel_url or f"{kind.removesuffix('s')}_{uuid.uuid4().hex}"
    fields = body.model_dump(include=set(ChannelCreate.model_fields)) | {
        "channel_url": url,
        "channel_type": str(kind),
        "created_at": now_ms() if created_at is None else created_at,
    }
    return keys.channel(app_id, kind, url), fields


def create_channel(app_id: str, kind: str, body: ChannelCreate) -> dict[str, Any]:
    ref, fields = new_channel(app_id, kind, body)
    return records.create(ref, fields, f"Channel already exists: {fields['channel_type']}/{fields['channel_url']}")


def update_channel(channel: ChannelRef, body: ChannelUpdate, expected: int | None = None) -> dict[str, Any]:
    return records.update(channel.ref, body.model_dump(exclude_none=True), channel.missing, expected)


def list_users(
    app_id: str,
    limit: int,
    cursor: str | None,
    metadata_key: str | None,
    metadata_values: list[str] | None,
    q: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    where, keep = _with_q(_metadata_filter(metadata_key, metadata_values), q)
    if where is None:
        return [], None
    return pages.list_page(keys.users_list(app_id), "USER", limit, cursor, where, keep)


RECORD_BASES = frozenset({"metadata", "meta"})


def _with_q(where: pages.Filter, q: str | None) -> tuple[pages.Filter | None, Callable[[dict[str, Any]], bool] | None]:
    """``q`` over a user's or channel's ``metadata`` and ``meta`` (the same engine as sessions'): the
    check every record shown passes, and, when the list has no metadata filter, the index run a
    ``metadata`` clause of it names (an equality on a string: that value's owners; any other: the
    key's owners), so the page is read from the index."""
    if q is None:
        return where, None
    from annex.domain import query  # the parser is imported by the lists that use it, not at cold start

    parsed = query.parse(q, RECORD_BASES)
    keep = lambda record: parsed.matches({base: record.get(base) for base in RECORD_BASES})  # noqa: E731
    positive = [c for c in parsed.clauses if c.base == "metadata" and not c.negated]
    if any(len(c.path) != 1 or not (c.op is query.Op.EQ and isinstance(c.value, str)) for c in positive):
        return None, keep  # metadata values are strings one level deep: this clause matches nothing
    if where.metadata_key is None:
        clauses = [c for c in parsed.clauses if c.base == "metadata" and not c.negated and len(c.path) == 1]
        if clauses and "," not in clauses[0].path[0] and 1 <= len(clauses[0].path[0]) <= 128:
            best = clauses[0]
            where = replace(where, metadata_key=best.path[0], metadata_values=[str(best.value)])
    if not where:  # no metadata or metacounter run: the likeliest most selective meta clause's
        meta = [c for c in qindex.answerable(parsed) if c.base == "meta" and c.path]
        if meta:
            where = replace(where, meta_clause=meta[0])
    return where, keep


def list_channels(
    app_id: str,
    kind: str,
    limit: int,
    cursor: str | None,
    metadata_key: str | None,
    metadata_values: list[str] | None,
    counter_key: str | None,
    counter_bounds: dict[str, int],
    q: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    where = _metadata_filter(metadata_key, metadata_values)
    if counter_bounds and not counter_key:
        raise BadRequest("metacounter_value_* filters need metacounter_key", code="invalid_filter")
    if counter_key:
        where = replace(where, counter_key=check_key(counter_key), counter_bounds=counter_bounds)
    indexed, keep = _with_q(where, q)
    if indexed is None:
        return [], None
    return pages.list_page(keys.channels_list(app_id, channel_type(kind)), "CHANNEL", limit, cursor, indexed, keep)


def _metadata_filter(key: str | None, values: list[str] | None) -> pages.Filter:
    if values is not None and key is None:
        raise BadRequest("A metadata values filter needs its metadata key", code="invalid_filter")
    if key is None:
        return pages.Filter()
    check_key(key)
    if values and len(values) > MAX_FILTER_VALUES:
        raise BadRequest(f"At most {MAX_FILTER_VALUES} metadata values", code="invalid_filter")
    return pages.Filter(key, values or None)


MAX_FILTER_VALUES = 100


def get(owner: UserRef | ChannelRef) -> tuple[dict[str, Any], int]:
    """A user or channel as stored, and its version (the ETag); 404 when there is none."""
    return records.get_versioned(owner.ref, owner.missing)


def delete(owner: UserRef | ChannelRef, expected: int | None) -> None:
    """Delete a user or channel (412 when ``expected`` is not its version)."""
    records.delete(owner.ref, owner.missing, expected)
