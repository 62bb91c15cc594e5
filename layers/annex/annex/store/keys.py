"""Every DynamoDB key Annex writes is built here and nowhere else (see docs/data-model.md).

Tenant data lives under partition keys that start with the application id, so two applications
never share a partition. The one key that does not is a token's directory entry: the token is
what tells us the application, so that entry is keyed by the token's SHA-256 hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from annex.core.clock import day_of, now_us

PK, SK = "PK", "SK"
GSI1, GSI1PK, GSI1SK = "GSI1", "GSI1PK", "GSI1SK"
GSI2, GSI2PK, GSI2SK = "GSI2", "GSI2PK", "GSI2SK"  # sparse, keys only: RUNNING sessions
# The list index of users' and channels' metadata and metacounters (sparse): a metadata (key, value)
# or a metacounter (key, decade) to the owners holding it, by owner id; ``n`` projected.
GSI3, GSI3PK, GSI3SK = "GSI3", "GSI3PK", "GSI3SK"
# Which owners hold a metadata or metacounter key at all, by owner id (sparse, keys only).
GSI4, GSI4PK, GSI4SK = "GSI4", "GSI4PK", "GSI4SK"
VERSION = "version"  # every write to a record's item adds 1: optimistic concurrency, and its ETag


def first_version() -> int:
    """A new record's version: microseconds since the epoch, so a record deleted and created again
    never answers an ETag its predecessor gave out (then every write adds 1)."""
    return now_us()


@dataclass(frozen=True)
class Ref:
    """Where one record lives: its primary key, and the list (GSI1 partition) it is listed in."""

    pk: str
    sk: str
    list_pk: str | None = None
    list_sk: str | None = None

    @property
    def key(self) -> dict[str, str]:
        return {PK: self.pk, SK: self.sk}

    def attributes(self) -> dict[str, str]:
        """The key attributes to store on the item (primary key plus list-index key)."""
        attrs = dict(self.key)
        if self.list_pk is not None and self.list_sk is not None:
            attrs |= {GSI1PK: self.list_pk, GSI1SK: self.list_sk}
        return attrs


def application(app_id: str) -> Ref:
    return Ref(f"{app_id}#APP", "APP")


def token(token_hash: str) -> Ref:
    return Ref(f"TOKEN#{token_hash}", "TOKEN")


def users_list(app_id: str) -> str:
    return f"{app_id}#USERS"


def user(app_id: str, user_id: str) -> Ref:
    return Ref(f"{app_id}#USER#{user_id}", "USER", users_list(app_id), user_id)


def channels_list(app_id: str, channel_type: str) -> str:
    return f"{app_id}#CHANNELS#{channel_type}"


def channel(app_id: str, channel_type: str, channel_url: str) -> Ref:
    return Ref(
        f"{app_id}#CHANNEL#{channel_type}#{channel_url}",
        "CHANNEL",
        channels_list(app_id, channel_type),
        channel_url,
    )


# A user's or channel's metadata and metacounter live in its partition, one item per key under a
# marker item (SK ``MD`` / ``MC``) that holds the key names; the marker sorts just before its keys
# ("MD" < "MD#…" < "MD$"), so one key range reads a marker with all its keys.
KV_MARKERS = {"metadata": "MD", "metacounter": "MC"}


def kv_marker(owner: Ref, attr: str) -> Ref:
    return Ref(owner.pk, KV_MARKERS[attr])


def kv_item(owner: Ref, attr: str, key: str) -> Ref:
    return Ref(owner.pk, f"{KV_MARKERS[attr]}#{key}")


def kv_range(attr: str) -> tuple[str, str]:
    """The sort-key range (inclusive) of the marker and the keys of ``attr``."""
    marker = KV_MARKERS[attr]
    return marker, f"{marker}$"


def kv_key_of(sk: str) -> tuple[str, str] | None:
    """(attr, key) of a key item's sort key; None for any other item."""
    for attr, marker in KV_MARKERS.items():
        if sk.startswith(f"{marker}#"):
            return attr, sk[len(marker) + 1 :]
    return None


