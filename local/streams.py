"""The table's stream, locally: poll the engine's stream and hand batches to the stream function,
as Lambda's event source mapping does in AWS (`make run` with ANNEX_WEBHOOK_URL set)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import boto3

from local.gateway import Containers
from local.template import Function, Template

log = logging.getLogger("local.streams")


def stream_function(template: Template) -> Function | None:
    for logical_id, resource in template.of_type("AWS::Serverless::Function").items():
        if any(e.get("Type") == "DynamoDB" for e in resource["Properties"].get("Events", {}).values()):
            return template.function(logical_id)
    return None


def _lambda_record(record: dict[str, Any], arn: str) -> dict[str, Any]:
    data = dict(record["dynamodb"])
    created = data.get("ApproximateCreationDateTime")
    if created is not None and hasattr(created, "timestamp"):
        data["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventSource": "aws:dynamodb",
        "eventVersion": "1.1",
        "awsRegion": "us-east-1",
        "dynamodb": data,
        "eventSourceARN": arn,
    }


class StreamPoller:
    def __init__(self, endpoint: str, table: str, function: Function, interval: float = 0.2):
        self.dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)
        self.streams = boto3.client("dynamodbstreams", endpoint_url=endpoint)
        self.table, self.interval = table, interval
        self.containers = Containers(function, isolated=True)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="stream-poller", daemon=True)

    def start(self) -> StreamPoller:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.containers.stop()

    def _run(self) -> None:
        arn = self.dynamodb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        shards = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        iterators = {
            s["ShardId"]: self.streams.get_shard_iterator(
                StreamArn=arn, ShardId=s["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            for s in shards
        }
        while not self.stopped.wait(self.interval):
            for shard, iterator in list(iterators.items()):
                page = self.streams.get_records(ShardIterator=iterator, Limit=100)
                iterators[shard] = page.get("NextShardIterator") or iterator
                records = page.get("Records", [])
                if not records:
                    continue
                event = {"Records": [_lambda_record(r, arn) for r in records]}
                try:
                    answer = self.containers.invoke(event | {"requestContext": {"requestId": "stream"}})
                except Exception:
                    log.exception("The stream function failed on %d records", len(records))
                    continue
                failures = answer.get("batchItemFailures") or []
                if failures:
                    log.warning("The stream function reported %d failed records", len(failures))
