"""Events endpoint group: POST /events, the hot ingestion path (kept to what it needs, for cold starts)."""

from __future__ import annotations

from annex import api
from annex.config import settings
from annex.domain import tracking
from annex.models.sessions import EventBatch, IngestResult

app = api.create_app()


@app.post("/events")
def ingest_events(body: EventBatch) -> IngestResult:
    cfg = settings()
    return IngestResult.model_validate(tracking.ingest(api.tenant(app), body.batch, cfg.timeout_ms, cfg.retention_s))


lambda_handler = api.lambda_handler(app)