def kv_value_index(list_pk: str, attr: str, key: str, value: str) -> str:
    """GSI3 partition of the owners (of the list ``list_pk``) whose ``attr`` key holds ``value``
    (for a metacounter: lies in the decade ``value``). The key is length-prefixed, so no (key,
    value) pair names another's partition; at most 1,400 bytes (a 128-character key, a
    190-character value)."""
    return f"{list_pk}#{KV_MARKERS[attr]}V#{len(key)}:{key}#{value}"


def kv_key_index(list_pk: str, attr: str, key: str) -> str:
    """GSI4 partition of the owners (of the list ``list_pk``) that hold the ``attr`` key ``key``."""
    return f"{list_pk}#{KV_MARKERS[attr]}K#{key}"


def owner_of(pk: str) -> tuple[str, str] | None:
    """(resource, id) of a user's or channel's partition key (``channel_type/channel_url`` for a
    channel), else None: the prefixes are fixed and neither application ids nor channel types hold '#'."""
    parts = pk.split("#", 2)
    if len(parts) == 3 and parts[1] == "USER":
        return "user", parts[2]
    if len(parts) == 3 and parts[1] == "CHANNEL" and "#" in parts[2]:
        kind, url = parts[2].split("#", 1)
        return "channel", f"{kind}/{url}"
    return None


def channel_messages(app_id: str, channel_type: str, channel_url: str) -> str:
    """The partition of a channel's messages, their sorted_metaarray index entries and its message
    counter. It outlives the channel: a deleted channel's counter stays, so ids are never reused."""
    return f"{app_id}#MESSAGES#{channel_type}#{channel_url}"


MESSAGE_ID_DIGITS = 19  # a message id is a positive signed 64-bit integer: at most 19 digits
MESSAGE_PREFIX, INDEX_PREFIX = "M#", "X#"


def message_counter(app_id: str, channel_type: str, channel_url: str) -> Ref:
    """The channel's last message id (``ADD``-allocated), its floor and its deleted mark."""
    return Ref(channel_messages(app_id, channel_type, channel_url), "COUNTER")


def message_sk(message_id: int) -> str:
    """``M#`` and the zero-padded id: sort-key order is id order (oldest first)."""
    return f"{MESSAGE_PREFIX}{message_id:0{MESSAGE_ID_DIGITS}d}"


def message(app_id: str, channel_type: str, channel_url: str, message_id: int) -> Ref:
    return Ref(channel_messages(app_id, channel_type, channel_url), message_sk(message_id))


def metaarray_prefix(key: str, value: str) -> str:
    """The sort-key prefix every index entry of one sorted_metaarray (key, value) shares. Both parts
    are length-prefixed, so no (key, value) pair's prefix is a prefix of another pair's."""
    return f"{INDEX_PREFIX}{len(key)}:{key}#{len(value)}:{value}#"


def metaarray_entry(app_id: str, channel_type: str, channel_url: str, key: str, value: str, message_id: int) -> Ref:
    """The index entry saying message ``message_id`` holds ``value`` under ``key`` (oldest first)."""
    sk = f"{metaarray_prefix(key, value)}{message_id:0{MESSAGE_ID_DIGITS}d}"
    return Ref(channel_messages(app_id, channel_type, channel_url), sk)


# Session lists and the q index are spread over this many partitions per application, by a hash of
# the session id, so no partition takes every write of an application (see docs/data-model.md).
SHARDS = 4


def shard_of(session_id: str) -> int:
    return int.from_bytes(hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).digest()[:4], "big") % SHARDS


def session(app_id: str, session_id: str) -> Ref:
    return Ref(f"{app_id}#SESSION#{session_id}", "SESSION")


def position(created_at: int, session_id: str) -> str:
    """A session's place in every newest-first order: ``{created_at:013d}#{id}``."""
    return f"{created_at:013d}#{session_id}"


def sessions_by_created(app_id: str, shard: int) -> str:
    """GSI1 partition of a shard of the application's session items, by ``GSI1SK = position``:
    analytics reads session attributes from it in one pass (eventually consistent)."""
    return f"{app_id}#SCREATED#{shard}"


