"""Columnar: the table's stream → the columnar copy of the sessions (analytics at any size).

Each change of a session item becomes its row (``annex.core.columnar``): in AWS the rows go to the
Firehose delivery stream (Parquet in S3, read by Athena); under ``make run`` the stream poller
hands the batch to this same function, which appends the rows to the DuckDB copy on disk. A failed
batch is retried whole: a row delivered twice counts once (the copy keeps each session's latest
version).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from annex import telemetry
from annex.domain.columnar import copy_changes

logger = Logger(service="annex-columnar")


@logger.inject_lambda_context
@telemetry.instrument  # SnapStart's hooks (random reseeded after a restore), throttles, ColdStart
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    written = copy_changes(event.get("Records", []))
    logger.debug("Columnar rows written", extra={"rows": written})
    return {"batchItemFailures": []}
