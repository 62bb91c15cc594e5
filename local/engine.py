"""The embedded DynamoDB-compatible engine: moto's DynamoDB served over HTTP on loopback.

moto evaluates a request in several Python steps, so two threads could interleave inside one
``UpdateItem``. Real DynamoDB applies each request to an item atomically; the engine gets the
same guarantee (and more) by serving one request at a time. Handlers still run concurrently,
so a read-modify-write in Annex's code would still lose updates here, as it would in AWS.

``speed_up`` patches moto where its cost grew with the table rather than with the request
(transactions, queries, projections, answers, item sizes), so tens of thousands of sessions stay usable;
``quotas`` makes it refuse what DynamoDB in AWS refuses (item and key sizes, expression lengths,
transaction sizes), so a request the tests pass is one AWS takes.
"""

from __future__ import annotations

import copy
import datetime
import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from local import quotas
from local.durable import Durable


def item_level_transactions() -> None:
    """Make ``TransactWriteItems`` cost what it touches, not the whole table.

    moto deep-copies every table a transaction names, once per operation, to roll back on
    failure: O(table) per transaction, which a table with a few thousand sessions cannot afford.
    Here the engine saves just the items (and the stream position) the transaction touches,
    and restores those when moto reports the transaction failed.
    """
    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(models.DynamoDBBackend.transact_write_items, "item_level", False):
        return
    original = models.DynamoDBBackend.transact_write_items

    class _NoTableCopies:
        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    models.copy = _NoTableCopies  # type: ignore[attr-defined,assignment]

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[Any, Any, Any, Any]] = []
        streams: dict[int, tuple[Any, int]] = {}
        for entry in transact_items:
            op = next(iter(entry.values()))
            table = self.tables.get(op.get("TableName"))
            attrs = op.get("Item") or op.get("Key") or {}
            if table is None or table.hash_key_attr not in attrs:
                continue  # moto reports the error itself
            hash_key = DynamoType(attrs[table.hash_key_attr])
            range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr in attrs else None
            saved.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
            if table.stream_shard is not None:
                streams[id(table)] = (table.stream_shard, len(table.stream_shard.items))
        try:
            original(self, transact_items)
            quotas.check_transaction((item, table.get_item(h, r)) for table, h, r, item in saved)
        except Exception:
            for table, hash_key, range_key, item in reversed(saved):
                quotas.restore(table, hash_key, range_key, item)
            for shard, length in streams.values():
                del shard.items[length:]  # the rolled-back writes never happened
            raise

    transact_write_items.item_level = True  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _projection_once_per_item() -> None:
    """Make a ``ProjectionExpression`` cost the attributes it names, not the item once per path.

    moto's ``Item.project`` converts the whole item to plain JSON (deep copies included) for every
    path of the expression; a query asking ten attributes of thousands of sessions spent most of
    its time there. Here the asked attributes and map members are picked from the item as they are
    (an answer only reads them); a path into a list element converts the named attributes once.
    """
    from botocore.utils import merge_dicts
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import find_nested_key

    if getattr(dynamo_type.Item.project, "once_per_item", False):
        return

    def slow_project(self: Any, projection_expressions: list[list[str]]) -> Any:
        named = {path[0].split("[", 1)[0] for path in projection_expressions if path}  # "a[0]" reads a
        plain = {
            key: dynamo_type.deserializer.deserialize(value.to_regular_json())
            for key, value in self.attrs.items()
            if key in named
        }
        result: dict[str, Any] = {}
        for expr in projection_expressions:
            merge_dicts(result, find_nested_key(expr, plain))
        return dynamo_type.Item(
            hash_key=self.hash_key, range_key=self.range_key, attrs=dict(dynamo_type.serializer.serialize(result)["M"])
        )

    def map_of(members: dict[str, Any]) -> Any:
        node = object.__new__(dynamo_type.DynamoType)
        node.type, node.value = (
            "M",
            {k: v if isinstance(v, dynamo_type.DynamoType) else map_of(v) for k, v in members.items()},
        )
        return node

    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        if any("[" in segment for path in projection_expressions for segment in path):
            return slow_project(self, projection_expressions)  # list elements: moto's way, converted once
        picked: dict[str, Any] = {}  # the asked attributes and map members, shared (answers only read them)
        for path in projection_expressions:
            node = self.attrs.get(path[0])
            for segment in path[1:]:
                node = node.value.get(segment) if node is not None and node.is_map() else None
            if node is None:
                continue  # DynamoDB leaves out a path the item does not have
            into = picked
            for segment in path[:-1]:
                into = into.setdefault(segment, {})
                if isinstance(into, dynamo_type.DynamoType):
                    break  # its whole parent is already asked
            else:
                if not isinstance(into.get(path[-1]), dict) or len(path) == 1:
                    into[path[-1]] = node
        result = object.__new__(dynamo_type.Item)
        result.hash_key, result.range_key = self.hash_key, self.range_key
        result.attrs = dynamo_type.LimitedSizeDict()
        dict.update(
            result.attrs, {k: v if isinstance(v, dynamo_type.DynamoType) else map_of(v) for k, v in picked.items()}
        )
        return result

    project.once_per_item = True  # type: ignore[attr-defined]
    dynamo_type.Item.project = project  # type: ignore[method-assign]


