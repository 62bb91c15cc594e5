"""The generated client (clients/python, `annex_client`) against the local server, through a flow an
application goes through: a user with metadata, a counter, a session opened by its events, found
with q, and analytics over it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from annex_client import AuthenticatedClient
from annex_client.api.channels import create_channel, update_metacounter_key
from annex_client.api.events import ingest_events
from annex_client.api.sessions import get_session, list_sessions, session_analytics
from annex_client.api.users import create_user, get_user, update_user_metadata
from annex_client.models import (
    AnalyticsAnswer,
    ChannelCreate,
    CounterMode,
    Error,
    EventBatch,
    IngestResult,
    MetacounterValueUpdate,
    MetadataUpdate,
    MetadataUpdateMetadata,
    PageSession,
    Session,
    User,
    UserCreate,
)

from tests.conftest import TOKEN


@pytest.fixture
def client(server: str) -> Iterator[AuthenticatedClient]:
    with AuthenticatedClient(base_url=server, token=TOKEN, prefix="", auth_header_name="Api-Token") as api:
        yield api


def test_an_application_flow_through_the_typed_client(client: AuthenticatedClient) -> None:
    mark = uuid.uuid4().hex[:12]
    user_id, channel_url, session_id = f"cl-{mark}", f"cl-{mark}", f"cl-{mark}"

    created = create_user.sync(client=client, body=UserCreate(user_id=user_id, nickname="Al"))
    assert isinstance(created, User) and created.user_id == user_id
    changes = MetadataUpdate(metadata=MetadataUpdateMetadata.from_dict({"plan": "pro", "mark": mark}), upsert=True)
    updated = update_user_metadata.sync(user_id, client=client, body=changes)
    assert updated is not None and updated.to_dict() == {"plan": "pro", "mark": mark}
    user = get_user.sync(user_id, client=client)
    assert isinstance(user, User) and user.metadata.to_dict() == {"plan": "pro", "mark": mark}

    assert create_channel.sync("group_channels", client=client, body=ChannelCreate(channel_url=channel_url))
    increase = MetacounterValueUpdate(value=3, mode=CounterMode.INCREASE, upsert=True)
    for _ in range(2):
        counters = update_metacounter_key.sync("group_channels", channel_url, "unread", client=client, body=increase)
    assert counters is not None and counters.to_dict() == {"unread": 6}

    events = [
        {"session_id": session_id, "type": "identify", "user_id": user_id, "properties": {"plan": "pro", "m": mark}},
        {"session_id": session_id, "type": "screen", "name": "home"},
        {"session_id": session_id, "type": "track", "name": "purchase"},
    ]
    result = ingest_events.sync(client=client, body=EventBatch(batch=events))
    assert isinstance(result, IngestResult) and (result.accepted, result.rejected) == (3, [])
    session = get_session.sync(session_id, client=client)
    assert isinstance(session, Session)
    assert (session.user_id, session.session_number, session.event_count, session.screens) == (user_id, 1, 3, ["home"])

    found = list_sessions.sync(client=client, q=f"user_metadata['m']:'{mark}' AND user_metadata['plan']:'pro'")
    assert isinstance(found, PageSession) and [s.id for s in found.data] == [session_id] and found.next_ is None

    only_this_user = json.dumps([{"attribute": "user_id", "operator": "equal", "value": user_id}])
    by_platform = json.dumps([{"attribute": "device_platform"}])
    report = session_analytics.sync(client=client, filters=only_this_user, group_by=by_platform)
    assert isinstance(report, AnalyticsAnswer) and report.success
    [row] = report.data
    assert row.to_dict()["device_platform"] is None  # sessions opened by events carry no device
    assert (row.session_count, row.session_unique_user_count, row.session_new_users_count) == (1, 1, 1)
    assert row.avg_session_screen_count == 1 and row.crash_rate == 0

    malformed = list_sessions.sync(client=client, q="user_metadata['m']:")
    assert isinstance(malformed, Error) and malformed.code == "invalid_query" and "character 20" in malformed.message