def session_item(app_id: str, session_id: str, created_at: int) -> Ref:
    """The session item with its GSI1 keys (``created_at`` never changes once the session exists)."""
    ref = session(app_id, session_id)
    return Ref(ref.pk, ref.sk, sessions_by_created(app_id, shard_of(session_id)), position(created_at, session_id))


def sessions_list(app_id: str, shard: int) -> str:
    """A shard of the application's sessions, newest first by ``SK = {created_at:013d}#{id}``."""
    return f"{app_id}#SESSIONS#{shard}"


def session_listing(app_id: str, session_id: str, created_at: int) -> Ref:
    return Ref(sessions_list(app_id, shard_of(session_id)), position(created_at, session_id))


# Sessions created per UTC day, counted in the creation transaction, so analytics can tell how many
# sessions a date range holds before reading them. Each shard's day is split over COUNTER_SLOTS
# items: concurrent creations rarely touch the same counter (a transaction conflict and a retry).
COUNTER_SLOTS = 8


def session_days(app_id: str, shard: int) -> str:
    """Partition of one shard's daily creation counters (``SK = {YYYY-MM-DD}#{slot}``)."""
    return f"{app_id}#SESSIONDAYS#{shard}"


def session_day_counter(app_id: str, session_id: str, created_at: int) -> Ref:
    digest = int.from_bytes(hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).digest()[4:8], "big")
    return Ref(session_days(app_id, shard_of(session_id)), f"{day_of(created_at)}#{digest % COUNTER_SLOTS}")


def user_sessions(app_id: str, user_id: str) -> str:
    """A user's sessions by ``session_number`` (``SK = N#{n:010d}``) and their counter (``SK = COUNT``)."""
    return f"{app_id}#USERSESSIONS#{user_id}"


def user_sessions_counter(app_id: str, user_id: str) -> Ref:
    return Ref(user_sessions(app_id, user_id), "COUNT")


def user_session(app_id: str, user_id: str, number: int) -> Ref:
    return Ref(user_sessions(app_id, user_id), f"N#{number:010d}")


def session_events(app_id: str, session_id: str) -> str:
    """A session's events, oldest first by ``SK = {timestamp:013d}#{arrival}``."""
    return f"{app_id}#EVENTS#{session_id}"


def event(app_id: str, session_id: str, timestamp: int, arrival: str) -> Ref:
    return Ref(session_events(app_id, session_id), f"{timestamp:013d}#{arrival}")


# A session's names items, in its partition, in this order by SK: ``NAME#`` (the previous release's
# one item per name: admin/migrate_sessions.py), ``SCREENS#``, ``SEEN#``, then the ``SESSION`` item.
NAME_PREFIX, SCREENS_PREFIX, SEEN_PREFIX = "NAME#", "SCREENS#", "SEEN#"


def session_name(app_id: str, session_id: str, set_name: str, name: str) -> Ref:
    """A distinct screen or event name of a session as the previous release stored it, one item per
    name (admin/migrate_sessions.py moves them to ``session_seen`` items)."""
    return Ref(session(app_id, session_id).pk, f"{NAME_PREFIX}{set_name}#{name}")


def session_seen(app_id: str, session_id: str, writer: str) -> Ref:
    """The names one write added to a session (store/sessions/names.py)."""
    return Ref(session(app_id, session_id).pk, f"{SEEN_PREFIX}{writer}")


def migrated_seen(app_id: str, session_id: str, part: int) -> Ref:
    """Part ``part`` of the names a session had before this layout (admin/migrate_sessions.py): they
    sort before every ``session_seen`` item (a writer starts with a digit, after "-")."""
    return Ref(session(app_id, session_id).pk, f"{SEEN_PREFIX}-{part:04d}")


def session_screens(app_id: str, session_id: str, kept: int, writer: str) -> Ref:
    """The screens a write appended to a session's list of ``kept`` screens (store/sessions/names.py)."""
    return Ref(session(app_id, session_id).pk, f"{SCREENS_PREFIX}{kept:03d}#{writer}")


