"""The embedded engine's transactions: all or nothing, item by item, and no stream record for
what was rolled back (it saves only the items a transaction touches, not the whole table)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local.engine import Engine
from local.template import Template, load


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    engine = Engine("127.0.0.1", 0).start()
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=engine.endpoint,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    dynamodb.create_table(TableName="engine", **Template(load()).table_definition())
    yield dynamodb
    engine.stop()


def _stream_records(client: Any) -> list[dict[str, Any]]:
    """The table's stream records so far, as a streams client reads them."""
    arn = client.describe_table(TableName="engine")["Table"]["LatestStreamArn"]
    streams = boto3.client(
        "dynamodbstreams",
        endpoint_url=client.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records: list[dict[str, Any]] = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return records


def _stream_length(client: Any) -> int:
    return len(_stream_records(client))


def test_a_cancelled_transaction_leaves_every_item_and_the_stream_as_they_were(client: Any) -> None:
    key = {"PK": {"S": "a"}, "SK": {"S": "1"}}
    client.put_item(TableName="engine", Item=key | {"n": {"N": "1"}})
    records = _stream_length(client)
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "engine", "Item": {"PK": {"S": "b"}, "SK": {"S": "1"}}}},
                {
                    "Update": {
                        "TableName": "engine",
                        "Key": key,
                        "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {
                    "Delete": {
                        "TableName": "engine",
                        "Key": {"PK": {"S": "c"}, "SK": {"S": "1"}},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )
    assert client.get_item(TableName="engine", Key=key)["Item"]["n"] == {"N": "1"}
    assert "Item" not in client.get_item(TableName="engine", Key={"PK": {"S": "b"}, "SK": {"S": "1"}})
    assert _stream_length(client) == records
    client.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": "engine",
                    "Key": key,
                    "UpdateExpression": "SET n = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}},
                }
            }
        ]
    )
    assert client.get_item(TableName="engine", Key=key)["Item"]["n"] == {"N": "2"}
    assert _stream_length(client) == records + 1


# DynamoDB's quotas: the engine refuses what AWS refuses, so what the tests pass AWS takes too.

KB = 1024
CHUNK = "𝄞" * (25 * KB)  # 100 KB of four-byte characters


