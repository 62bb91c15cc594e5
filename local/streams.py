"""The table's stream, locally: poll the engine's stream and hand batches to the stream function,
as Lambda's event source mapping does in AWS (`make run` with ANNEX_WEBHOOK_URL set)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import boto3

from local.durable import StreamPositions
from local.gateway import Containers
from local.template import Function, Template

log = logging.getLogger("local.streams")


def stream_functions(template: Template) -> dict[str, Function]:
    """The functions the table's stream feeds, by logical id (ChangesFunction, ColumnarFunction)."""
    return {
        logical_id: template.function(logical_id)
        for logical_id, resource in template.of_type("AWS::Serverless::Function").items()
        if any(e.get("Type") == "DynamoDB" for e in resource["Properties"].get("Events", {}).values())
    }


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
    """Delivers the table's stream to its function, 100 records at a time. With ``positions`` (the
    engine keeps its data) the last acknowledged record is kept after every batch the function
    answered, and a restart resumes after it. A batch the function fails on is tried again, up to
    ``RETRIES`` times (template.yaml's MaximumRetryAttempts), then skipped."""

    RETRIES = 10

    def __init__(
        self,
        endpoint: str,
        table: str,
        function: Function,
        positions: StreamPositions | None = None,
        interval: float = 0.2,
        consumer: str | None = None,
    ):
        self.dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)
        self.streams = boto3.client("dynamodbstreams", endpoint_url=endpoint)
        self.table, self.interval, self.positions = table, interval, positions
        # Where this poller's position is kept: each function reads the stream at its own pace.
        self.consumer = table if consumer is None else f"{table}#{consumer}"
        self.containers = Containers(function, isolated=True)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"stream-poller-{function.logical_id}", daemon=True)

    def start(self) -> StreamPoller:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.containers.stop()

    def _iterator(self, arn: str, shard: dict[str, Any]) -> str:
        """Where delivery starts: after the last acknowledged record, else at the oldest one kept."""
        oldest = int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
        acknowledged = self.positions.get(self.consumer, arn) if self.positions is not None else None
        if acknowledged is not None and acknowledged + 1 < oldest:
            log.warning("Stream records after %d expired before they were delivered", acknowledged)
        if acknowledged is None or acknowledged + 1 < oldest:
            acknowledged = oldest - 1
            if self.positions is not None:
                self.positions.put(self.consumer, arn, acknowledged)
        return str(
            self.streams.get_shard_iterator(
                StreamArn=arn,
                ShardId=shard["ShardId"],
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=str(acknowledged),
            )["ShardIterator"]
        )

    def _run(self) -> None:
        arn = self.dynamodb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        shards = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        iterators = {s["ShardId"]: self._iterator(arn, s) for s in shards}
        failures = dict.fromkeys(iterators, 0)
        while not self.stopped.wait(self.interval):
            for shard, iterator in list(iterators.items()):
                page = self.streams.get_records(ShardIterator=iterator, Limit=100)
                records = page.get("Records", [])
                if records and not self._deliver(arn, records):
                    failures[shard] += 1
                    if failures[shard] <= self.RETRIES:
                        continue  # the same records again at the next poll
                    log.error("Skipped %d stream records after %d failed deliveries", len(records), failures[shard])
                failures[shard] = 0
                iterators[shard] = page.get("NextShardIterator") or iterator
                if records and self.positions is not None:
                    self.positions.put(self.consumer, arn, int(records[-1]["dynamodb"]["SequenceNumber"]))

    def _deliver(self, arn: str, records: list[dict[str, Any]]) -> bool:
        """Whether the function answered the batch (its reported item failures are logged)."""
        event = {"Records": [_lambda_record(r, arn) for r in records]}
        try:
            answer = self.containers.invoke(event | {"requestContext": {"requestId": "stream"}})
        except Exception:
            log.exception("The stream function failed on %d records", len(records))
            return False
        failed = answer.get("batchItemFailures") or []
        if failed:
            log.warning("The stream function reported %d failed records", len(failed))
        return True