READS = ("get_item", "batch_get_item", "query", "scan")
WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")


def _answered_as_json() -> None:
    """Write the answers of reads (``GetItem``, ``BatchGetItem``, ``Query``, ``Scan``) and writes
    (``PutItem``, ``UpdateItem``, ``DeleteItem``, ``TransactWriteItems``, ``BatchWriteItem``) with
    a JSON encoder, not moto's shape-driven serializer.

    moto walks the output shape member by member for every attribute value (about a hundred
    lookups per item): most of a big read's time, and a third of the engine's time for an
    ``UpdateItem`` that returns its item. These answers are plain DynamoDB JSON (type tags
    over strings, lists and maps; binary in base64), which ``json.dumps`` writes directly. Errors
    are raised before any answer exists, so they keep moto's own serialization.
    """
    from moto.dynamodb.models.utilities import dynamo_json_dump
    from moto.dynamodb.responses import DynamoHandler

    for name in READS + WRITES:
        original = getattr(DynamoHandler, name)
        if getattr(original, "as_json", False):
            continue

        def as_json(self: Any, original: Any = original) -> Any:
            return dynamo_json_dump(original(self).result)

        as_json.as_json = True  # type: ignore[attr-defined]
        setattr(DynamoHandler, name, as_json)
    _records_answered_as_json()


def _records_answered_as_json() -> None:
    """Streams' ``GetRecords`` (what the local stream poller asks several times a second) as JSON
    too: its records are DynamoDB JSON but for one timestamp, which moto keeps as a naive UTC
    ``datetime`` and its serializer writes as epoch seconds."""
    from moto.dynamodb.models.utilities import dynamo_json_dump
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    original = DynamoDBStreamsHandler.get_records
    if getattr(original, "as_json", False):
        return

    def as_json(self: Any) -> Any:
        result: dict[str, Any] = original(self).result  # type: ignore[assignment]
        records = []
        for record in result["Records"]:
            stream = dict(record["dynamodb"])
            at = stream["ApproximateCreationDateTime"]
            if isinstance(at, datetime.datetime):
                stream["ApproximateCreationDateTime"] = at.replace(tzinfo=datetime.UTC).timestamp()
            records.append(record | {"dynamodb": stream})
        return dynamo_json_dump(result | {"Records": records})

    as_json.as_json = True  # type: ignore[attr-defined]
    DynamoDBStreamsHandler.get_records = as_json  # type: ignore[method-assign]


class _Sorted(list[Any]):
    """A cached index partition already in its query order."""


# Requests that never change an item: any other request may, and makes the index partitions stale.
_READ_ACTIONS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "DescribeTable", "ListTables"}
    | {"DescribeTimeToLive", "DescribeContinuousBackups", "ListTagsOfResource"}
)


