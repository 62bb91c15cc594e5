"""The inactivity timeout on its own server (SESSION_TIMEOUT_SECONDS=2): an idle session reads as
TIMED_OUT at once, in GET, status= lists and q results, refuses events, and the scheduled sweep
stores the status (so the change reaches the stream)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr

from tests.conftest import Api, Stack, local_stack

# Long enough that the busy session's events, 0.3 s apart, never leave a gap this long on a loaded
# 2-core machine (make test runs two workers, each with servers of its own).
TIMEOUT = 6


@pytest.fixture(scope="module")
def short() -> Iterator[Stack]:
    with local_stack("timeout", SESSION_TIMEOUT_SECONDS=str(TIMEOUT), LOCAL_SCHEDULE_SECONDS="1") as running:
        yield running


def _stored_status(stack: Stack, session_id: str) -> Any:
    table = stack.table_resource()
    items = table.scan(FilterExpression=Attr("SK").eq("SESSION") & Attr("id").eq(session_id))["Items"]
    return items[0]["status"]


def test_an_idle_session_times_out_everywhere_and_refuses_events(short: Stack) -> None:
    api = Api(short.url)
    mark = uuid.uuid4().hex
    idle, active = f"idle-{mark}", f"active-{mark}"
    for sid in (idle, active):
        assert api.post("/sessions", {"session_id": sid, "user_metadata": {"m": mark}}).status_code == 201
    deadline = time.monotonic() + TIMEOUT + 1.5
    while time.monotonic() < deadline:  # keep one session busy past the timeout
        assert (
            api.post("/events", {"batch": [{"session_id": active, "type": "screen", "name": "x"}]}).json()["accepted"]
            == 1
        )
        time.sleep(0.3)
    session = api.get(f"/sessions/{idle}").json()
    assert session["status"] == "TIMED_OUT" and session["ended_at"] == session["created_at"] + TIMEOUT * 1000
    assert api.get(f"/sessions/{active}").json()["status"] == "RUNNING"
    listed = api.get("/sessions", params={"status": "TIMED_OUT", "q": f"user_metadata['m']:'{mark}'"}).json()
    assert [s["id"] for s in listed["data"]] == [idle]
    running = api.get("/sessions", params={"status": "RUNNING", "q": f"user_metadata['m']:'{mark}'"}).json()
    assert [s["id"] for s in running["data"]] == [active]
    refused = api.post("/events", {"batch": [{"session_id": idle, "type": "screen", "name": "late"}]}).json()
    assert refused["rejected"][0]["code"] == "session_ended"
    assert api.get(f"/sessions/{idle}").json()["event_count"] == 0
    released = api.post(f"/sessions/{idle}", {"status": "REQUEST_RELEASE"})
    assert released.status_code == 409 and released.json()["code"] == "session_ended"
    deadline = time.monotonic() + 10
    while _stored_status(short, idle) != "TIMED_OUT" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _stored_status(short, idle) == "TIMED_OUT"
    assert api.get(f"/sessions/{idle}").json() == session | {
        "updated_at": api.get(f"/sessions/{idle}").json()["updated_at"]
    }
