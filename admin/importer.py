"""Bulk import of users, channels and sessions from JSON Lines: what ``annex-admin import`` runs.

One line is one record, a JSON object whose ``type`` says which, with the body the API's create
route takes (validated by the same pydantic models and domain rules):

    {"type": "user", "user_id": "alice", "nickname": "Al", "metadata": {"plan": "pro"}, "meta": {}}
    {"type": "channel", "channel_type": "group_channels", "channel_url": "team-42", "metacounter": {"unread": 3}}
    {"type": "session", "session_id": "visit-1", "user_id": "alice", "user_metadata": {"plan": "pro"}}

What differs from one API request, and why:
- ``channel_url`` and ``session_id`` are required: a rerun must find what the first run created.
- ``metadata`` and ``metacounter`` may hold up to 100 keys (all a resource holds), not 5 (one request's).
- ``created_at`` (Unix milliseconds, not in the future) may keep the record's original creation time.

Users and channels are written 100 to a ``TransactWriteItems`` (``records.create_many``), each
conditioned on not existing. Sessions are read 100 at a time (one ``BatchGetItem``, so a rerun
skips what is there without writing), and each new one is created with its list entry, user
numbering and q index entries by ``sessions.create``, the API's own create (one transaction,
conditioned on the session not existing). So a record is either fully there or not at all,
whenever the process stops, and a rerun of the same file skips what is there and writes the rest:
"already exists" is a skip, never a reject, and an existing record is left as it is (not compared
with the line). Sessions are numbered per user in the order of the file.

This lives in ``admin/``, not in the layer: it runs on an operator's machine, never in a Lambda,
so the deployed layer does not carry it; it only calls the layer's models, domain and store.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError
from pydantic import AfterValidator, Field, StrictInt, ValidationError

from admin.sessions import finish_create
from annex.api import MAX_BODY_BYTES, strict_json
from annex.core.clock import now_ms
from annex.domain.resources import ChannelType, new_channel, new_user
from annex.domain.sessions import FUTURE_SKEW_MS
from annex.errors import AnnexError, Conflict, describe
from annex.models import ResourceId
from annex.models.keyvalue import ResourceCounters, ResourceMetadata
from annex.models.resources import ChannelCreate, UserCreate
from annex.models.sessions import SessionCreate, SessionId
from annex.store import records, sessions
from annex.store.keys import Ref
from annex.store.table import THROTTLING_CODES

BATCH = 100  # users and channels per transaction (DynamoDB's limit)
# A write that DynamoDB throttles or fails transiently (after the SDK's own retries) is tried again
# after 1, 2, 4, 8 and 16 s (plus jitter); then the import stops and says how to resume.
PATIENCE = 6
TRANSIENT_CODES = THROTTLING_CODES | {"InternalServerError", "ServiceUnavailable", "TransactionInProgressException"}
T = TypeVar("T")


def _not_ahead(created_at: int) -> int:
    if created_at > now_ms() + FUTURE_SKEW_MS:
        raise ValueError("created_at is in the future (Unix milliseconds)")
    return created_at


CreatedAt = Annotated[StrictInt, Field(ge=0, le=2**53), AfterValidator(_not_ahead)]


class UserLine(UserCreate):
    type: Literal["user"]
    metadata: ResourceMetadata = Field(default_factory=dict)
    created_at: CreatedAt | None = None


class ChannelLine(ChannelCreate):
    type: Literal["channel"]
    channel_type: ChannelType
    channel_url: ResourceId  # required: a generated url would create the channel again on a rerun
    metadata: ResourceMetadata = Field(default_factory=dict)
    metacounter: ResourceCounters = Field(default_factory=dict)
    created_at: CreatedAt | None = None


class SessionLine(SessionCreate):
    type: Literal["session"]
    session_id: SessionId  # required: a generated id would create the session again on a rerun
    created_at: CreatedAt | None = None


Line = UserLine | ChannelLine | SessionLine
LINES: dict[str, type[Line]] = {"user": UserLine, "channel": ChannelLine, "session": SessionLine}
KINDS = tuple(LINES)


def parse(raw: bytes, first: bool = False) -> Line | str:
    """The record one line holds, or why it is rejected."""
    if len(raw) > MAX_BODY_BYTES:
        return f"the line is longer than {MAX_BODY_BYTES} bytes (the API's body limit)"
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as err:
        return f"not UTF-8 (byte {err.start + 1})"
    if first:
        text = text.removeprefix("\ufeff")  # a byte order mark some editors write
    try:
        value = strict_json(text)
    except json.JSONDecodeError as err:
        return f"bad JSON: {err.msg}: column {err.colno}"
    except AnnexError as err:
        return f"bad JSON: {err.message}"
    if not isinstance(value, dict):
        return 'not a JSON object: a line is {"type": "user" | "channel" | "session", …}'
    kind = value.get("type")
    model = LINES.get(kind) if isinstance(kind, str) else None
    if model is None:
        named = "no type" if kind is None else f"unknown type {json.dumps(kind, ensure_ascii=False)[:80]}"
        return f"{named}: a line's type is user, channel or session"
    try:
        return model.model_validate(value)
    except ValidationError as err:
        return f"failed validation: {describe(err.errors())}"


@dataclass
class Tally:
    """What an import did, by record type."""

    lines: int = 0  # non-blank lines read
    imported: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)  # already there
    rejected: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "imported": {kind: self.imported[kind] for kind in KINDS},
            "skipped": {kind: self.skipped[kind] for kind in KINDS},
            "rejected": self.rejected,
        }

    def brief(self) -> str:
        return f"{sum(self.imported.values())} imported, {sum(self.skipped.values())} skipped, {self.rejected} rejected"


class Stopped(Exception):
    """DynamoDB kept failing: the import stops; a rerun resumes it."""


def _transient(err: ClientError | BotoCoreError) -> bool:
    if isinstance(err, ClientError):
        return err.response.get("Error", {}).get("Code", "") in TRANSIENT_CODES
    return isinstance(err, ConnectionError | ReadTimeoutError)


class Importer:
    """Feed it lines in order (``add``), then ``finish``; ``tally`` says what it did.

    ``reject(line_number, reason)`` hears of every rejected line as it is read.
    """

    def __init__(self, app_id: str, reject: Callable[[int, str], None] = lambda _n, _reason: None):
        self.app_id = app_id
        self.tally = Tally()
        self._reject = reject
        self._records: list[tuple[str, Ref, dict[str, Any]]] = []  # users and channels not yet written
        self._sessions: list[SessionLine] = []  # sessions not yet written

    def add(self, number: int, raw: bytes) -> None:
        if not raw.strip():
            return
        self.tally.lines += 1
        line = parse(raw, first=number == 1)
        if isinstance(line, str):
            self.tally.rejected += 1
            self._reject(number, line)
        elif isinstance(line, SessionLine):
            self._sessions.append(line)
            if len(self._sessions) >= BATCH:
                self._write_sessions()
        else:
            if isinstance(line, UserLine):
                ref, fields = new_user(self.app_id, line, line.created_at)
            else:
                ref, fields = new_channel(self.app_id, line.channel_type, line, line.created_at)
            self._records.append((line.type, ref, fields))
            if len(self._records) >= BATCH:
                self._write_records()

    def finish(self) -> None:
        """Write what is still pending (after the last line)."""
        self._write_records()
        self._write_sessions()

    def _write_records(self) -> None:
        if not self._records:
            return
        created = self._patiently(records.create_many, [(ref, fields) for _, ref, fields in self._records])
        for (kind, _, _), new in zip(self._records, created, strict=True):
            (self.tally.imported if new else self.tally.skipped)[kind] += 1
        self._records.clear()

    def _write_sessions(self) -> None:
        if not self._sessions:
            return
        there = self._patiently(sessions.batch_get, self.app_id, [s.session_id for s in self._sessions])
        for line in self._sessions:
            fields = line.model_dump(by_alias=True, include={"user_id", "device", "location"})
            if line.session_id in there or not self._create_session(line, fields):
                # Already there. A user_metadata too large for the create's transaction is stored in
                # a second step: if a previous run stopped between the two, this finishes it.
                self._patiently(finish_create, self.app_id, line.session_id, fields, line.user_metadata)
                self.tally.skipped["session"] += 1
            else:
                self.tally.imported["session"] += 1
        self._sessions.clear()

    def _create_session(self, line: SessionLine, fields: dict[str, Any]) -> bool:
        """Create the session; False when it already exists."""
        try:
            self._patiently(sessions.create, self.app_id, line.session_id, fields, line.user_metadata, line.created_at)
        except Conflict as err:
            if err.code != "already_exists":
                raise
            return False
        return True

    def _patiently(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)``, again after a transient DynamoDB fault; Stopped when they persist."""
        reason = ""
        for attempt in range(PATIENCE):
            try:
                return call(*args)
            except (ClientError, BotoCoreError) as err:
                if not _transient(err):
                    raise
                reason = str(err)
            except Conflict as err:
                if err.code != "concurrent_update":
                    raise
                reason = err.message
            if attempt < PATIENCE - 1:
                time.sleep(2**attempt * random.uniform(1, 1.25))
        raise Stopped(f"DynamoDB kept failing ({reason})")
