"""Sessions endpoint group: sessions, their user_metadata, q and filters, analytics, release, and their
stored events."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from annex import api
from annex.config import settings
from annex.core.clock import now_ms
from annex.domain import analytics, lifecycle, session_search
from annex.domain.sessions import possible_id, view
from annex.models import filters as filter_models
from annex.models.filters import AnalyticsAnswer
from annex.models.pages import Page
from annex.models.sessions import Session, SessionCreate, SessionPatch, SessionRelease, Status, StoredEvent

app = api.create_app()
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]
Filters = Annotated[
    str | None,
    Query(
        max_length=filter_models.MAX_PARAM_CHARS,
        description='JSON list of {"attribute", "operator", "value"}, all of which must hold (SPEC "Filters")',
    ),
]
GroupBy = Annotated[
    str | None,
    Query(
        max_length=filter_models.MAX_PARAM_CHARS,
        description='JSON list of {"attribute", "max_group_number"?} (default 50, at most 500)',
    ),
]


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
    q: Annotated[str | None, Query(max_length=4096)] = None,
    filters: Filters = None,
) -> Page[Session]:
    conditions = filter_models.parse_filters(filters)
    items, cursor = session_search.list_sessions(
        api.tenant(app), limit, next, status, q, conditions, now_ms(), settings().timeout_ms
    )
    return Page[Session](data=items, next=cursor)


# Declared before /sessions/<session_id>, which it would otherwise match. The answer is built as a
# dict so each row shows its group values first, as its metrics follow them in the SPEC.
@app.get(
    "/sessions/analytics",
    responses={200: {"description": "Rows by group", "content": {"application/json": {"model": AnalyticsAnswer}}}},
)
def session_analytics(filters: Filters = None, group_by: GroupBy = None) -> dict[str, Any]:
    conditions, groups = filter_models.parse_filters(filters), filter_models.parse_group_by(group_by)
    rows = analytics.run(api.tenant(app), conditions, groups, now_ms(), settings().analytics_max_sessions)
    return {"success": True, "data": rows}


@app.get("/sessions/<session_id>")
def get_session(session_id: str) -> Response[Session]:
    return shown(lifecycle.get(api.tenant(app), possible_id(unquote(session_id))))


@app.post("/sessions/<session_id>")
def release_session(session_id: str, body: SessionRelease) -> Response[Session]:
    app_id, sid = api.tenant(app), possible_id(unquote(session_id))
    return shown(lifecycle.release(app_id, sid, settings().timeout_ms, api.if_match(app)))


@app.patch("/sessions/<session_id>")
def patch_session(session_id: str, body: SessionPatch) -> Response[Session]:
    return shown(
        lifecycle.set_metadata(api.tenant(app), possible_id(unquote(session_id)), body.user_metadata, api.if_match(app))
    )


@app.get("/sessions/<session_id>/events")
def list_session_events(session_id: str, limit: Limit = 20, next: Cursor = None) -> Page[StoredEvent]:
    app_id, sid = api.tenant(app), possible_id(unquote(session_id))
    events, cursor = lifecycle.events(app_id, sid, limit, next)
    return Page[StoredEvent](data=[StoredEvent.model_validate(e) for e in events], next=cursor)


@app.get("/users/<user_id>/sessions")
def list_user_sessions(user_id: str, limit: Limit = 20, next: Cursor = None) -> Page[Session]:
    items, cursor = session_search.list_user_sessions(
        api.tenant(app), unquote(user_id), limit, next, now_ms(), settings().timeout_ms
    )
    return Page[Session](data=items, next=cursor)


lambda_handler = api.lambda_handler(app)
