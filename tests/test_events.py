"""Every API Gateway event under events/ (the `sam local invoke -e` fixtures) runs through its handler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annex.domain import messages
from annex.domain.resources import ChannelRef, create_channel, create_user
from annex.models.resources import ChannelCreate, UserCreate
from annex.store import sessions
from local.gateway import Containers
from local.template import Template, load

EVENTS = sorted((Path(__file__).resolve().parent.parent / "events").glob("*/*.json"))
TEMPLATE = Template(load())


def _function_for(event: dict[str, Any]) -> Containers:
    for route in TEMPLATE.routes():
        if route.path == event["resource"] and route.method == event["httpMethod"]:
            return Containers(route.function)
    raise AssertionError(f"no route in template.yaml for {event['httpMethod']} {event['resource']}")


def test_every_route_has_an_event() -> None:
    covered = {(json.loads(p.read_text())["httpMethod"], json.loads(p.read_text())["resource"]) for p in EVENTS}
    declared = {(r.method, r.path) for r in TEMPLATE.routes()}
    assert declared <= covered, sorted(declared - covered)


def seed(event: dict[str, Any]) -> None:
    """The records the events name, in the event's application (a public route has none)."""
    app_id = event["requestContext"].get("authorizer", {}).get("app_id")
    if app_id is None:
        return
    create_user(app_id, UserCreate(user_id="alice", metadata={"location": "NYC", "plan": "pro"}))
    create_channel(
        app_id,
        "open_channels",
        ChannelCreate(channel_url="lobby", metadata={"topic": "general"}, metacounter={"visits": 1}),
    )
    sessions.create(app_id, "visit-1", {"user_id": "alice"}, {"plan": "pro"})
    lobby = ChannelRef(app_id, "open_channels", "lobby")
    fields = {"user_id": "alice", "message": "hello", "data": "", "meta": {"mood": "happy"}}
    messages.send(lobby, fields, [("design", ["A", "B"]), ("likes", ["alice"])])  # message 1


@pytest.mark.parametrize("path", EVENTS, ids=[f"{p.parent.name}/{p.stem}" for p in EVENTS])
def test_event_runs_through_its_handler(moto_table: Any, path: Path) -> None:
    event = json.loads(path.read_text())
    seed(event)
    response = _function_for(event).invoke(event)
    assert response["statusCode"] in (200, 201), response["body"]
    content_type = {k.lower(): v for k, v in (response.get("headers") or {}).items()}.get("content-type", "")
    if event["resource"].startswith("/console"):  # the console's static files
        assert content_type.startswith(("text/html", "text/javascript")) and response["body"], content_type
    else:
        assert isinstance(json.loads(response["body"]), dict)
