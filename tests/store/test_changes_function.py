"""The stream function against moto: stream records in, change events on the EventBridge bus out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from local.gateway import Containers
from local.template import Template, load


def _image(metadata: dict[str, str]) -> dict[str, Any]:
    return {
        "PK": {"S": "app1#USER#u1"},
        "SK": {"S": "USER"},
        "user_id": {"S": "u1"},
        "metadata": {"M": {k: {"S": v} for k, v in metadata.items()}},
        "meta": {"S": "{}"},
    }


@pytest.fixture
def bus(moto_table: Any, function_env: Callable[..., None]) -> tuple[Containers, Callable[[], list[dict[str, Any]]]]:
    """The stream function with the bus configured, and what a rule on the bus delivered."""
    events, sqs = boto3.client("events", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")
    events.create_event_bus(Name="annex-changes")
    queue = sqs.create_queue(QueueName="changes")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventBusName="annex-changes", EventPattern=json.dumps({"source": ["annex"]}))
    events.put_targets(Rule="all", EventBusName="annex-changes", Targets=[{"Id": "q", "Arn": queue_arn}])
    function_env(EVENT_BUS_NAME="annex-changes")
    function = Containers(Template(load()).function("ChangesFunction"))  # imported now, with the bus configured

    def delivered() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    return function, delivered


def _record(old: dict[str, Any] | None, new: dict[str, Any] | None, event_id: str = "1") -> dict[str, Any]:
    images = {"OldImage": old} if old else {}
    images |= {"NewImage": new} if new else {}
    return {
        "eventID": event_id,
        "eventName": "MODIFY" if old and new else "INSERT" if new else "REMOVE",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x",
        "dynamodb": {
            "ApproximateCreationDateTime": 1795600000,
            "SequenceNumber": event_id,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            **images,
        },
    }


def test_stream_records_become_events_on_the_bus(bus: tuple[Containers, Callable[[], list[dict[str, Any]]]]) -> None:
    function, delivered = bus
    answer = function.invoke({"Records": [_record(_image({"a": "1"}), _image({"a": "2"}))], "requestContext": {}})
    assert answer["batchItemFailures"] == []
    detail = delivered()[0]["detail"]
    assert detail == {
        "app_id": "app1",
        "resource": "user",
        "id": "u1",
        "at": 1795600000000,
        "field": "metadata.a",
        "before": "1",
        "after": "2",
    }


def _message(likes: list[str]) -> dict[str, Any]:
    return {
        "PK": {"S": "app1#MESSAGES#open_channels#lobby"},
        "SK": {"S": "M#0000000000000000001"},
        "message_id": {"N": "1"},
        "channel_type": {"S": "open_channels"},
        "channel_url": {"S": "lobby"},
        "user_id": {"S": "alice"},
        "message": {"S": "hi"},
        "sorted_metaarray": {
            "M": {"likes": {"M": {"o": {"N": "0"}, "v": {"L": [{"S": v} for v in likes]}}}},
        },
        "meta": {"S": "{}"},
        "version": {"N": "3"},
    }


def test_a_sorted_metaarray_change_is_an_event_and_index_entries_are_not(
    bus: tuple[Containers, Callable[[], list[dict[str, Any]]]],
) -> None:
    function, delivered = bus
    entry = {
        "PK": {"S": "app1#MESSAGES#open_channels#lobby"},
        "SK": {"S": "X#5:likes#5:carol#0000000000000000001"},
        "message_id": {"N": "1"},
    }
    records = [_record(_message(["bob"]), _message(["bob", "carol"])), _record(None, entry, "2")]
    answer = function.invoke({"Records": records, "requestContext": {"requestId": "r"}})
    assert answer["batchItemFailures"] == []
    sent = delivered()
    assert [(m["detail-type"], m["detail"]["field"]) for m in sent] == [
        ("message.sorted_metaarray", "sorted_metaarray.likes")
    ]
    assert sent[0]["detail"] | {"at": 0} == {
        "app_id": "app1",
        "resource": "message",
        "id": "open_channels/lobby/1",
        "at": 0,
        "field": "sorted_metaarray.likes",
        "before": ["bob"],
        "after": ["bob", "carol"],
    }
