"""The embedded engine's data on disk (ANNEX_DATA_DIR): a snapshot and the journal after it.

Every request that may write is applied by moto and appended to the journal under the engine's
one lock, so the journal holds them in the order they were applied; its answer waits until the
journal is synced to disk (a read waits for what it may have seen). At start the newest snapshot
is loaded and the journals after it are replayed through moto again; the clock moto reads while
applying is pinned to the time the journal recorded, so a replay rebuilds the same items and the
same stream records. Compaction (every ``compact_records`` journal records, and at a clean stop)
writes a new snapshot and starts a new journal. Design and costs: docs/local-engine.md.
"""

from __future__ import annotations

import base64
import datetime
import fcntl
import io
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from local.journal import Journal, Unreadable, read_records, write_atomically

log = logging.getLogger("local.durable")

FORMAT = "annex-local-1"
MEMORY = ":memory:"
_TARGET = "DynamoDB_20120810."
_READS = ("Describe", "List", "Get", "Query", "Scan", "BatchGet", "TransactGet")
_ITEM_WRITES = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
    | {"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"}
)
_REGION = re.compile(r"Credential=[^/]*/[^/]*/([^/]*)/")
STREAM_RETENTION = datetime.timedelta(hours=24)  # DynamoDB's
_CHUNK = 1000  # items or stream records per snapshot record
COMPACT_BYTES = 4 * 1024 * 1024
App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class DataDirError(Exception):
    """The data directory cannot be used; the message says why and what to do."""


class _Clock(threading.local):
    at: datetime.datetime | None = None


_clock = _Clock()


def _pin_moto() -> None:
    """While a request is applied, moto's tables read the time the journal records for it; a
    stream record's id follows from its table, stream and sequence number, not from chance."""
    from moto.core.utils import utcnow
    from moto.dynamodb.models import table as tables

    if getattr(tables.StreamRecord.__init__, "pinned", False):
        return

    def now() -> datetime.datetime:
        return _clock.at or utcnow()

    original = tables.StreamRecord.__init__

    def __init__(self: Any, table: Any, stream_type: str, event_name: str, old: Any, new: Any, seq: int) -> None:
        original(self, table, stream_type, event_name, old, new, seq)
        self.record["eventID"] = uuid.uuid5(
            uuid.NAMESPACE_URL, f"{table.table_arn}/{table.latest_stream_label}/{seq}"
        ).hex

    __init__.pinned = True  # type: ignore[attr-defined]
    tables.utcnow = now  # type: ignore[attr-defined]
    tables.StreamRecord.__init__ = __init__  # type: ignore[method-assign]


def _tables() -> Iterator[tuple[str, str, Any]]:
    from moto.dynamodb.models import dynamodb_backends

    for account, regions in dict.items(dynamodb_backends):
        for region, backend in dict.items(regions):
            for table in backend.tables.values():
                yield account, region, table


def stream_arn(table: Any) -> str:
    return f"{table.table_arn}/stream/{table.latest_stream_label}"


class StreamPositions:
    """The last stream record each table's consumer acknowledged, kept in the data directory."""

    def __init__(self, directory: Path):
        self.path = directory / "stream-positions.json"
        self.lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            saved: dict[str, Any] = json.loads(self.path.read_text())
            return saved
        except FileNotFoundError:
            return {}

    def get(self, table: str, arn: str) -> int | None:
        """The sequence number last acknowledged on the stream ``arn`` of ``table``, if any."""
        with self.lock:
            saved = self._read().get(table)
        return int(saved["sequence"]) if saved and saved["arn"] == arn else None

    def put(self, table: str, arn: str, sequence: int) -> None:
        with self.lock:
            saved = self._read() | {table: {"arn": arn, "sequence": str(sequence)}}
            write_atomically(self.path, [json.dumps(saved, indent=1).encode()])