def legacy_session_name(app_id: str, session_id: str, set_name: str, name: str) -> Ref:
    """A distinct name past the 200 an old-layout session item kept (admin/migrate.py moves them)."""
    return Ref(f"{app_id}#SESSIONNAMES#{session_id}", f"{set_name}#{name}")


MAX_PATH_BYTES = 1024


def path_name(path: tuple[str, ...]) -> str:
    """A JSON path as key text: segments length-prefixed, so no two paths share a name whatever
    characters they hold. A path longer than ``MAX_PATH_BYTES`` is named by its SHA-256 (``H…``; a
    length prefix never starts with a letter), so a partition key holding it stays within 2,048 bytes."""
    encoded = "".join(f"{len(segment)}:{segment}" for segment in path)
    raw = encoded.encode("utf-8", "surrogatepass")
    return "H" + hashlib.sha256(raw).hexdigest() if len(raw) > MAX_PATH_BYTES else encoded


def q_index(app_id: str, base: str, path: tuple[str, ...], shard: int) -> str:
    """The q index partition of one JSON path (``SK = {typed value}#{target id}``)."""
    return f"{app_id}#Q#{base}#{path_name(path)}#{shard}"


# A user's or channel's ``meta`` q index entries live in its partition, one item per (path, typed
# value) (``SK = ~Q#{path hash}#{typed value}``: after every other item of the partition, so a read
# of the record stops before them), listed by owner id in GSI3 under their exact value and, for a
# number, in GSI4 under its magnitude bucket (store/metaindex.py).
META_ENTRY = "~Q#"


def meta_entry(owner: Ref, path: tuple[str, ...], value: str) -> Ref:
    digest = hashlib.sha256(path_name(path).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return Ref(owner.pk, f"{META_ENTRY}{digest}#{value}")


def meta_value_index(list_pk: str, path: tuple[str, ...], value: str) -> str:
    """GSI3 partition of the owners (of ``list_pk``) whose meta holds the typed ``value`` at ``path``."""
    return f"{list_pk}#MQV#{path_name(path)}#{value}"


def meta_bucket_index(list_pk: str, path: tuple[str, ...], bucket: str) -> str:
    """GSI4 partition of the owners whose meta holds a number of the magnitude ``bucket`` at ``path``."""
    return f"{list_pk}#MQB#{path_name(path)}#{bucket}"


def q_entry(app_id: str, base: str, path: tuple[str, ...], value: str, created_at: int, session_id: str) -> Ref:
    """The q index entry saying the session holds the encoded ``value`` at ``path``; after the
    value, its position, so one value's entries run newest first."""
    return Ref(q_index(app_id, base, path, shard_of(session_id)), f"{value}#{position(created_at, session_id)}")


def running_keys(app_id: str, session_id: str, active_at: int) -> dict[str, str]:
    """GSI2 keys of a RUNNING session: its shard of the application's RUNNING sessions, by activity."""
    return {GSI2PK: running(app_id, shard_of(session_id)), GSI2SK: f"{active_at:013d}"}


def running(app_id: str, shard: int) -> str:
    """GSI2 partition of the application's RUNNING sessions, by last activity (the timeout sweep)."""
    return f"{app_id}#RUNNING#{shard}"


APPS = "APPS"  # the directory of applications (SK = app id), read by the timeout sweep


def app_directory(app_id: str) -> Ref:
    return Ref(APPS, app_id)


SWEEP_CURSOR = Ref("SWEEP", "CURSOR")  # the application the next timeout sweep starts at
LAYOUT = Ref("LAYOUT", "TABLE")  # the layout the table's items are in (``version``): admin/migrate.py


def idempotency_partition(app_id: str) -> str:
    """Where Powertools idempotency keeps an application's Idempotency-Key records (SK: the key's hash)."""
    return f"{app_id}#IDEMPOTENCY"


def application_of(pk: str) -> str:
    """The application id a tenant partition key starts with (application ids never contain '#')."""
    return pk.split("#", 1)[0]
