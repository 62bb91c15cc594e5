"""The capacity model (``local.capacity``) against moto: each DynamoDB rule it follows, with items of
known sizes in the table template.yaml declares (GSI1 projects ALL, GSI2 KEYS_ONLY)."""

from __future__ import annotations

from typing import Any

import pytest

from annex.store.table import client
from local.capacity import INDEX_ITEM_OVERHEAD, DynamoCapacity, read_units, write_units
from local.quotas import item_size
from tests.conftest import TEST_TABLE

KB = 1024


def item(pk: str, size: int, sk: str = "s", **attrs: str) -> dict[str, Any]:
    """An item of exactly ``size`` bytes (DynamoDB's measure), padded with a ``filler`` string."""
    built: dict[str, Any] = {"PK": {"S": pk}, "SK": {"S": sk}} | {name: {"S": v} for name, v in attrs.items()}
    built["filler"] = {"S": ""}
    built["filler"] = {"S": "x" * (size - item_size(built))}
    assert item_size(built) == size
    return built


def key(pk: str, sk: str = "s") -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def put(*items: dict[str, Any]) -> None:
    for one in items:
        client().put_item(TableName=TEST_TABLE, Item=one)


def update(expression: str, values: dict[str, Any]) -> None:
    """One ``UpdateItem`` of item ``p``."""
    client().update_item(
        TableName=TEST_TABLE, Key=key("p"), UpdateExpression=expression, ExpressionAttributeValues=values
    )


@pytest.fixture
def db(moto_table: Any) -> Any:
    return client()


def test_rounding_rules() -> None:
    assert [write_units(n) for n in (0, 1, KB, KB + 1, 10 * KB)] == [1, 1, 1, 2, 10]
    assert [read_units(n, True) for n in (0, 4 * KB, 4 * KB + 1)] == [1, 1, 2]
    assert read_units(10 * KB, False) == 1.5


def test_a_small_put_is_one_unit(db: Any) -> None:
    with DynamoCapacity() as spent:
        db.put_item(TableName=TEST_TABLE, Item=item("p", KB // 2))
    assert (spent.write_units, spent.read_units) == (1, 0)
    assert spent.writes == {"PutItem": 1}


def test_an_update_costs_the_larger_of_before_and_after(db: Any) -> None:
    put(item("p", 10 * KB))
    small = item("p", 3 * KB + KB // 2)["filler"]["S"]
    with DynamoCapacity() as spent:
        update("SET filler = :v", {":v": {"S": small}})
    assert spent.write_units == 10  # 10 KB before, 3.5 KB after
    with DynamoCapacity() as spent:
        update("SET n = :v", {":v": {"N": "1"}})
    assert spent.write_units == 4  # a counter beside 3.5 KB costs the whole item


def test_a_refused_conditional_write_costs_the_item_as_it_was(db: Any) -> None:
    put(item("p", 8 * KB))
    with DynamoCapacity() as spent:
        with pytest.raises(db.exceptions.ConditionalCheckFailedException):
            db.update_item(
                TableName=TEST_TABLE,
                Key=key("p"),
                UpdateExpression="SET n = :v",
                ConditionExpression="attribute_not_exists(PK)",
                ExpressionAttributeValues={":v": {"N": "1"}},
            )
        with pytest.raises(db.exceptions.ConditionalCheckFailedException):
            db.delete_item(TableName=TEST_TABLE, Key=key("absent"), ConditionExpression="attribute_exists(PK)")
    assert spent.writes == {"UpdateItem": 8, "DeleteItem": 1}


def test_a_delete_costs_the_item_deleted(db: Any) -> None:
    put(item("p", 3 * KB))
    with DynamoCapacity() as spent:
        db.delete_item(TableName=TEST_TABLE, Key=key("p"))
        db.delete_item(TableName=TEST_TABLE, Key=key("p"))
    assert spent.writes == {"DeleteItem": 3 + 1}


def test_a_transaction_costs_twice_each_item(db: Any) -> None:
    with DynamoCapacity() as spent:
        db.transact_write_items(
            TransactItems=[{"Put": {"TableName": TEST_TABLE, "Item": item(f"t{i}", 100)}} for i in range(2)]
        )
    assert spent.writes == {"TransactWriteItems": 4}


def test_a_condition_check_costs_twice_the_checked_item(db: Any) -> None:
    put(item("checked", 3 * KB))
    with DynamoCapacity() as spent:
        db.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": TEST_TABLE,
                        "Key": key("checked"),
                        "ConditionExpression": "size(filler) > :z",
                        "ExpressionAttributeValues": {":z": {"N": "0"}},
                    }
                },
                {"Put": {"TableName": TEST_TABLE, "Item": item("new", 100)}},
            ]
        )
    assert spent.write_units == 2 * 3 + 2 * 1


