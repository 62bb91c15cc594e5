"""The environment, parsed once per container into a typed settings model.

Only the HTTP wiring, the functions and the store read it; domain rules never look at the
environment, and tools choose the table they work on with ``annex.store.table.target``.
"""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    table_name: str = Field("annex", alias="TABLE_NAME", min_length=3)
    # Any DynamoDB-compatible endpoint (the embedded engine of `make run`, DynamoDB Local, ...).
    dynamodb_endpoint: str | None = Field(None, alias="DYNAMODB_ENDPOINT")
    region: str = Field("us-east-1", alias="AWS_REGION")
    session_timeout_seconds: int = Field(2700, alias="SESSION_TIMEOUT_SECONDS", gt=0)
    event_retention_days: int = Field(90, alias="EVENT_RETENTION_DAYS", gt=0, le=3650)
    # Analytics reads at most this many sessions from DynamoDB; a larger range goes to the columnar
    # engine (without one it is 400 range_too_large).
    analytics_max_sessions: int = Field(20_000, alias="ANALYTICS_MAX_SESSIONS", gt=0)
    # The columnar copy: "duckdb" (make run: Parquet files under ANALYTICS_DIR) or "athena" (AWS).
    analytics_engine: str | None = Field(None, alias="ANALYTICS_ENGINE", pattern="^(duckdb|athena)$")
    analytics_dir: str | None = Field(None, alias="ANALYTICS_DIR")
    athena_workgroup: str | None = Field(None, alias="ATHENA_WORKGROUP")
    athena_database: str = Field("annex", alias="ATHENA_DATABASE")
    athena_table: str = Field("sessions", alias="ATHENA_TABLE")
    delivery_stream_name: str | None = Field(None, alias="DELIVERY_STREAM_NAME")  # the copy's Firehose
    analytics_query_timeout_seconds: float = Field(25, alias="ANALYTICS_QUERY_TIMEOUT_SECONDS", gt=0)
    # The changes function: the EventBridge bus it publishes change events to (none: it publishes nothing).
    event_bus_name: str | None = Field(None, alias="EVENT_BUS_NAME")

    @property
    def timeout_ms(self) -> int:
        return self.session_timeout_seconds * 1000

    @property
    def retention_s(self) -> int:
        return self.event_retention_days * 86400


@functools.cache
def settings() -> Settings:
    return Settings.model_validate({k: v for k, v in os.environ.items() if v != ""})
