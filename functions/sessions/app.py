"""Sessions endpoint group: sessions, their user_metadata, q and filters, release, and their stored
events (analytics is its own function: functions/analytics).

The lists' search (``domain.session_search``, the filters' parser) is imported by the list routes
when they first run: a cold start that opens, reads or patches a session does not load it."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.event_handler import Response

from annex import api
from annex.api.params import Cursor, FiltersParam, Limit, Q
from annex.config import settings
from annex.core.clock import now_ms
from annex.domain import lifecycle
from annex.domain.sessions import possible_id, view
from annex.models.pages import Page
from annex.models.sessions import Session, SessionCreate, SessionPatch, SessionRelease, Status, StoredEvent

app = api.create_app()


def shown(stored: dict[str, Any]) -> Response[Session]:
    return api.tagged(view(stored, now_ms(), settings().timeout_ms), int(stored["version"]))


@app.post("/sessions", responses={201: {"description": "Created", "content": {"application/json": {"model": Session}}}})
def create_session(body: SessionCreate) -> tuple[dict[str, Any], int]:
    session_id = body.session_id or str(uuid.uuid4())
    fields = body.model_dump(by_alias=True, exclude={"session_id", "user_metadata"})
    created = lifecycle.create(api.tenant(app), session_id, fields, body.user_metadata)
    return view(created, now_ms(), settings().timeout_ms), 201


@app.get("/sessions")
def list_sessions(
    limit: Limit = 20,
    next: Cursor = None,
    status: Status | None = None,
    q: Q = None,
    filters: FiltersParam = None,
) -> Page[Session]:
    from annex.api.filters import parse_filters
    from annex.domain import session_search

    conditions = parse_filters(filters)
    items, cursor = session_search.list_sessions(
        api.tenant(app), limit, next, status, q, conditions, now_ms(), settings().timeout_ms
    )
    return Page[Session](data=items, next=cursor)


@app.get("/sessions/<session_id>")
def get_session(session_id: str) -> Response[Session]:
    return shown(lifecycle.get(api.tenant(app), possible_id(session_id)))


@app.post("/sessions/<session_id>")
def release_session(session_id: str, body: SessionRelease) -> Response[Session]:
    app_id, sid = api.tenant(app), possible_id(session_id)
    return shown(lifecycle.release(app_id, sid, settings().timeout_ms, api.if_match(app)))


@app.patch("/sessions/<session_id>")
def patch_session(session_id: str, body: SessionPatch) -> Response[Session]:
    return shown(
        lifecycle.set_metadata(api.tenant(app), possible_id(session_id), body.user_metadata, api.if_match(app))
    )


@app.get("/sessions/<session_id>/events")
def list_session_events(session_id: str, limit: Limit = 20, next: Cursor = None) -> Page[StoredEvent]:
    app_id, sid = api.tenant(app), possible_id(session_id)
    events, cursor = lifecycle.events(app_id, sid, limit, next)
    return Page[StoredEvent](data=[StoredEvent.model_validate(e) for e in events], next=cursor)


@app.get("/users/<user_id>/sessions")
def list_user_sessions(user_id: str, limit: Limit = 20, next: Cursor = None) -> Page[Session]:
    from annex.domain import session_search

    items, cursor = session_search.list_user_sessions(
        api.tenant(app), user_id, limit, next, now_ms(), settings().timeout_ms
    )
    return Page[Session](data=items, next=cursor)


lambda_handler = api.lambda_handler(app)
