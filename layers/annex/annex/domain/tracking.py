"""Tracking events: a batch validated event by event, grouped by session, applied per session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from annex import telemetry
from annex.core.clock import now_ms
from annex.core.sessions import Delta
from annex.domain.sessions import plan, started_at
from annex.errors import AnnexError, describe
from annex.models.sessions import Event
from annex.store import sessions as store


@dataclass
class Outcome:
    """A share's answer to the client: accepted, or refused with a code and a message."""

    accepted: bool
    code: str = ""
    message: str = ""


# What a refusal the store reports means for the client.
_REFUSED = {
    store.Ingested.ENDED: Outcome(False, "session_ended", "The session has ended: start a new session id"),
    store.Ingested.OTHER_USER: Outcome(False, "user_mismatch", "The session belongs to another user_id"),
    store.Ingested.TOO_LARGE: Outcome(
        False, "invalid_event", "identify properties would take user_metadata past 512 characters of compact JSON"
    ),
}


def ingest(app_id: str, batch: list[Any], timeout_ms: int, retention_s: int) -> dict[str, Any]:
    """``{"accepted": n, "rejected": [{"index", "code", "message"}]}``: each session's share of the
    batch is applied (and its events stored) all or nothing, before the answer.

    Once any share is applied, a later share's failure (throttling, contention) is reported as the
    rejection of its events, not as an error of the whole batch: the answer then says exactly what
    was applied, and a client that resends only the rejected events counts nothing twice.
    """
    now = now_ms()
    valid: list[tuple[int, dict[str, Any]]] = []
    rejected: list[dict[str, Any]] = []
    for index, raw in enumerate(batch):
        try:
            event = Event.model_validate(raw).model_dump(by_alias=True)
        except ValidationError as err:
            rejected.append({"index": index, "code": "invalid_event", "message": describe(err.errors())})
            continue
        event["timestamp"] = now if event["timestamp"] is None else event["timestamp"]
        valid.append((index, event))
    sorted_out = plan(valid, now, max_age_ms=retention_s * 1000)
    rejected += sorted_out.rejected
    accepted = 0
    arrival = f"{now:013d}{uuid.uuid4().hex[:12]}"  # events of one batch sort by timestamp, then position

    def apply(delta: Delta) -> Outcome:
        try:
            done = store.ingest(app_id, delta, timeout_ms, retention_s, arrival, started_at(delta, now))
        except AnnexError as err:  # the store maps DynamoDB's faults; any other error is a bug
            if not accepted:
                raise  # nothing applied yet: the whole batch fails, as any request would
            return Outcome(False, err.code, err.message)
        return _REFUSED.get(done, Outcome(True))

    def refuse(indexes: list[int], outcome: Outcome) -> None:
        rejected.extend({"index": i, "code": outcome.code, "message": outcome.message} for i in indexes)

    for chain in sorted_out.deltas.values():
        refused: Outcome | None = None
        for delta in chain:  # a session's writes in batch order; once one is refused, so is the rest
            outcome = refused or apply(delta)
            if outcome.code == "user_mismatch":  # only the events naming another user are refused
                rest = delta.without_user()
                refuse([i for i in delta.indexes if i not in rest.indexes], outcome)
                delta, outcome = rest, apply(rest) if rest.events else Outcome(True)
            if outcome.accepted:
                accepted += len(delta.indexes)
            else:
                refused = outcome
                refuse(delta.indexes, outcome)
    telemetry.count("EventsAccepted", accepted)
    telemetry.count("EventsRejected", len(rejected))
    return {"accepted": accepted, "rejected": sorted(rejected, key=lambda r: int(r["index"]))}
