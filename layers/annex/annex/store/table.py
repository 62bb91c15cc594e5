"""The DynamoDB table handle, created once per container (per table a tool points the store at with
``target``), and the mapping of service faults."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

from annex.config import settings
from annex.errors import AnnexError, Conflict, PreconditionFailed, Throttled, Unavailable
from annex.store.keys import VERSION
from annex.store.retry import ATTEMPTS, backoff

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.service_resource import Table

THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
    }
)
UNAVAILABLE_CODES = frozenset({"InternalServerError", "ServiceUnavailable", "ResourceNotFoundException"})


_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=2, read_timeout=5)


@dataclass(frozen=True)
class Target:
    """The table the store reads and writes: its name, a DynamoDB-compatible endpoint (None: AWS's
    own) and the region."""

    name: str
    endpoint: str | None = None
    region: str = "us-east-1"


_chosen: Target | None = None  # a tool's choice (``target``); a Lambda uses its settings


def current() -> Target:
    """The table chosen with ``target``, else the one the settings name."""
    if _chosen is not None:
        return _chosen
    cfg = settings()
    return Target(cfg.table_name, cfg.dynamodb_endpoint, cfg.region)


@contextlib.contextmanager
def target(name: str, endpoint: str | None = None, region: str = "us-east-1") -> Iterator[Target]:
    """Point the store at another table while the block runs (tools, tests, benchmarks): the
    choice is the process's, not the thread's, so the store's worker threads see it too."""
    global _chosen
    previous, _chosen = _chosen, Target(name, endpoint, region)
    try:
        yield _chosen
    finally:
        _chosen = previous


def table() -> Table:
    """The table handle (``HighLevelTable``), built on first use and reused by every request of
    this container."""
    return _table(current())


def client() -> DynamoDBClient:
    """A plain low-level client (no resource type conversion), for libraries that bring their own."""
    return _client(current())


def bulk_client() -> DynamoDBClient:
    """A low-level client for reads of many items (analytics): its ``Query`` answers skip
    botocore's shape-driven parsing, which walks every attribute of every item and was most of
    the CPU of reading a few thousand sessions. A DynamoDB answer is already DynamoDB JSON: it is
    read with ``json.loads`` (errors still go through the parser), and ``decoded`` turns items into
    plain values."""
    return _bulk_client(current())


@functools.cache
def _table(where: Target) -> Table:
    # What the store calls of boto3's Table resource (the subset HighLevelTable has), typed as it.
    return cast("Table", HighLevelTable(_new_client(where), where.name))


@dataclass(frozen=True)
class _Meta:
    client: DynamoDBClient


class HighLevelTable:
    """The table as the store uses it: boto3's high-level DynamoDB interface (Python values in and
    out, ``Key``/``Attr`` conditions, the batch writer) on a plain client, the handlers boto3's
    Table resource registers on its client registered here. ``boto3.resource`` would also load and
    build the whole resource model at a cold start, which the store never uses."""

    def __init__(self, dynamodb: DynamoDBClient, name: str) -> None:
        from boto3.dynamodb.transform import TransformationInjector, copy_dynamodb_params

        self.name, self.meta = name, _Meta(dynamodb)
        events, injector = dynamodb.meta.events, TransformationInjector()
        # boto3's injector keeps one ConditionExpressionBuilder, whose placeholder counter every
        # request resets: two threads building conditions at once (names.attach, the bulk readers)
        # could each get ``#n0`` for different attributes. Each thread builds with its own.
        per_thread = threading.local()

        def inject_conditions(params: Any, model: Any, **kwargs: Any) -> None:
            if not hasattr(per_thread, "injector"):
                per_thread.injector = TransformationInjector()
            per_thread.injector.inject_condition_expressions(params, model, **kwargs)

        events.register("provide-client-params.dynamodb", copy_dynamodb_params, unique_id="dynamodb-create-params-copy")
        events.register("before-parameter-build.dynamodb", inject_conditions, unique_id="dynamodb-condition-expression")
        events.register(
            "before-parameter-build.dynamodb",
            injector.inject_attribute_value_input,
            unique_id="dynamodb-attr-value-input",
        )
        events.register(
            "after-call.dynamodb", injector.inject_attribute_value_output, unique_id="dynamodb-attr-value-output"
        )

    def get_item(self, **request: Any) -> Any:
        return self.meta.client.get_item(TableName=self.name, **request)

    def put_item(self, **request: Any) -> Any:
        return self.meta.client.put_item(TableName=self.name, **request)

    def update_item(self, **request: Any) -> Any:
        return self.meta.client.update_item(TableName=self.name, **request)

    def delete_item(self, **request: Any) -> Any:
        return self.meta.client.delete_item(TableName=self.name, **request)

    def query(self, **request: Any) -> Any:
        return self.meta.client.query(TableName=self.name, **request)

    def scan(self, **request: Any) -> Any:
        return self.meta.client.scan(TableName=self.name, **request)

    def batch_writer(self, overwrite_by_pkeys: list[str] | None = None) -> Any:
        from boto3.dynamodb.table import BatchWriter

        return BatchWriter(self.name, self.meta.client, overwrite_by_pkeys=overwrite_by_pkeys)


