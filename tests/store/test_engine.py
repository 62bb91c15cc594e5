"""The embedded engine's transactions: all or nothing, item by item, and no stream record for
what was rolled back (it saves only the items a transaction touches, not the whole table)."""

from __future__ import annotations

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


def _stream_length(client: Any) -> int:
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
    return len(streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"])


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
