"""Every write route at the API's own maxima stays clear of DynamoDB's quotas (see conftest)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annex.api.body import MAX_BODY_BYTES, MAX_JSON_DEPTH
from annex.core import MAX_ID_CHARS, metaarray
from annex.core.keyvalue import MAX_ITEMS_PER_REQUEST, MAX_KEY_CHARS, MAX_KEYS_PER_RESOURCE, MAX_VALUE_CHARS
from annex.core.meta import MAX_META_BYTES
from annex.core.sessions import (
    MAX_NAME_CHARS,
    MAX_PROPERTIES_CHARS,
    MAX_SESSION_ID_CHARS,
    MAX_USER_METADATA_CHARS,
    compact_length,
)
from annex.models.messages import MAX_DATA_BYTES, MAX_MESSAGE_BYTES
from tests.limits.conftest import APP, WIDE, Api, wide


def _chunks(items: dict[str, Any], size: int = MAX_ITEMS_PER_REQUEST) -> list[dict[str, Any]]:
    pairs = list(items.items())
    return [dict(pairs[i : i + size]) for i in range(0, len(pairs), size)]


def _meta(tag: str) -> dict[str, str]:
    """A meta document of 8 KiB serialized, of four-byte characters."""
    document = {tag: ""}
    room = MAX_META_BYTES - len(json.dumps(document, ensure_ascii=False).encode())
    return {tag: WIDE * (room // 4)}


def _full_keyvalue(api: Api, base: str) -> None:
    """100 metadata keys (and, on a channel, 100 metacounter keys) of the longest names and values."""
    metadata = {wide(MAX_KEY_CHARS, f"k{i}"): wide(MAX_VALUE_CHARS, f"v{i}") for i in range(MAX_KEYS_PER_RESOURCE)}
    for chunk in _chunks(metadata):
        api("PUT", f"{base}/metadata", {"metadata": chunk, "upsert": True})
    api("PUT", f"{base}/metadata/{next(iter(metadata))}", {"value": wide(MAX_VALUE_CHARS, "w"), "upsert": True})
    api("PATCH", base, {"meta": _meta("m")})
    api("POST", f"{base}/meta", _meta("m"))  # a merge that keeps it at 8 KiB


@pytest.mark.parametrize("owner", ["users", "group_channels"])
def test_users_and_channels_at_their_maxima(api: Api, owner: str) -> None:
    ids = [wide(MAX_ID_CHARS, f"{owner[0]}{i}") for i in range(3)]
    for record_id in ids:
        if owner == "users":
            body = {"user_id": record_id, "nickname": wide(80), "profile_url": wide(2048)}
        else:
            body = {"channel_url": record_id, "name": wide(191), "data": WIDE * (MAX_DATA_BYTES // 4)}
        created = body | {"metadata": {wide(MAX_KEY_CHARS, f"k{i}"): wide(MAX_VALUE_CHARS) for i in range(5)}}
        api("POST", f"/{owner}", created | {"meta": _meta("m")})
    base = f"/{owner}/{ids[0]}"
    _full_keyvalue(api, base)
    if owner == "group_channels":
        counters = {wide(MAX_KEY_CHARS, f"c{i}"): 2**63 - 1 - i for i in range(MAX_KEYS_PER_RESOURCE)}
        for chunk in _chunks(counters):
            api("PUT", f"{base}/metacounter", {"metacounter": chunk, "mode": "set", "upsert": True})
        api("PUT", f"{base}/metacounter", {"metacounter": {next(iter(counters)): 1}, "mode": "decrease"})
        api("PUT", base, {"name": wide(191, "n"), "data": WIDE * (MAX_DATA_BYTES // 4)})
    # Every list cursor is one the list takes back, however long the last id.
    seen, cursor = [], None
    while True:
        page = api("GET", f"/{owner}", query={"limit": "1"} | ({"next": cursor} if cursor else {}))
        seen += page.get("data", page.get("users", page.get("channels", [])))
        cursor = page["next"]
        if not cursor:
            break
    assert len(seen) == len(ids)
    api("DELETE", f"{base}/metadata")
    api("DELETE", base)


def _metaarray(tag: str) -> list[dict[str, Any]]:
    """20 keys of 80 bytes with 100 values of 128 bytes each: 2,000 index entries."""
    return [
        {
            "key": wide(metaarray.MAX_KEY_BYTES // 4, f"{tag}{k}"),
            "value": [wide(metaarray.MAX_VALUE_BYTES // 4, f"{v}") for v in range(metaarray.MAX_VALUES)],
        }
        for k in range(metaarray.MAX_KEYS)
    ]


def test_messages_at_their_maxima_and_the_delete_of_their_channel(api: Api) -> None:
    channel = f"/group_channels/{wide(MAX_ID_CHARS, 'c')}"
    api("POST", "/group_channels", {"channel_url": channel.rsplit("/", 1)[1]})
    message = {
        "user_id": wide(MAX_ID_CHARS, "u"),
        "message": WIDE * (MAX_MESSAGE_BYTES // 4),
        "data": WIDE * (MAX_DATA_BYTES // 4),
        "meta": _meta("m"),
    }
    ids = [
        api("POST", f"{channel}/messages", message | {"sorted_metaarray": _metaarray(str(i))})["message_id"]
        for i in range(2)
    ]
    first = f"{channel}/messages/{ids[0]}"
    half = [{"key": item["key"], "value": item["value"][:50]} for item in _metaarray("0")]
    api("PUT", f"{first}/sorted_metaarray", {"sorted_metaarray": half, "mode": "remove"})
    api("PUT", f"{first}/sorted_metaarray", {"sorted_metaarray": _metaarray("0"), "mode": "add"})
    keys = ",".join(item["key"] for item in _metaarray("0")[:10])
    api("DELETE", f"{first}/sorted_metaarray", query={"keys": keys})
    api("POST", f"{first}/sorted_metaarray", {"sorted_metaarray": _metaarray("0")[:10]})
    api("PATCH", first, {"meta": _meta("n")})
    api("POST", f"{first}/meta", _meta("n"))
    api("DELETE", f"{channel}/messages/{ids[1]}")
    api("DELETE", channel)  # its messages and thousands of index entries


def _fill(build: Any) -> Any:
    """The largest ``build(n)`` whose compact JSON fits user_metadata's 512 characters."""
    n = 1
    while compact_length(build(n + 1)) <= MAX_USER_METADATA_CHARS:
        n += 1
    assert compact_length(build(n)) <= MAX_USER_METADATA_CHARS
    return build(n)