def _new_client(where: Target) -> DynamoDBClient:
    return boto3.client("dynamodb", region_name=where.region, endpoint_url=where.endpoint, config=_CONFIG)


_client = functools.cache(_new_client)


@functools.cache
def _bulk_client(where: Target) -> DynamoDBClient:
    bulk = _new_client(where)
    bulk.meta.events.register("before-parse.dynamodb.Query", _json_answer)
    return bulk


def _json_answer(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any) -> None:
    if response_dict.get("status_code", 500) < 300:
        customized_response_dict.update(json.loads(response_dict["body"]))
        response_dict["body"] = b"{}"  # the parser then has nothing left to walk


def batch_items(wanted: list[dict[str, str]], request: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every item of ``wanted`` (keys) that exists, read 100 keys a ``BatchGetItem`` with the
    ``request`` options (``ConsistentRead``, a projection); keys DynamoDB leaves unprocessed are
    asked again with a jittered backoff, and 429 when it keeps leaving some: never a silent gap."""
    name, found = table().name, []
    for start in range(0, len(wanted), 100):
        pending: dict[str, Any] = {name: {"Keys": wanted[start : start + 100]} | (request or {})}
        for attempt in range(1, ATTEMPTS + 1):
            out = table().meta.client.batch_get_item(RequestItems=pending)
            found += out.get("Responses", {}).get(name, [])
            pending = out.get("UnprocessedKeys") or {}
            if not pending:
                break
            backoff(attempt)
        else:
            raise Throttled("Too many requests, retry shortly", headers={"Retry-After": "1"})
    return found


def decoded(item: dict[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB JSON as plain values (numbers as int or float, sets as lists)."""
    return {name: _plain_value(value) for name, value in item.items()}


def _plain_value(value: dict[str, Any]) -> Any:
    ((kind, data),) = value.items()
    if kind == "S" or kind == "BOOL":
        return data
    if kind == "N":
        return _number(data)
    if kind == "M":
        return {k: _plain_value(v) for k, v in data.items()}
    if kind == "L":
        return [_plain_value(v) for v in data]
    if kind == "SS":
        return list(data)
    if kind == "NS":
        return [_number(n) for n in data]
    if kind == "NULL":
        return None
    return base64.b64decode(data) if kind == "B" else [base64.b64decode(b) for b in data]


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else float(number)


def service_error(err: BotoCoreError | ClientError) -> AnnexError | None:
    """The client-facing error for a DynamoDB fault that survived the SDK's retries, if it is one."""
    if isinstance(err, ClientError):
        code = err.response.get("Error", {}).get("Code", "")
        if code in THROTTLING_CODES:
            return Throttled("Too many requests, retry shortly", headers={"Retry-After": "1"})
        if code in UNAVAILABLE_CODES:
            return Unavailable("The data store is unavailable, retry shortly", headers={"Retry-After": "1"})
        if code == "TransactionConflictException":  # a write met a transaction in progress on its item
            return Conflict("The resource is being changed concurrently; retry the request", code="concurrent_update")
        return None
    if isinstance(err, ConnectionError | ReadTimeoutError):
        return Unavailable("The data store did not answer in time, retry shortly", headers={"Retry-After": "1"})
    return None


def plain(value: Any) -> Any:
    """DynamoDB's Decimals back to the JSON numbers they were written as."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [plain(v) for v in value]
    return value


def reraise_unless_condition_failed(err: ClientError) -> None:
    """Let a failed ``ConditionExpression`` be handled by the caller; anything else propagates."""
    if err.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
        raise err


def failed_item(err: ClientError) -> dict[str, Any] | None:
    """The item as it was when a condition failed (low-level format), if the request asked for it."""
    item: dict[str, Any] | None = err.response.get("Item")  # type: ignore[assignment]
    return item or None


def version_of(raw_item: dict[str, Any]) -> int:
    """The version of an item in DynamoDB JSON (an ``ALL_OLD`` image)."""
    return int(raw_item.get(VERSION, {}).get("N", "0"))


def stale(version: object, expected: int | None, what: str = "resource") -> PreconditionFailed:
    """The 412 of a write whose If-Match names a version the record is no longer (or never was) at."""
    return PreconditionFailed(f'The {what} is at version "{version}", not "{expected}": read it again')


def query_all(request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item a ``Query`` of the table resource finds, page after page."""
    found: list[dict[str, Any]] = []
    while True:
        page = table().query(**request)
        found += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return found
        request = request | {"ExclusiveStartKey": page["LastEvaluatedKey"]}
