"""GET /sessions/analytics through its handler: the deployment's ANALYTICS_MAX_SESSIONS is the guard."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annex.store import sessions
from local.gateway import Containers
from local.template import Template, load

EVENT = Path(__file__).resolve().parents[2] / "events" / "analytics" / "session_analytics.json"


def _invoke(event: dict[str, Any]) -> dict[str, Any]:
    route = next(r for r in Template(load()).routes() if r.path == "/sessions/analytics")
    return Containers(route.function).invoke(event)


def test_a_request_over_the_configured_maximum_is_400_range_too_large(
    moto_table: Any, function_env: Callable[..., None]
) -> None:
    event = json.loads(EVENT.read_text())
    app_id = event["requestContext"]["authorizer"]["app_id"]
    for i in range(3):
        sessions.create(app_id, f"s{i}", {"device": {"model": "x"}}, None)
    function_env(ANALYTICS_MAX_SESSIONS="2")
    refused = _invoke(event)
    assert refused["statusCode"] == 400, refused["body"]
    body = json.loads(refused["body"])
    assert body["code"] == "range_too_large" and "narrow date_range" in body["message"]
    function_env(ANALYTICS_MAX_SESSIONS="3")
    answered = _invoke(event)
    assert answered["statusCode"] == 200
    assert json.loads(answered["body"])["data"][0]["session_count"] == 3