def _deep(width: int) -> Any:
    """The deepest path a body may carry (its own object and user_metadata's aside), keys ``width`` wide."""
    node: Any = 1
    for level in range(MAX_JSON_DEPTH - 2):
        node = {wide(width, chr(ord("a") + level % 26)): node}
    return node


# user_metadata at 512 characters of compact JSON: the longest number, the longest strings as keys
# and values, the deepest path, the most leaves.
LONGEST_METADATA = [
    {"a": int("9" * (MAX_USER_METADATA_CHARS - 6))},
    _fill(lambda n: {WIDE * n: "x"}),
    _fill(lambda n: {"a": WIDE * n}),
    _fill(_deep),
    _fill(lambda n: {"a": [chr(0x10000 + i) for i in range(n)]}),  # distinct four-byte leaves
    _fill(lambda n: {"b": list(range(n))}),  # the most distinct leaves
]


def test_sessions_with_the_longest_ids_numbers_and_paths(api: Api) -> None:
    device = {f: wide(255, f[:1]) for f in ("app_version", "id", "manufacturer", "model", "os_version", "platform")}
    device |= {"class": wide(255), "browser_name": wide(255), "browser_version": wide(255)}
    location = {"country": wide(255), "country_code": wide(255), "city": wide(255)}
    q = "user_metadata['a']:" + "9" * (MAX_USER_METADATA_CHARS - 6)
    for i, metadata in enumerate(LONGEST_METADATA):
        session_id = wide(MAX_SESSION_ID_CHARS, f"s{i}")
        body = {"session_id": session_id, "user_id": wide(MAX_ID_CHARS, "u"), "user_metadata": metadata}
        api("POST", "/sessions", body | {"device": device, "location": location})
        changed = LONGEST_METADATA[(i + 1) % len(LONGEST_METADATA)]
        api("PATCH", f"/sessions/{session_id}", {"user_metadata": changed})
    last = wide(MAX_SESSION_ID_CHARS, "t")  # a second session holding the longest number
    api("POST", "/sessions", {"session_id": last, "user_metadata": LONGEST_METADATA[0]})
    found = api("GET", "/sessions", query={"q": q, "limit": "1"})
    assert len(found["data"]) == 1 and found["next"]
    api("GET", "/sessions", query={"q": q, "next": found["next"]})
    api("POST", f"/sessions/{session_id}", {"status": "REQUEST_RELEASE"})


