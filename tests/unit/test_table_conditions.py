"""The store's table builds ``Key``/``Attr`` conditions into expressions per request, and requests
built on several threads at once (names.attach, the bulk readers) each get their own placeholders."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key

from annex.store.table import HighLevelTable


def _built(table: HighLevelTable, request: dict[str, Any]) -> dict[str, Any]:
    """``request`` as the client sends it, after the handlers boto3's Table registers have run."""
    client = table.meta.client
    model = client.meta.service_model.operation_model("Query")
    client.meta.events.emit("before-parameter-build.dynamodb.Query", params=request, model=model, context={})
    return request


def test_conditions_built_on_many_threads_at_once_keep_their_own_placeholders() -> None:
    client = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )  # never called: only its parameter handlers run
    table = HighLevelTable(client, "t")

    def one(i: int) -> tuple[int, dict[str, Any]]:
        condition = Key("PK").eq(f"p{i}") & Key("SK").lt(f"s{i}")
        return i, _built(table, {"KeyConditionExpression": condition, "FilterExpression": Attr("n").gt(i)})

    with ThreadPoolExecutor(8) as pool:
        requests = list(pool.map(one, range(20_000)))
    for i, request in requests:
        names, values = request["ExpressionAttributeNames"], request["ExpressionAttributeValues"]
        assert sorted(names.values()) == ["PK", "SK", "n"], request
        left, right = request["KeyConditionExpression"].strip("()").split(" AND ")
        pk_name, pk_value = left.split(" = ")
        sk_name, sk_value = right.split(" < ")
        assert (names[pk_name], values[pk_value]) == ("PK", {"S": f"p{i}"}), request
        assert (names[sk_name], values[sk_value]) == ("SK", {"S": f"s{i}"}), request
