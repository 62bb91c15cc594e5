"""Changes: the table's stream → change events on the EventBridge bus (locally, `make run` serves a
stand-in bus that POSTs them to a webhook: local/events.py).

Records that fail are reported back (partial batch response), so the stream retries from the first
of them; a batch that keeps failing goes to the on-failure queue (template.yaml), with an alarm.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from annex import telemetry
from annex.config import settings
from annex.domain.changes import SOURCE, bus_batches, stream_changes

logger = Logger(service="annex-changes")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
BUS = settings().event_bus_name
events_client = boto3.client("events", region_name=settings().region) if BUS else None


def publish(events: list[dict[str, Any]]) -> None:
    if events_client is not None and BUS:
        for batch in bus_batches(events):  # by count and encoded size: a request EventBridge takes
            entries = [
                {"EventBusName": BUS, "Source": SOURCE, "DetailType": detail_type, "Detail": detail}
                for detail_type, detail in batch
            ]
            answer = events_client.put_events(Entries=entries)
            if answer.get("FailedEntryCount"):
                raise RuntimeError(f"{answer['FailedEntryCount']} change events were not accepted")


def record_handler(record: DynamoDBRecord) -> None:
    data = record.dynamodb
    if data is None:
        return
    at = (data.approximate_creation_date_time or 0) * 1000
    found = stream_changes(data.old_image, data.new_image, at)
    if found:
        publish(found)
        telemetry.count("ChangeEvents", len(found))


@telemetry.instrument
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