def _queries_read_their_partition() -> None:
    """Let ``Query`` read its partition, not the whole table.

    moto's ``Table.query`` starts from ``all_items()``: every item of the table, sorted by key, then
    keeps those of the asked partition and sorts them again. Each page of a query cost
    O(table log table). Here, during a query, ``all_items()`` answers the asked partition only: a
    table partition straight from moto's storage, an index partition from a grouping of the table's
    items by each index's partition key, built when first needed and dropped by the next request
    that may write (any request but the reads above). moto then filters and orders as before.
    """
    import inspect
    from collections import defaultdict

    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    if getattr(Table.query, "by_partition", False):
        return
    original_all_items, original_query, original_call = Table.all_items, Table.query, DynamoHandler.call_action
    original_sorted = Table.sorted_items
    signature = inspect.signature(original_query)
    asked = threading.local()  # the partition a query of this thread reads (moto in process may run threads)
    writes = [0]  # requests that may have written, so far
    grouped: dict[int, tuple[Any, int, dict[tuple[str, str, str], list[Any]]]] = {}

    def call_action(self: Any) -> Any:
        if self._get_action() in _READ_ACTIONS:
            return original_call(self)
        try:
            return original_call(self)
        finally:
            writes[0] += 1

    def index_partition(table: Any, index_name: str, name: str, value: Any) -> tuple[list[Any], bool]:
        """The items of an index partition, and whether they are in the order the query sorts."""
        epoch = writes[0]
        cached = grouped.get(id(table))
        if cached is None or cached[0] is not table or cached[1] != epoch:
            names = {
                k["AttributeName"] for index in table.all_indexes() for k in index.schema if k["KeyType"] == "HASH"
            }
            groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
            for by_range in table.items.values():
                for item in by_range.values() if table.range_key_attr else [by_range]:
                    for attr in names & item.attrs.keys():
                        found = item.attrs[attr]
                        groups[(attr, found.type, str(found.value))].append(item)
            cached = grouped[id(table)] = (table, epoch, groups)
        key = (name, value.type, str(value.value))
        items = cached[2].get(key, [])
        index = table.get_index(index_name)
        hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
        ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
        if not ranges or not table.range_key_attr or not all(r in i.attrs for i in items for r in ranges):
            return list(items), False
        if not isinstance(items, _Sorted):  # sorted once per partition and write epoch
            order = [*hashes, table.hash_key_attr], [*ranges, table.range_key_attr]
            items = cached[2][key] = _Sorted(original_sorted(table, *order, list(items)))
        return list(items), True

    def all_items(self: Any) -> Any:
        partition = getattr(asked, "partition", None)
        if partition is None or partition[0] is not self:
            return original_all_items(self)
        return partition[1]

    def sorted_items(self: Any, hash_attrs: Any, range_attrs: Any, items: list[Any]) -> list[Any]:
        partition = getattr(asked, "partition", None)
        if partition is not None and partition[0] is self and partition[2]:
            return items  # a subset, in order, of a partition already in this order
        return original_sorted(self, hash_attrs, range_attrs, items)

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        conditions = arguments.get("hash_key_conditions") or []
        hash_key = arguments.get("hash_key")
        index_name = arguments.get("index_name")
        if index_name is None and isinstance(hash_key, DynamoType):
            found = self.items.get(hash_key, {})
            asked.partition = (self, list(found.values()) if self.range_key_attr else [found], False)
        elif index_name is not None and len(conditions) == 1:
            name, value = conditions[0]
            typed = value if isinstance(value, DynamoType) else DynamoType(value)
            asked.partition = (self, *index_partition(self, index_name, name, typed))
        try:
            return original_query(self, *args, **kwargs)
        finally:
            asked.partition = None

    query.by_partition = True  # type: ignore[attr-defined]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.sorted_items = sorted_items  # type: ignore[method-assign,assignment]
    Table.query = query  # type: ignore[method-assign]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def _item_size_kept_per_attribute() -> None:
    """Check the 400 KB item limit without measuring the whole item at every attribute.

    moto's ``LimitedSizeDict`` sums the size of every attribute each time one is set: building an
    item of n attributes measured O(n²) of them, the main cost of a write, and every copy of an
    item (a query copies each item it answers) measured them all again. Here each attribute's size
    is kept when it is set (by DynamoDB's rules, ``quotas.attribute_size``), the limit is checked
    against the sum of the kept sizes, an item's size is that sum, and a copy keeps the sizes. An
    update can grow an attribute in place, without setting it: ``quotas`` measures every updated
    item again and keeps its new sizes, so the kept sizes are never stale after a write.
    """
    from moto.dynamodb.models import dynamo_type

    limited = dynamo_type.LimitedSizeDict
    if getattr(limited.__setitem__, "kept", False):
        return

    def __setitem__(self: Any, key: str, value: Any) -> None:
        sizes: dict[str, int] = self.__dict__.setdefault("_sizes", {})
        size = quotas.attribute_size(key, value if isinstance(value, dynamo_type.DynamoType) else {"S": str(value)})
        total = sum(sizes.get(k, 0) for k in self if k != key) + size
        if total > quotas.MAX_ITEM_BYTES:
            raise quotas.item_too_large(total)
        dict.__setitem__(self, key, value)
        sizes[key] = size

    def size(self: Any) -> int:
        """The item's size from its attributes' kept sizes (measured for those set otherwise)."""
        sizes: dict[str, int] = self.attrs.__dict__.get("_sizes", {})
        return sum(sizes[k] if k in sizes else quotas.attribute_size(k, v) for k, v in self.attrs.items())

    def __deepcopy__(self: Any, memo: dict[int, Any]) -> Any:
        """A copy of a stored item (a query copies every item it answers): its attributes copied
        as they are, without measuring them again."""
        result = object.__new__(type(self))
        memo[id(self)] = result
        for name, value in self.__dict__.items():
            if name != "attrs":
                result.__dict__[name] = copy.deepcopy(value, memo)
        attrs = limited.__new__(limited)
        dict.update(attrs, {k: copy.deepcopy(v, memo) for k, v in self.attrs.items()})
        attrs.__dict__["_sizes"] = dict(self.attrs.__dict__.get("_sizes", {}))
        result.attrs = attrs
        return result

    __setitem__.kept = True  # type: ignore[attr-defined]
    limited.__setitem__ = __setitem__  # type: ignore[method-assign]
    dynamo_type.Item.size = size  # type: ignore[method-assign]
    dynamo_type.Item.__deepcopy__ = __deepcopy__  # type: ignore[method-assign]


