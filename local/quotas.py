"""DynamoDB's quotas, enforced by the embedded engine at least as strictly as AWS enforces them.

moto checks some of them loosely or not at all: it measures an item only when a top-level
attribute is set (a set or map an update grows in place is never measured again), counts a number
as its text, and takes any key in a read, any expression length and any transaction size. A request
the engine answers must be one DynamoDB in AWS would answer too, or the tests prove nothing. Here:

- an item is at most 400 KB, measured with DynamoDB's rules (``item_size``) after every write,
  updates included; an update that grows it past that changes nothing and is refused;
- a partition key (table or index) is at most 2,048 bytes and a sort key at most 1,024, in every
  item written and every key a request names (``Key``, ``Keys``, ``ExclusiveStartKey``, a query's
  key condition);
- a key condition's ``BETWEEN`` has its lower bound at most its upper one;
- each expression (key condition, filter, condition, update, projection) is at most 4 KB;
- a transaction holds at most 100 actions (moto checks that) and its items at most 4 MB.

``speed_up`` (``local/engine.py``) calls ``enforce``; ``item_size`` is also how the engine keeps
each attribute's size, so the two never disagree.
"""

from __future__ import annotations

import base64
import copy
import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

MAX_ITEM_BYTES = 400 * 1024
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
MAX_EXPRESSION_BYTES = 4 * 1024
MAX_TRANSACTION_ACTIONS = 100
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
EXPRESSIONS = (
    "KeyConditionExpression",
    "FilterExpression",
    "ConditionExpression",
    "UpdateExpression",
    "ProjectionExpression",
)


def number_size(text: str) -> int:
    """DynamoDB's size of a number: 1 byte per two significant digits, plus 1 (plus 1 more for a
    negative, to be safe: DynamoDB documents the size as approximate)."""
    mantissa = text.lower().split("e", 1)[0]
    digits = mantissa.lstrip("+-").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1 + (1 if mantissa.startswith("-") else 0)


def _binary_size(value: Any) -> int:
    return len(value) if isinstance(value, bytes) else len(base64.b64decode(value))


def value_size(node: Any) -> int:
    """The size of one attribute value (a moto ``DynamoType`` or DynamoDB JSON), by DynamoDB's rules:
    strings their UTF-8 bytes, numbers ``number_size``, binaries their raw bytes, booleans and null
    1, sets the sum of their members, lists and maps 3 plus 1 per element plus the elements (and a
    map its keys' bytes)."""
    if isinstance(node, dict):
        ((kind, value),) = node.items()
    else:
        kind, value = node.type, node.value
    if kind == "S":
        return len(value.encode("utf-8", "surrogatepass"))
    if kind == "N":
        return number_size(value)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "B":
        return _binary_size(value)
    if kind == "SS":
        return sum(len(v.encode("utf-8", "surrogatepass")) for v in value)
    if kind == "NS":
        return sum(number_size(v) for v in value)
    if kind == "BS":
        return sum(_binary_size(v) for v in value)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in value)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8", "surrogatepass")) + value_size(v) for k, v in value.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def attribute_size(name: str, value: Any) -> int:
    return len(name.encode("utf-8", "surrogatepass")) + value_size(value)


def item_size(attrs: Mapping[str, Any]) -> int:
    """An item's size: the sum of its attributes' names and values."""
    return sum(attribute_size(name, value) for name, value in attrs.items())


def _order(value: dict[str, Any]) -> Any:
    """A key value as DynamoDB orders it: a string by its UTF-8 bytes, a number by value, a binary by its bytes."""
    ((kind, raw),) = value.items()
    if kind == "S":
        return raw.encode("utf-8", "surrogatepass")
    if kind == "N":
        return Decimal(raw)
    return raw if isinstance(raw, bytes) else base64.b64decode(raw)


def _refused(message: str) -> Exception:
    from moto.dynamodb.exceptions import MockValidationException

    return MockValidationException(message)


def item_too_large(size: int) -> Exception:
    return _refused(f"Item size has exceeded the maximum allowed size ({size} bytes; at most {MAX_ITEM_BYTES})")


def check_key(table: Any, attrs: Mapping[str, Any]) -> None:
    """Refuse key attributes (of the table or any index) that pass DynamoDB's key lengths."""
    for names, most, kind in (
        (table.hash_key_names, MAX_PARTITION_KEY_BYTES, "partition"),
        (table.range_key_names, MAX_SORT_KEY_BYTES, "sort"),
    ):
        for name in names:
            if name in attrs and value_size(attrs[name]) > most:
                raise _refused(
                    f"One or more parameter values were invalid: the {kind} key {name} has "
                    f"{value_size(attrs[name])} bytes; at most {most}"
                )


def check_expressions(request: Mapping[str, Any]) -> None:
    for field in EXPRESSIONS:
        text = request.get(field)
        if isinstance(text, str) and len(text.encode("utf-8", "surrogatepass")) > MAX_EXPRESSION_BYTES:
            raise _refused(
                f"Invalid {field}: Expression size has exceeded the maximum allowed size; "
                f"expression size: {len(text.encode('utf-8', 'surrogatepass'))}"
            )


