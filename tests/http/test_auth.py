"""The Api-Token header: required on every route, unknown tokens refused, both with the SPEC body."""

from __future__ import annotations

import time

import pytest

from tests.conftest import AUTHORIZER_CACHE_SECONDS, Api, Stack, admin


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_missing_or_unknown_token_is_401(server: str, token: str | None) -> None:
    client = Api(server, token=token)
    for method, path in (("GET", "/users"), ("POST", "/users"), ("GET", "/open_channels/x/metacounter")):
        response = client(method, path, {"user_id": "intruder"})
        assert response.status_code == 401
        assert response.json() == {"error": True, "code": "unauthorized", "message": "Missing or unknown Api-Token"}


def test_unknown_route_is_404_with_error_body(api: Api) -> None:
    response = api.get("/users/a/b/c/d")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_openapi_and_swagger_ui_are_served_without_a_token(server: str) -> None:
    import requests

    document = requests.get(f"{server}/openapi.json", timeout=10)
    assert document.status_code == 200 and "/users/{user_id}/metadata" in document.json()["paths"]
    page = requests.get(f"{server}/docs", timeout=10)
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert requests.get(f"{server}/docs/static/swagger-ui-bundle.js", timeout=10).status_code == 200


def test_admin_cli_tokens_work_at_once_and_stop_after_revocation(stack: Stack) -> None:
    created = admin(stack, "apps", "create", "revocation")
    client = Api(stack.url, token=created["token"])
    assert client.post("/users", {"user_id": "r1"}).status_code == 201
    second = admin(stack, "tokens", "create", created["app_id"])
    other = Api(stack.url, token=second["token"])
    assert other.get("/users/r1").status_code == 200, "a token of the same application sees its data"
    admin(stack, "tokens", "revoke", second["token_id"])
    time.sleep(AUTHORIZER_CACHE_SECONDS + 0.5)  # the authorizer's answer is cached that long, as in AWS
    assert other.get("/users/r1").status_code == 401
    assert client.get("/users/r1").status_code == 200
    admin(stack, "apps", "delete", created["app_id"], "--yes")
    time.sleep(AUTHORIZER_CACHE_SECONDS + 0.5)
    assert client.get("/users/r1").status_code == 401