def _events(session_id: str, kind: str, names: range) -> list[dict[str, Any]]:
    return [{"session_id": session_id, "type": kind, "name": wide(MAX_NAME_CHARS, f"{kind}{n}")} for n in names]


def _full_session(api: Api, session_id: str) -> None:
    """A session holding 200 screens and 200 event names of 128 four-byte characters, from
    100-event batches whose every event carries as many properties as the 1 MiB body leaves it."""
    properties = {"p": wide(min(MAX_PROPERTIES_CHARS - 10, (MAX_BODY_BYTES // 100 - 1400) // 4))}
    for first in range(0, 200, 50):
        batch = _events(session_id, "screen", range(first, first + 50))
        batch += _events(session_id, "track", range(first, first + 50))
        answer = api("POST", "/events", {"batch": [e | {"properties": properties} for e in batch]})
        assert answer["accepted"] == 100, answer


def test_full_sessions_of_100_event_batches(api: Api) -> None:
    session_id = wide(MAX_SESSION_ID_CHARS, "full")
    _full_session(api, session_id)
    gestures = [{"session_id": session_id, "type": "gesture", "properties": {"rage": True}} for _ in range(100)]
    api("POST", "/events", {"batch": gestures})
    api("PATCH", f"/sessions/{session_id}", {"user_metadata": LONGEST_METADATA[-1]})
    api("POST", f"/sessions/{session_id}", {"status": "REQUEST_RELEASE"})


def test_a_full_session_changing_its_metadata_by_identify_and_patch(api: Api) -> None:
    """The issue's reproduction: many leaves moved under long keys on a full session. The lock once
    kept every touched index key in the session item (535 KB, past 400 KB); it now notes the two
    values (at most 512 characters each) and the item stays under the quota."""
    session_id = wide(MAX_SESSION_ID_CHARS, "full")
    _full_session(api, session_id)
    identify = {"session_id": session_id, "type": "identify", "user_id": wide(MAX_ID_CHARS, "u")}
    # identify merges top-level keys: the same long key, so its leaves replace the PATCH's.
    leaves = _fill(lambda n: {wide(240): [chr(0x10000 + i) for i in range(n)]})
    api("POST", "/events", {"batch": [identify | {"properties": leaves}]})
    api("PATCH", f"/sessions/{session_id}", {"user_metadata": _fill(lambda n: {wide(240): list(range(n))})})
    answer = api("POST", "/events", {"batch": [identify | {"properties": leaves}]})
    assert answer["accepted"] == 1, answer


def test_imports_at_their_maxima(quotas: Any) -> None:
    """annex-admin import: users and channels 100 to a transaction (up to its 3.5 MB), each with
    100 metadata (and metacounter) keys, 8 KiB of meta and 64 KiB of data; sessions with the
    longest ids and user_metadata."""
    from admin import importer

    rejected: list[tuple[int, str]] = []
    job = importer.Importer(APP, lambda number, reason: rejected.append((number, reason)))
    metadata = {wide(MAX_KEY_CHARS, f"k{i}"): wide(MAX_VALUE_CHARS) for i in range(MAX_KEYS_PER_RESOURCE)}
    counters = {wide(MAX_KEY_CHARS, f"c{i}"): -(2**63) for i in range(MAX_KEYS_PER_RESOURCE)}
    lines: list[dict[str, Any]] = [{"type": "user", "user_id": wide(MAX_ID_CHARS, f"t{i}")} for i in range(100)]
    for i in range(12):
        user = {"type": "user", "user_id": wide(MAX_ID_CHARS, f"i{i}"), "nickname": wide(80), "metadata": metadata}
        channel: dict[str, Any] = {"type": "channel", "channel_type": "open_channels", "name": wide(191)}
        channel |= {
            "channel_url": wide(MAX_ID_CHARS, f"i{i}"),
            "data": WIDE * (MAX_DATA_BYTES // 4),
            "metadata": metadata,
        }
        lines += [user | {"meta": _meta("m")}, channel | {"metacounter": counters, "meta": _meta("m")}]
    for i, user_metadata in enumerate(LONGEST_METADATA):
        session_id = wide(MAX_SESSION_ID_CHARS, f"i{i}")
        lines.append({"type": "session", "session_id": session_id, "user_metadata": user_metadata})
    quotas.label = "annex-admin import"
    for number, line in enumerate(lines, 1):
        job.add(number, json.dumps(line, ensure_ascii=False).encode())
    job.finish()
    assert not rejected and job.tally.summary()["imported"] == {"user": 112, "channel": 12, "session": 6}