class Durable:
    """The engine's data directory: recovered at construction, journaled by ``app``."""

    def __init__(self, directory: Path, dispatcher: App, lock: threading.Lock, compact_records: int | None = None):
        self.dir = directory
        self.dispatcher, self.lock = dispatcher, lock
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._lock_file = (directory / "lock").open("a")
        except OSError as error:
            raise DataDirError(f"Cannot use the data directory {directory}: {error}") from None
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirError(
                f"Another `python -m local` uses the data directory {directory}: stop it, or give this "
                "one its own ANNEX_DATA_DIR (or ANNEX_DATA_DIR=:memory:)"
            ) from None
        _pin_moto()
        self.positions = StreamPositions(directory)
        self.schema: list[str] = []  # table-level requests (base64), replayed before a snapshot's items
        self.failed: Exception | None = None
        self.fixed_threshold = compact_records
        self.items = self.snapshot_bytes = self.snapshot_end = 0
        self.journal, self.generation, self.records = self._recover()
        self.wake, self.stopped = threading.Event(), threading.Event()
        self.compactor = threading.Thread(target=self._compact_when_woken, name="compaction", daemon=True)
        self.compactor.start()

    def _file(self, kind: str, generation: int) -> Path:
        return self.dir / f"{kind}-{generation:08d}.{'log' if kind == 'journal' else 'snap'}"

    def _generations(self, kind: str) -> list[int]:
        suffix = "log" if kind == "journal" else "snap"
        return sorted(int(p.name[len(kind) + 1 : -len(suffix) - 1]) for p in self.dir.glob(f"{kind}-*.{suffix}"))

    def _recover(self) -> tuple[Journal, int, int]:
        """Load the newest snapshot, replay the journals after it; refuse damaged files untouched."""
        snapshots = self._generations("snapshot")
        base = snapshots[-1] if snapshots else 0
        journals = [g for g in self._generations("journal") if g >= base]
        try:
            snapshot = read_records(self._file("snapshot", base), False)[0] if snapshots else []
            readable = [read_records(self._file("journal", g), g == journals[-1]) for g in journals]
        except Unreadable as error:
            raise DataDirError(
                f"The engine's data cannot be read: {error}. Nothing was changed. Move {self.dir} aside to keep "
                "it (ANNEX_DATA_DIR=another/folder starts empty), or delete it with `make reset-local`."
            ) from None
        self._load(snapshot)
        replayed = 0
        for records, _ in readable:
            for payload in records:
                self._replay(payload)
            replayed += len(records)
        generation = journals[-1] if journals else base
        length = readable[-1][1] if readable else 0
        path = self._file("journal", generation)
        if journals and length < path.stat().st_size:
            log.warning("Dropped a torn record at the end of %s (a write that was never answered)", path)
        journal = Journal(path, length)  # from here on, files change
        journal.appended = journal.synced = sum(readable_length for _, readable_length in readable)
        if snapshots:
            self.snapshot_bytes = self._file("snapshot", base).stat().st_size
        for stale in [*self.dir.glob("*.tmp"), *(p for p in self.dir.glob("*-*.*") if self._stale(p, base))]:
            stale.unlink()
        if snapshots or replayed:
            log.info("Engine data: %s (snapshot %d, %d journal records replayed)", self.dir, base, replayed)
        return journal, generation, replayed

    def _stale(self, path: Path, base: int) -> bool:
        kind, _, rest = path.name.partition("-")
        return kind in ("snapshot", "journal") and rest.split(".")[0].isdigit() and int(rest.split(".")[0]) < base

    def _replay(self, payload: bytes) -> None:
        from werkzeug.test import EnvironBuilder

        header, _, body = payload.partition(b"\n")
        meta = json.loads(header)
        headers: dict[str, str] = {
            "X-Amz-Target": _TARGET + meta["op"],
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": f"AWS4-HMAC-SHA256 Credential=local/20000101/{meta['region']}/dynamodb/aws4_request",
        }
        environ = EnvironBuilder(method="POST", path="/", headers=list(headers.items()), data=body).get_environ()
        _clock.at = datetime.datetime.fromisoformat(meta["at"])
        try:
            list(self.dispatcher(environ, lambda *_: lambda _: None))
        finally:
            _clock.at = None
        if meta["op"] not in _ITEM_WRITES:
            self.schema.append(base64.b64encode(payload).decode())

    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The engine's WSGI application: moto, one request at a time, answered once durable."""
        target = environ.get("HTTP_X_AMZ_TARGET") or ""
        op = target[len(_TARGET) :] if target.startswith(_TARGET) else ""
        answered: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            answered[:] = [status, headers]
            return lambda _: None

        if not op or op.startswith(_READS):
            with self.lock:
                answer = list(self.dispatcher(environ, capture))
                position = self.journal.appended
            return self._answer(position, answer, answered, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        match = _REGION.search(environ.get("HTTP_AUTHORIZATION") or "")
        with self.lock:
            if self.failed is not None:
                return _unavailable(start_response, self.failed)
            from moto.core.utils import utcnow

            _clock.at = utcnow()
            meta = {"op": op, "region": match.group(1) if match else "us-east-1", "at": _clock.at.isoformat()}
            try:
                answer = list(self.dispatcher(environ, capture))
            finally:
                _clock.at = None
            payload = json.dumps(meta).encode() + b"\n" + body
            try:
                position = self.journal.append(payload)
            except OSError as error:
                self._fail(error)
                return _unavailable(start_response, error)
            if op not in _ITEM_WRITES:
                self.schema.append(base64.b64encode(payload).decode())
            self.records += 1
            if self._due():
                self.wake.set()
        return self._answer(position, answer, answered, start_response)

    def _answer(self, position: int, answer: list[bytes], answered: list[Any], start_response: Any) -> list[bytes]:
        try:
            self.journal.sync(position)
        except OSError as error:
            self._fail(error)
            return _unavailable(start_response, error)
        start_response(*answered)
        return answer

    def _fail(self, error: Exception) -> None:
        if self.failed is None:
            log.critical("The engine's journal cannot be written (%s): it answers every write with an error", error)
        self.failed = error

    def _due(self) -> bool:
        """Whether to compact: after ``compact_records`` journal records when set, else once the
        journal holds a quarter of the snapshot's bytes (at least 4 MB). Replaying a byte of journal
        costs several times loading a byte of snapshot, so a start stays within a few snapshot loads."""
        if self.fixed_threshold:
            return self.records >= self.fixed_threshold
        return self.journal.appended - self.snapshot_end >= max(COMPACT_BYTES, self.snapshot_bytes // 4)

    def _compact_when_woken(self) -> None:
        while True:
            self.wake.wait()
            if self.stopped.is_set():
                return
            self.wake.clear()
            try:
                self.compact()
            except OSError as error:
                self._fail(error)

    def compact(self) -> None:
        """Write a snapshot of everything applied so far and continue the journal in a new file."""
        with self.lock:
            if self.failed is not None or (self.records == 0 and self.generation > 0):
                return
            chunks = self._dump()
            self.generation += 1
            self.journal.rotate(self._file("journal", self.generation))
            self.records, self.snapshot_end = 0, self.journal.appended
            self.snapshot_bytes = sum(len(chunk) for chunk in chunks)
        write_atomically(self._file("snapshot", self.generation), chunks)
        for path in self.dir.glob("*-*.*"):
            if self._stale(path, self.generation):
                path.unlink()

    def close(self) -> None:
        """At a clean stop (no request in flight): a last compaction, so the next start replays nothing."""
        self.stopped.set()
        self.wake.set()
        self.compactor.join(timeout=60)
        try:
            self.compact()
        finally:
            self.journal.close()
            self._lock_file.close()

    def _dump(self) -> list[bytes]:
        from local.journal import frame

        chunks = [frame(json.dumps({"format": FORMAT, "schema": self.schema}).encode())]
        self.items = 0
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        for account, region, table in _tables():
            where = [account, region, table.name]
            items = (
                [i for by_range in table.items.values() for i in by_range.values()]
                if table.range_key_attr
                else list(table.items.values())
            )
            self.items += len(items)
            for start in range(0, len(items), _CHUNK):
                attrs = [i.to_json()["Attributes"] for i in items[start : start + _CHUNK]]
                chunks.append(frame(json.dumps({"table": where, "items": attrs}, default=_encode).encode()))
            shard = table.stream_shard
            if shard is None:
                continue
            acknowledged = self.positions.get(table.name, stream_arn(table))
            keep = len(shard.items)  # without a consumer, a stream keeps no record over a restart
            if acknowledged is not None:
                keep = next(
                    (
                        i
                        for i, r in enumerate(shard.items)
                        if shard.starting_sequence_number + i > acknowledged
                        and _naive(r.record["dynamodb"]["ApproximateCreationDateTime"]) >= now - STREAM_RETENTION
                    ),
                    len(shard.items),
                )
            records = [r.record for r in shard.items[keep:]]
            start_at = shard.starting_sequence_number + keep
            for start in range(0, max(len(records), 1), _CHUNK):
                stream = {"start": start_at, "records": records[start : start + _CHUNK]}
                chunks.append(frame(json.dumps({"table": where, "stream": stream}, default=_encode).encode()))
        chunks.append(frame(json.dumps({"end": True, "items": self.items}).encode()))
        return chunks

    def _load(self, records: list[bytes]) -> None:
        if not records:
            return
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType, Item
        from moto.dynamodb.models.table import StreamRecord

        header = json.loads(records[0])
        if header.get("format") != FORMAT or json.loads(records[-1]).get("end") is not True:
            raise DataDirError(
                f"The snapshot in {self.dir} is not one this engine wrote completely; nothing was changed"
            )
        for payload in header["schema"]:
            self._replay(base64.b64decode(payload))
        for raw in records[1:-1]:
            record = json.loads(raw)
            if b'"B' in raw:  # binary values are base64 in JSON, bytes in moto
                for attrs in record.get("items", []):
                    _binary(attrs)
                for saved in record.get("stream", {}).get("records", []):
                    _binary(saved["dynamodb"].get("NewImage", {}))
                    _binary(saved["dynamodb"].get("OldImage", {}))
                    _binary(saved["dynamodb"]["Keys"])
            account, region, name = record["table"]
            table = dynamodb_backends[account][region].tables[name]
            for attrs in record.get("items", []):
                hash_key = DynamoType(attrs[table.hash_key_attr])
                if table.range_key_attr:
                    range_key = DynamoType(attrs[table.range_key_attr])
                    table.items[hash_key][range_key] = Item(hash_key, range_key, attrs)
                else:
                    table.items[hash_key] = Item(hash_key, None, attrs)  # type: ignore[assignment]
                self.items += 1
            shard = table.stream_shard
            if "stream" in record and shard is not None:
                if not shard.items:
                    shard.starting_sequence_number = record["stream"]["start"]
                for saved in record["stream"]["records"]:
                    data = saved["dynamodb"]
                    data["ApproximateCreationDateTime"] = datetime.datetime.fromisoformat(
                        data["ApproximateCreationDateTime"]
                    )
                    restored = object.__new__(StreamRecord)
                    restored.record = saved
                    shard.items.append(restored)


def _encode(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} in the engine's data")


def _binary(attrs: dict[str, Any]) -> None:
    """Binary values (``B``, ``BS``) back from base64 to bytes, in attributes as moto keeps them."""
    for value in attrs.values():
        kind, inner = next(iter(value.items()))
        if kind == "B":
            value[kind] = base64.b64decode(inner)
        elif kind == "BS":
            value[kind] = [base64.b64decode(v) for v in inner]
        elif kind == "M":
            _binary(inner)
        elif kind == "L":
            _binary({str(i): v for i, v in enumerate(inner)})


def _naive(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC).replace(tzinfo=None) if value.tzinfo else value


def _unavailable(start_response: Callable[..., Any], error: Exception) -> list[bytes]:
    body = {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": f"journal: {error}"}
    start_response("500 Internal Server Error", [("Content-Type", "application/x-amz-json-1.0")])
    return [json.dumps(body).encode()]
