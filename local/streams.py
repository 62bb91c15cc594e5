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
    """Delivers the table's stream to its function, 100 records at a time, as Lambda's event source
    mapping with ``ReportBatchItemFailures`` does: the records before the first one the function
    reports failed are done, and delivery goes on from that one (a function that fails outright
    fails them all). With ``positions`` (the engine keeps its data) the last record done is kept,
    and a restart resumes after it. A record still failing after ``RETRIES`` deliveries in a row
    (template.yaml's MaximumRetryAttempts) is logged as sent to the on-failure queue and passed."""

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
        pending: dict[str, list[dict[str, Any]]] = {}  # records read but not yet done, per shard
        while not self.stopped.wait(self.interval):
            for shard, iterator in list(iterators.items()):
                records = pending.pop(shard, [])
                if not records:
                    page = self.streams.get_records(ShardIterator=iterator, Limit=100)
                    records = page.get("Records", [])
                    iterators[shard] = page.get("NextShardIterator") or iterator
                if not records:
                    continue
                done = self._deliver(arn, records)
                failures[shard] = 0 if done == len(records) else failures[shard] + 1
                if failures[shard] > self.RETRIES:
                    first, last = (records[i]["dynamodb"]["SequenceNumber"] for i in (done, -1))
                    log.error(
                        "On-failure queue: stream records %s to %s failed %d deliveries", first, last, self.RETRIES + 1
                    )
                    done, failures[shard] = len(records), 0
                if done and self.positions is not None:
                    self.positions.put(self.consumer, arn, int(records[done - 1]["dynamodb"]["SequenceNumber"]))
                if done < len(records):
                    pending[shard] = records[done:]  # again at the next poll, from the first failed record

    def _deliver(self, arn: str, records: list[dict[str, Any]]) -> int:
        """How many records, from the first, the function took: up to the first it reported failed."""
        event = {"Records": [_lambda_record(r, arn) for r in records]}
        try:
            answer = self.containers.invoke(event | {"requestContext": {"requestId": "stream"}})
        except Exception:
            log.exception("The stream function failed on %d records", len(records))
            return 0
        failed = {str(f.get("itemIdentifier")) for f in answer.get("batchItemFailures") or []}
        if failed:
            log.warning("The stream function reported %d failed records", len(failed))
        numbers = [str(r["dynamodb"]["SequenceNumber"]) for r in records]
        return next((i for i, number in enumerate(numbers) if number in failed), len(records))
