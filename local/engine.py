"""The embedded DynamoDB-compatible engine: moto's DynamoDB served over HTTP on loopback.

moto evaluates a request in several Python steps, so two threads could interleave inside one
``UpdateItem``. Real DynamoDB applies each request to an item atomically; the engine gets the
same guarantee (and more) by serving one request at a time. Handlers still run concurrently,
so a read-modify-write in Annex's code would still lose updates here, as it would in AWS.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server


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


class Engine:
    def __init__(self, host: str = "127.0.0.1", port: int = 8000):
        item_level_transactions()
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