def test_a_cancelled_transaction_costs_twice_each_item_as_it_was(db: Any) -> None:
    put(item("p", 2 * KB))
    with DynamoCapacity() as spent, pytest.raises(db.exceptions.TransactionCanceledException):
        db.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TEST_TABLE,
                        "Item": item("p", 100),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {"Put": {"TableName": TEST_TABLE, "Item": item("q", 5 * KB)}},
            ]
        )
    assert spent.writes == {"TransactWriteItems": 2 * 2 + 2 * 1}


def test_a_batch_write_costs_each_item(db: Any) -> None:
    put(item("gone", 2 * KB + 1))
    with DynamoCapacity() as spent:
        db.batch_write_item(
            RequestItems={
                TEST_TABLE: [
                    {"PutRequest": {"Item": item("b1", KB + KB // 2)}},
                    {"PutRequest": {"Item": item("b2", KB + KB // 2)}},
                    {"DeleteRequest": {"Key": key("gone")}},
                ]
            }
        )
    assert spent.writes == {"BatchWriteItem": 2 + 2 + 3}  # not the rounded sum (5)


def indexed(pk: str, size: int, sort: str = "a") -> dict[str, Any]:
    """An item in both indexes: GSI1 (ALL) and GSI2 (KEYS_ONLY)."""
    return item(pk, size, GSI1PK="list", GSI1SK=sort, GSI2PK="list2", GSI2SK=sort)


def test_moving_an_index_key_costs_a_delete_and_a_put_in_that_index(db: Any) -> None:
    put(indexed("p", 500))
    with DynamoCapacity() as spent:
        update("SET GSI1SK = :v", {":v": {"S": "b"}})
    assert spent.writes == {"UpdateItem": 1, "UpdateItem GSI1": 2}
    assert spent.write_units == 1 + 2


def test_changing_a_projected_attribute_costs_one_update_in_the_indexes_that_project_it(db: Any) -> None:
    put(indexed("p", 500))
    with DynamoCapacity() as spent:
        update("SET n = :v", {":v": {"N": "1"}})
    assert spent.writes == {"UpdateItem": 1, "UpdateItem GSI1": 1}  # GSI2 holds keys only: untouched


def test_an_index_item_is_its_projection_plus_overhead(db: Any) -> None:
    put(indexed("p", 3 * KB))
    with DynamoCapacity() as spent:
        update("SET n = :v", {":v": {"N": "1"}})
    # 3 KB + the number: 4 units in the table; GSI1 holds it all plus 100 bytes: 4 units too
    assert spent.writes == {"UpdateItem": 4, "UpdateItem GSI1": 4}
    put(item("p", 3 * KB - INDEX_ITEM_OVERHEAD + 1, GSI1PK="l", GSI1SK="a"))
    with DynamoCapacity() as spent:
        db.delete_item(TableName=TEST_TABLE, Key=key("p"))
    assert spent.writes == {"DeleteItem": 3, "DeleteItem GSI1": 4}  # the overhead crosses a KB


def test_entering_and_leaving_an_index(db: Any) -> None:
    put(item("p", 2 * KB - 100))
    with DynamoCapacity() as spent:
        update("SET GSI2PK = :p, GSI2SK = :s", {":p": {"S": "k"}, ":s": {"S": "1"}})
    assert spent.writes == {"UpdateItem": 2, "UpdateItem GSI2": 1}  # keys only: a small index item
    with DynamoCapacity() as spent:
        db.update_item(TableName=TEST_TABLE, Key=key("p"), UpdateExpression="REMOVE GSI2SK")
    assert spent.writes == {"UpdateItem": 2, "UpdateItem GSI2": 1}


def test_a_transaction_doubles_index_writes(db: Any) -> None:
    put(indexed("p", 500))
    with DynamoCapacity() as spent:
        db.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": TEST_TABLE,
                        "Key": key("p"),
                        "UpdateExpression": "SET GSI2SK = :v",
                        "ExpressionAttributeValues": {":v": {"S": "z"}},
                    }
                }
            ]
        )
    # GSI2's key moved (a delete and a put); GSI1 projects GSI2SK (an update): each doubled
    assert spent.writes == {"TransactWriteItems": 2, "TransactWriteItems GSI1": 2, "TransactWriteItems GSI2": 4}


def test_get_item_reads_the_whole_item_in_4_kb_units(db: Any) -> None:
    put(item("p", 5 * KB))
    with DynamoCapacity() as spent:
        db.get_item(TableName=TEST_TABLE, Key=key("p"), ProjectionExpression="PK")
        db.get_item(TableName=TEST_TABLE, Key=key("p"), ConsistentRead=True)
        db.get_item(TableName=TEST_TABLE, Key=key("absent"))
    assert spent.reads == {"GetItem": 1 + 2 + 0.5}
    assert spent.write_units == 0


def test_batch_and_transactional_gets_count_each_item(db: Any) -> None:
    put(item("a", KB), item("b", 5 * KB))
    with DynamoCapacity() as spent:
        db.batch_get_item(RequestItems={TEST_TABLE: {"Keys": [key("a"), key("b")], "ConsistentRead": True}})
        db.transact_get_items(TransactItems=[{"Get": {"TableName": TEST_TABLE, "Key": key("a")}}])
    assert spent.reads == {"BatchGetItem": 1 + 2, "TransactGetItems": 2}


def test_a_query_sums_what_it_evaluates_then_rounds_once(db: Any) -> None:
    put(*(item("q", KB, sk=f"{i:02d}") for i in range(10)))
    query = {
        "TableName": TEST_TABLE,
        "KeyConditionExpression": "PK = :p",
        "ExpressionAttributeValues": {":p": {"S": "q"}},
    }
    with DynamoCapacity() as spent:
        db.query(**query)
    assert spent.read_units == 1.5  # 10 KB: 3 units of 4 KB, halved
    with DynamoCapacity() as spent:
        db.query(**query, ConsistentRead=True)
    assert spent.read_units == 3
    with DynamoCapacity() as spent:  # a filter and a projection do not lower it
        found = db.query(
            **query | {"ExpressionAttributeValues": {":p": {"S": "q"}, ":n": {"S": "none"}}},
            FilterExpression="filler = :n",
            ProjectionExpression="PK",
        )
    assert (found["Count"], spent.read_units) == (0, 1.5)
    with DynamoCapacity() as spent:  # a page reads only its own items
        db.query(**query, Limit=4)
    assert spent.read_units == 0.5
    with DynamoCapacity() as spent:
        db.query(**query | {"ExpressionAttributeValues": {":p": {"S": "none"}}})
    assert spent.reads == {"Query": 0.5}


def test_an_index_query_reads_index_items(db: Any) -> None:
    put(*(indexed(f"i{i}", 2 * KB, sort=f"{i:02d}") for i in range(10)))
    with DynamoCapacity() as spent:
        db.query(
            TableName=TEST_TABLE,
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :p",
            ExpressionAttributeValues={":p": {"S": "list2"}},
        )
        db.query(
            TableName=TEST_TABLE,
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :p",
            ExpressionAttributeValues={":p": {"S": "list"}},
        )
    # GSI2: 10 x (keys + 100 bytes) < 4 KB; GSI1: 10 x (2 KB + 100 bytes) = 21,480 bytes, 6 units
    # of 4 KB (5 without the overhead), halved
    assert spent.reads == {"Query GSI2": 0.5, "Query GSI1": 3}


def test_a_100_event_batch_costs_2_units_an_event_and_a_constant_whatever_the_session_holds(moto_table: Any) -> None:
    """A session of 1,000 events of distinct 128-character names: a 100-event batch of names it
    has, and one of 67 new names, cost 2 write units per event plus a small constant (the new names
    one item per write: 2 units per KB)."""
    from annex.domain import tracking

    def batch(tag: str) -> list[dict[str, Any]]:
        kinds = ("screen", "track", "gesture")
        return [{"session_id": "long", "type": kinds[i % 3], "name": f"n{i}{tag}".ljust(128, "-")} for i in range(100)]

    for n in range(10):
        assert tracking.ingest("app", batch(f"-{n}"), 3_600_000, 86_400)["accepted"] == 100
    for tag, constant in (("-0", 16), ("-x", 16 + 18)):
        with DynamoCapacity() as spent:
            assert tracking.ingest("app", batch(tag), 3_600_000, 86_400)["accepted"] == 100
        assert spent.write_units <= 2 * 100 + constant