def speed_up() -> None:
    """The engine's patches of moto (also for tests and benchmarks that use moto in process)."""
    item_level_transactions()
    _projection_once_per_item()
    _answered_as_json()
    _queries_read_their_partition()
    _item_size_kept_per_attribute()
    quotas.enforce()


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, which finds each request's service by asking every backend in turn (a
    tenth of the engine's time for a small request): here once per ``X-Amz-Target`` service
    (DynamoDB, DynamoDB Streams), then from a dict."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self.by_target: dict[str, Any] = {}

    def get_application(self, environ: dict[str, Any]) -> Any:
        service = str(environ.get("HTTP_X_AMZ_TARGET", "")).partition(".")[0]
        app = self.by_target.get(service) if service else None
        if app is None:
            app = super().get_application(environ)
            if service:
                self.by_target[service] = app
        return app


class Engine:
    """The engine on ``host:port``; with ``data_dir``, its data is kept there (local/durable.py),
    else in memory only."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        data_dir: Path | None = None,
        compact_records: int | None = None,
    ):
        speed_up()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per DynamoDB call
        dispatcher = _Dispatcher()
        lock = threading.Lock()

        def serialized(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with lock:
                return list(dispatcher(environ, start_response))

        self.durable = Durable(data_dir, dispatcher, lock, compact_records) if data_dir is not None else None
        app = self.durable.app if self.durable is not None else serialized
        self.server: BaseWSGIServer = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="dynamodb-engine", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def start(self) -> Engine:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        if self.durable is not None:
            self.durable.close()
