"""Request logs: one JSON line per request with a correlation id, and never an Api-Token."""

from __future__ import annotations

import json

from tests.conftest import TOKEN, Api, Stack


def test_logs_carry_correlation_ids_and_never_the_token(stack: Stack, api: Api, other_app: Api, user: str) -> None:
    api.post(f"/users/{user}/metadata", {"metadata": {"k": "v"}})
    api.get(f"/users/{user}/metadata/absent")
    other_app.get(f"/users/{user}")
    Api(stack.url, token="not-a-real-token-" + "x" * 20).get("/users")
    # The startup banner prints the local token on purpose (SPEC); request logs never do.
    text = "\n".join(line for line in stack.log.read_text().splitlines() if not line.startswith("Api-Token "))
    secrets = [TOKEN, str(other_app.session.headers["Api-Token"]), "not-a-real-token-"]
    assert not [s for s in secrets if s in text]
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("message") == "request"]
    assert requests, "handlers log one line per request"
    assert all(line.get("correlation_id") and line.get("route") and line.get("status") for line in requests)
    assert any(line["route"] == "/users/{user_id}/metadata/{key}" and line["status"] == 404 for line in requests)


def test_every_request_line_names_its_application(stack: Stack, api: Api, user: str) -> None:
    api.get(f"/users/{user}/metadata/absent-for-app-id")
    lines = [json.loads(line) for line in stack.log.read_text().splitlines() if line.startswith("{")]
    # The console's static files are served without a token (no application): every other line names one.
    requests = [line for line in lines if line.get("message") == "request" and not line["route"].startswith("/console")]
    assert requests and all(line.get("app_id") for line in requests)
    assert any(line["app_id"] == "local" and line["status"] == 404 for line in requests)


def test_api_answers_are_never_cached(api: Api, user: str) -> None:
    for response in (api.get(f"/users/{user}"), api.get(f"/users/{user}/metadata/absent"), api.get("/users")):
        assert response.headers["Cache-Control"] == "no-store", response.headers