def _refused(client: Any, call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(client.exceptions.ClientError) as refused:
        call(*args, **kwargs)
    error = refused.value.response["Error"]
    assert error["Code"] in ("ValidationException", "TransactionCanceledException"), error
    return str(error["Message"])


def _update(client: Any, key: dict[str, Any], expression: str, values: dict[str, Any], **kw: Any) -> Any:
    return client.update_item(
        TableName="engine", Key=key, UpdateExpression=expression, ExpressionAttributeValues=values, **kw
    )


@pytest.mark.parametrize(
    "grow",
    [
        ("ADD tags :v", lambda i: {"SS": [f"{i}{CHUNK}"]}),  # a string set grown in place
        ("SET screens = list_append(screens, :v)", lambda i: {"L": [{"S": CHUNK}]}),  # a list
        ("SET m.k{i} = :v", lambda i: {"S": CHUNK}),  # a map member set in place
    ],
    ids=["set", "list", "map"],
)
def test_an_update_growing_an_attribute_in_place_past_400_kb_is_refused_and_changes_nothing(
    client: Any, grow: tuple[str, Any]
) -> None:
    expression, value = grow
    key = {"PK": {"S": f"grow-{expression[:6]}"}, "SK": {"S": "1"}}
    client.put_item(TableName="engine", Item=key | {"tags": {"SS": ["a"]}, "screens": {"L": []}, "m": {"M": {}}})
    for i in range(3):  # 300 KB: taken
        _update(client, key, expression.replace("{i}", str(i)), {":v": value(i)})
    stored = client.get_item(TableName="engine", Key=key)["Item"]
    records = _stream_length(client)
    assert "maximum allowed size" in _refused(
        client, _update, client, key, expression.replace("{i}", "3"), {":v": value(3)}
    )
    assert client.get_item(TableName="engine", Key=key)["Item"] == stored
    assert _stream_length(client) == records


def test_an_item_is_measured_by_dynamodbs_rules_at_400_kb() -> None:
    from local import quotas

    assert quotas.value_size({"N": "-12345.6700"}) == 4 + 1 + 1  # 7 significant digits, 1, the sign
    assert quotas.value_size({"M": {"a": {"L": [{"BOOL": True}, {"NULL": True}]}}}) == 3 + 1 + 1 + (3 + 2 + 2)
    assert quotas.value_size({"SS": ["é", "ab"]}) == 4
    assert quotas.item_size({"PK": {"S": "𝄞"}}) == 2 + 4


def test_a_put_past_400_kb_is_refused(client: Any) -> None:
    key = {"PK": {"S": "big"}, "SK": {"S": "1"}}
    room = 400 * KB - (2 + 3) - (2 + 1) - 1  # PK "big", SK "1", the attribute name "v"
    client.put_item(TableName="engine", Item=key | {"v": {"S": "x" * room}})
    _refused(client, client.put_item, TableName="engine", Item=key | {"v": {"S": "x" * (room + 1)}})


@pytest.mark.parametrize("attribute,most", [("PK", 2048), ("GSI1PK", 2048), ("SK", 1024), ("GSI2SK", 1024)])
def test_keys_past_dynamodbs_lengths_are_refused_in_puts_updates_and_reads(
    client: Any, attribute: str, most: int
) -> None:
    long = {"S": "𝄞" * (most // 4) + "x"}
    key = {"PK": {"S": "keys"}, "SK": {"S": attribute}}
    item = key | {"GSI1PK": {"S": "g"}, "GSI1SK": {"S": "g"}, "GSI2PK": {"S": "g"}, "GSI2SK": {"S": "g"}}
    _refused(client, client.put_item, TableName="engine", Item=item | {attribute: long})
    client.put_item(TableName="engine", Item=item)
    if attribute not in key:
        _refused(client, _update, client, key, "SET #a = :v", {":v": long}, ExpressionAttributeNames={"#a": attribute})
        assert client.get_item(TableName="engine", Key=key)["Item"][attribute] == {"S": "g"}
        return
    _refused(client, client.get_item, TableName="engine", Key=key | {attribute: long})
    condition = "PK = :p" if attribute == "PK" else "PK = :p AND SK BETWEEN :s AND :s"
    values = {":p": long} if attribute == "PK" else {":p": key["PK"], ":s": long}
    _refused(
        client, client.query, TableName="engine", KeyConditionExpression=condition, ExpressionAttributeValues=values
    )


@pytest.mark.parametrize("field", ["UpdateExpression", "ConditionExpression", "FilterExpression", "KeyCondition"])
def test_an_expression_past_4_kb_is_refused(client: Any, field: str) -> None:
    key = {"PK": {"S": "expr"}, "SK": {"S": "1"}}
    client.put_item(TableName="engine", Item=key | {"n": {"N": "1"}})
    padding = " " * (4 * KB)
    if field == "UpdateExpression":
        _refused(client, _update, client, key, "SET n = :v" + padding, {":v": {"N": "2"}})
    elif field == "ConditionExpression":
        _refused(client, _update, client, key, "SET n = :v", {":v": {"N": "2"}}, ConditionExpression="n = n" + padding)
    elif field == "FilterExpression":
        _refused(client, client.scan, TableName="engine", FilterExpression="n = n" + padding)
    else:
        _refused(
            client,
            client.query,
            TableName="engine",
            KeyConditionExpression="PK = :p" + padding,
            ExpressionAttributeValues={":p": key["PK"]},
        )
    assert client.get_item(TableName="engine", Key=key)["Item"]["n"] == {"N": "1"}


def test_a_transaction_of_more_than_100_actions_is_refused(client: Any) -> None:
    puts = [{"Put": {"TableName": "engine", "Item": {"PK": {"S": "many"}, "SK": {"S": str(i)}}}} for i in range(101)]
    _refused(client, client.transact_write_items, TransactItems=puts)
    assert "Item" not in client.get_item(TableName="engine", Key={"PK": {"S": "many"}, "SK": {"S": "0"}})


def test_a_transaction_past_4_mb_is_refused_and_writes_nothing(client: Any) -> None:
    big = {"S": "x" * (390 * KB)}
    puts = [
        {"Put": {"TableName": "engine", "Item": {"PK": {"S": "huge"}, "SK": {"S": str(i)}, "v": big}}}
        for i in range(11)  # 11 items of 390 KB: 4.2 MB
    ]
    records = _stream_length(client)
    assert "Transaction size" in _refused(client, client.transact_write_items, TransactItems=puts)
    assert "Item" not in client.get_item(TableName="engine", Key={"PK": {"S": "huge"}, "SK": {"S": "0"}})
    assert _stream_length(client) == records
    client.transact_write_items(TransactItems=puts[:10])  # 3.9 MB: taken


RICH = {
    "PK": {"S": "rich"},
    "SK": {"S": "1"},
    "s": {"S": 'é\u2028"quoted"'},
    "n": {"N": "-12.500"},
    "b": {"B": b"\x00\xffbytes"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "l": {"L": [{"S": "x"}, {"N": "1"}, {"NULL": True}, {"BOOL": False}]},
    "m": {"M": {"inner": {"M": {"deep": {"B": b"\x03"}}}, "t": {"BOOL": True}}},
}


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Items equal as DynamoDB compares them (numbers by value, sets in any order)."""

    def norm(value: dict[str, Any]) -> Any:
        ((tag, inner),) = value.items()
        if tag == "N":
            return tag, float(inner)
        if tag in ("SS", "BS"):
            return tag, sorted(inner)
        if tag == "NS":
            return tag, sorted(float(n) for n in inner)
        if tag == "L":
            return tag, [norm(v) for v in inner]
        if tag == "M":
            return tag, {k: norm(v) for k, v in inner.items()}
        return tag, inner

    assert {k: norm(v) for k, v in a.items()} == {k: norm(v) for k, v in b.items()}


def test_writes_and_stream_records_answer_every_attribute_type_as_dynamodb_does(client: Any) -> None:
    """The engine writes the answers of writes and of GetRecords as JSON itself (local/engine.py):
    every type comes back as it went in, and the stream's timestamp is a time, not a string."""
    key = {"PK": RICH["PK"], "SK": RICH["SK"]}
    client.put_item(TableName="engine", Item=RICH)
    old = client.put_item(TableName="engine", Item=RICH | {"n": {"N": "7"}}, ReturnValues="ALL_OLD")["Attributes"]
    _same(old, RICH)
    new = client.update_item(
        TableName="engine",
        Key=key,
        UpdateExpression="SET n = n + :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    _same(new, RICH | {"n": {"N": "8"}})
    updated = client.update_item(TableName="engine", Key=key, UpdateExpression="REMOVE s", ReturnValues="UPDATED_OLD")[
        "Attributes"
    ]
    assert updated == {"s": RICH["s"]}
    assert "Attributes" not in client.update_item(
        TableName="engine", Key=key, UpdateExpression="SET s = :s", ExpressionAttributeValues={":s": RICH["s"]}
    )
    client.transact_write_items(TransactItems=[{"Put": {"TableName": "engine", "Item": RICH | {"SK": {"S": "2"}}}}])
    unprocessed = client.batch_write_item(
        RequestItems={"engine": [{"PutRequest": {"Item": RICH | {"SK": {"S": "3"}}}}]}
    )["UnprocessedItems"]
    assert unprocessed == {}
    gone = client.delete_item(TableName="engine", Key=key, ReturnValues="ALL_OLD")["Attributes"]
    _same(gone, RICH | {"n": {"N": "8"}})

    ours = [r for r in _stream_records(client) if r["dynamodb"]["Keys"] == key]
    assert [r["eventName"] for r in ours] == ["INSERT", "MODIFY", "MODIFY", "MODIFY", "MODIFY", "REMOVE"]
    _same(ours[0]["dynamodb"]["NewImage"], RICH)
    _same(ours[-1]["dynamodb"]["OldImage"], RICH | {"n": {"N": "8"}})
    for record in ours:
        at = record["dynamodb"]["ApproximateCreationDateTime"]
        assert abs((datetime.datetime.now(datetime.UTC) - at).total_seconds()) < 600
