"""The stream function against moto: stream records in, change events on the EventBridge bus out."""

from __future__ import annotations

import json
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


def test_stream_records_become_events_on_the_bus(moto_table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    events, sqs = boto3.client("events", region_name="us-east-1"), boto3.client("sqs", region_name="us-east-1")
    events.create_event_bus(Name="annex-changes")
    queue = sqs.create_queue(QueueName="changes")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventBusName="annex-changes", EventPattern=json.dumps({"source": ["annex"]}))
    events.put_targets(Rule="all", EventBusName="annex-changes", Targets=[{"Id": "q", "Arn": queue_arn}])
    monkeypatch.setenv("EVENT_BUS_NAME", "annex-changes")
    monkeypatch.delenv("ANNEX_WEBHOOK_URL", raising=False)
    function = Containers(Template(load()).function("ChangesFunction"))  # imported now, with the bus configured
    record = {
        "eventID": "1",
        "eventName": "MODIFY",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x",
        "dynamodb": {
            "ApproximateCreationDateTime": 1795600000,
            "SequenceNumber": "1",
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            "OldImage": _image({"a": "1"}),
            "NewImage": _image({"a": "2"}),
        },
    }
    answer = function.invoke({"Records": [record], "requestContext": {"requestId": "r"}})
    assert answer["batchItemFailures"] == []
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    detail = json.loads(messages[0]["Body"])["detail"]
    assert detail == {
        "app_id": "app1",
        "resource": "user",
        "id": "u1",
        "at": 1795600000000,
        "field": "metadata.a",
        "before": "1",
        "after": "2",
    }
