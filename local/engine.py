"""The embedded DynamoDB-compatible engine: moto's DynamoDB served over HTTP on loopback.

moto evaluates a request in several Python steps, so two threads could interleave inside one
``UpdateItem``. Real DynamoDB applies each request to an item atomically; the engine gets the
same guarantee (and more) by serving one request at a time. Handlers still run concurrently,
so a read-modify-write in Annex's code would still lose updates here, as it would in AWS.

``speed_up`` patches moto where its cost grew with the table rather than with the request
(transactions, queries, projections, item sizes), so tens of thousands of sessions stay usable.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server


def _item_level_transactions() -> None:
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
        except Exception:
            for table, hash_key, range_key, item in reversed(saved):
                if range_key is None:
                    table.items.pop(hash_key, None) if item is None else table.items.__setitem__(hash_key, item)
                elif item is None:
                    table.items[hash_key].pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = item
            for shard, length in streams.values():
                del shard.items[length:]  # the rolled-back writes never happened
            raise

    transact_write_items.item_level = True  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _projection_once_per_item() -> None:
    """Make a ``ProjectionExpression`` cost the attributes it names, not the item once per path.

    moto's ``Item.project`` converts the whole item to plain JSON again for every path of the
    expression; a query asking ten attributes of thousands of sessions spent most of its time
    there. Here the item's named top-level attributes are converted once, and the paths are
    looked up in that (the same answer, as moto computes it).
    """
    from botocore.utils import merge_dicts
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import find_nested_key

    if getattr(dynamo_type.Item.project, "once_per_item", False):
        return

    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
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

    project.once_per_item = True  # type: ignore[attr-defined]
    dynamo_type.Item.project = project  # type: ignore[method-assign]


def _reads_answered_as_json() -> None:
    """Write the answers of reads (``GetItem``, ``BatchGetItem``, ``Query``, ``Scan``) with a JSON
    encoder, not moto's shape-driven serializer.

    moto walks the output shape member by member for every attribute value (about a hundred
    lookups per item): most of a big read's time. These answers are plain DynamoDB JSON (type tags
    over strings, lists and maps; binary in base64), which ``json.dumps`` writes directly. Errors
    are raised before any answer exists, so they keep moto's own serialization.
    """
    from moto.dynamodb.models.utilities import dynamo_json_dump
    from moto.dynamodb.responses import DynamoHandler

    for name in ("get_item", "batch_get_item", "query", "scan"):
        original = getattr(DynamoHandler, name)
        if getattr(original, "as_json", False):
            continue

        def as_json(self: Any, original: Any = original) -> Any:
            return dynamo_json_dump(original(self).result)

        as_json.as_json = True  # type: ignore[attr-defined]
        setattr(DynamoHandler, name, as_json)


def _queries_without_a_table_sort() -> None:
    """Let ``Query`` skip sorting the whole table.

    moto's ``Table.query`` starts from ``all_items()``, which sorts every item of the table by key,
    then keeps the partition's items and sorts those again. The first sort decides nothing (the
    second one orders the answer) but cost O(table log table) per page; during a query the table's
    items come unsorted.
    """
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "unsorted", False):
        return
    original_all_items, original_query = Table.all_items, Table.query
    querying = threading.local()  # moto in process may serve several threads at once

    def all_items(self: Any) -> Any:
        if id(getattr(querying, "table", None)) != id(self):  # not inside this table's query
            return original_all_items(self)
        if self.range_key_attr:
            return [item for by_range in self.items.values() for item in by_range.values()]
        return list(self.items.values())

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        querying.table = self
        try:
            return original_query(self, *args, **kwargs)
        finally:
            querying.table = None

    query.unsorted = True  # type: ignore[attr-defined]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]


def _item_size_kept_per_attribute() -> None:
    """Check moto's 400 KB item limit without measuring the whole item at every attribute.

    moto's ``LimitedSizeDict`` sums the size of every attribute each time one is set: building an
    item of n attributes measured O(n²) of them, the main cost of a write. Here each attribute's
    size is kept when it is set, and the limit checked against the sum of the kept sizes. (Like
    moto's, the check happens when an attribute is set; Annex's own limits keep items far below.)
    """
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    limited = dynamo_type.LimitedSizeDict
    if getattr(limited.__setitem__, "kept", False):
        return

    def __setitem__(self: Any, key: str, value: Any) -> None:
        sizes: dict[str, int] = self.__dict__.setdefault("_sizes", {})
        size = bytesize(key) + (value.size() if type(value) is dynamo_type.DynamoType else bytesize(str(value)))
        total = sum(sizes.get(k, 0) for k in self if k != key) + size
        if total > 405_000:  # moto's limit (DynamoDB's 400 KB, as measured)
            raise ItemSizeTooLarge
        dict.__setitem__(self, key, value)
        sizes[key] = size

    __setitem__.kept = True  # type: ignore[attr-defined]
    limited.__setitem__ = __setitem__  # type: ignore[method-assign]


def speed_up() -> None:
    """The engine's patches of moto (also for tests and benchmarks that use moto in process)."""
    _item_level_transactions()
    _projection_once_per_item()
    _reads_answered_as_json()
    _queries_without_a_table_sort()
    _item_size_kept_per_attribute()


class Engine:
    def __init__(self, host: str = "127.0.0.1", port: int = 8000):
        speed_up()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per DynamoDB call
        dispatcher = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def serialized(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with lock:
                return list(dispatcher(environ, start_response))

        self.server: BaseWSGIServer = make_server(
            host, port, serialized, threaded=True, request_handler=MotoRequestHandler
        )
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