def _operations(action: str, body: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """The table operations of a request: itself, or each action of a transaction or batch."""
    if action in ("transact_write_items", "transact_get_items"):
        for entry in body.get("TransactItems", []):
            yield from entry.values()
    elif action == "batch_get_item":
        for table_name, asked in body.get("RequestItems", {}).items():
            yield {"TableName": table_name, **asked}
    elif action == "batch_write_item":
        for table_name, requests in body.get("RequestItems", {}).items():
            for request in requests:
                for operation in request.values():
                    yield {"TableName": table_name, **operation}
    else:
        yield body


def check_request(backend: Any, action: str, body: Mapping[str, Any]) -> None:
    """Every expression and every key a request names, before moto applies any of it."""
    if action == "transact_write_items" and len(body.get("TransactItems", [])) > MAX_TRANSACTION_ACTIONS:
        from moto.dynamodb.exceptions import TooManyTransactionsException

        raise TooManyTransactionsException()
    for operation in _operations(action, body):
        check_expressions(operation)
        table = backend.tables.get(operation.get("TableName"))
        if table is None:
            continue  # moto answers ResourceNotFound itself
        keys = [operation.get("Key"), operation.get("Item"), operation.get("ExclusiveStartKey")]
        keys += operation.get("Keys", [])
        for key in keys:
            if isinstance(key, dict):
                check_key(table, key)


def _checked_requests() -> None:
    """Check each request's expressions and keys in the handler of its action, so that a refusal
    is answered as moto answers its own ``ValidationException``."""
    from moto.dynamodb.responses import DynamoHandler

    for action in (
        "get_item",
        "put_item",
        "update_item",
        "delete_item",
        "query",
        "scan",
        "batch_get_item",
        "batch_write_item",
        "transact_write_items",
        "transact_get_items",
    ):
        original = getattr(DynamoHandler, action)
        if getattr(original, "quotas", False):
            continue

        @functools.wraps(original)  # keeps the marks of the engine's own patches of the method
        def checked(self: Any, original: Callable[[Any], Any] = original, action: str = action) -> Any:
            check_request(self.dynamodb_backend, action, self.body)
            return original(self)

        checked.quotas = True  # type: ignore[attr-defined]
        setattr(DynamoHandler, action, checked)


def _query_keys_checked() -> None:
    """Refuse a query whose key condition names a key longer than DynamoDB takes."""
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.query
    if getattr(original, "quotas", False):
        return

    @functools.wraps(original)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        for _, value in kwargs.get("hash_key_conditions") or []:
            if value_size(value) > MAX_PARTITION_KEY_BYTES:
                raise _refused(
                    f"One or more parameter values were invalid: the partition key condition has "
                    f"{value_size(value)} bytes; at most {MAX_PARTITION_KEY_BYTES}"
                )
        for _, comparison, values in kwargs.get("range_key_conditions") or []:
            if comparison.upper() == "BETWEEN" and _order(values[0]) > _order(values[1]):
                raise _refused(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
                    "greater than or equal to lower bound"
                )
            for value in values:
                if value_size(value) > MAX_SORT_KEY_BYTES:
                    raise _refused(
                        f"One or more parameter values were invalid: a sort key condition value has "
                        f"{value_size(value)} bytes; at most {MAX_SORT_KEY_BYTES}"
                    )
        return original(self, *args, **kwargs)

    query.quotas = True  # type: ignore[attr-defined]
    DynamoDBBackend.query = query  # type: ignore[method-assign]


def remeasure(item: Any) -> int:
    """Measure every attribute of a stored item again (an update may have grown a set, a list or a
    map in place), keep the sizes for the engine's item sizes, and answer the total."""
    sizes = {name: attribute_size(name, value) for name, value in item.attrs.items()}
    item.attrs.__dict__["_sizes"] = sizes
    return sum(sizes.values())


def _updates_measured() -> None:
    """Measure an item after every ``UpdateItem`` (alone or in a transaction): past 400 KB, or with
    an index key set past its length, the update is undone (the item and its stream record) and
    refused, as DynamoDB refuses it before applying anything."""
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.update_item
    if getattr(original, "quotas", False):
        return

    @functools.wraps(original)
    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        table = self.get_table(table_name)
        hash_key, range_key = self.get_keys_value(table, key)
        before = copy.deepcopy(table.get_item(hash_key, range_key))
        stream = table.stream_shard
        records = len(stream.items) if stream is not None else 0
        item = original(self, table_name, key, *args, **kwargs)
        size = remeasure(item)
        try:
            if size > MAX_ITEM_BYTES:
                raise item_too_large(size)
            check_key(table, item.attrs)
        except Exception:
            restore(table, hash_key, range_key, before)
            if stream is not None:
                del stream.items[records:]
            raise
        return item

    update_item.quotas = True  # type: ignore[attr-defined]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]


def restore(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    """Put back an item as it was (None: it did not exist)."""
    if range_key is None:
        table.items.pop(hash_key, None) if item is None else table.items.__setitem__(hash_key, item)
    elif item is None:
        table.items[hash_key].pop(range_key, None)
    else:
        table.items[hash_key][range_key] = item


def check_transaction(images: Iterable[tuple[Any, Any]]) -> None:
    """Refuse a transaction whose items (each the larger of before and after) pass 4 MB."""
    total = sum(max(item_size(i.attrs) if i is not None else 0 for i in pair) for pair in images)
    if total > MAX_TRANSACTION_BYTES:
        raise _refused(
            f"Transaction size has exceeded the maximum allowed size ({total} bytes; at most {MAX_TRANSACTION_BYTES})"
        )


def enforce() -> None:
    """Patch moto to refuse what DynamoDB refuses (the transactions' 4 MB is checked by the engine's
    item-level transactions, which can undo them)."""
    _checked_requests()
    _query_keys_checked()
    _updates_measured()
