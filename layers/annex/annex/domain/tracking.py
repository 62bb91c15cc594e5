"""Tracking events: a batch validated event by event, grouped by session, applied per session."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError

from annex.domain.sessions import plan
from annex.errors import describe
from annex.models.sessions import Event
from annex.store import sessions as store


def ingest(app_id: str, batch: list[dict[str, Any]], timeout_ms: int, retention_s: int) -> dict[str, Any]:
    """``{"accepted": n, "rejected": [{"index", "code", "message"}]}``: each session's share of the
    batch is applied (and its events stored) all or nothing, before the answer."""
    now = store.now_ms()
    valid: list[tuple[int, dict[str, Any]]] = []
    invalid: list[dict[str, Any]] = []
    for index, raw in enumerate(batch):
        try:
            event = Event.model_validate(raw).model_dump()
        except ValidationError as err:
            invalid.append({"index": index, "code": "invalid_event", "message": describe(err.errors())})
            continue
        event["timestamp"] = now if event["timestamp"] is None else event["timestamp"]
        valid.append((index, event))
    sorted_out = plan(valid, now)
    rejected = invalid + sorted_out.rejected
    accepted = 0
    arrival = f"{now:013d}{uuid.uuid4().hex[:12]}"  # events of one batch sort by timestamp, then position
    for chain in sorted_out.deltas.values():
        refused: store.Outcome | None = None
        for delta in chain:  # a session's writes in batch order; once one is refused, so is the rest
            outcome = refused or store.ingest(app_id, delta, timeout_ms, retention_s, arrival)
            if outcome.accepted:
                accepted += len(delta.indexes)
            else:
                refused = outcome
                rejected += [{"index": i, "code": outcome.code, "message": outcome.message} for i in delta.indexes]
    return {"accepted": accepted, "rejected": sorted(rejected, key=lambda r: int(r["index"]))}
