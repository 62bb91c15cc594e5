"""Sweeper: every few minutes, store TIMED_OUT on sessions idle past the timeout.

Reads never need it (a session past the timeout already reads as TIMED_OUT); it makes the status
stored, so the change reaches the table's stream and the change events. Each application has a
budget a run, one's failure does not stop the others, and a run resumes where the last one stopped.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from annex import telemetry
from annex.config import settings
from annex.domain import lifecycle

logger = Logger(service="annex-sweeper")


@logger.inject_lambda_context(log_event=False)
@telemetry.instrument
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    done = lifecycle.sweep(settings().timeout_ms, context.get_remaining_time_in_millis)
    logger.info("swept", extra={"timed_out": done.timed_out, "unfinished": done.unfinished, "failed": done.failed})
    return {"timed_out": done.timed_out}
