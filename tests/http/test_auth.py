"""The Api-Token header: required on every route, unknown tokens refused, both with the SPEC body."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr

from local.gateway import Gateway
from local.template import Template, load
from tests.conftest import AUTHORIZER_CACHE_SECONDS, Api, Stack, admin, scan_all


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


def test_the_local_gateway_caches_a_token_at_most_10_seconds_as_the_template_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AUTHORIZER_CACHE_SECONDS", raising=False)  # the tests' own override
    template = Template(load())
    parameter = template.raw["Parameters"]["AuthorizerCacheSeconds"]
    assert parameter["Default"] <= 10 and parameter["MaxValue"] <= 10  # was 300, up to 3600
    gateway = Gateway(template)
    try:
        assert gateway.authorizer is not None and 0 < gateway.authorizer[2] <= 10
    finally:
        gateway.stop()


def test_a_deleted_applications_cached_token_leaves_no_orphan_item(stack: Stack, table: Any) -> None:
    """A token answer cached before `apps delete` may still let a write through: the data is
    deleted only once no such answer (or request) can be left, so nothing of the app remains."""
    created = admin(stack, "apps", "create", "orphans")
    client = Api(stack.url, token=created["token"])
    assert client.post("/users", {"user_id": "before"}).status_code == 201  # the token's answer is cached now
    deleting = threading.Thread(target=admin, args=(stack, "apps", "delete", created["app_id"], "--yes"))
    deleting.start()
    written = 0
    while deleting.is_alive():  # writes through the cached answer until it expires, during the delete and after
        written += client.post("/users", {"user_id": f"during-{written}"}).status_code == 201
    deleting.join()
    assert scan_all(table, Attr("PK").begins_with(f"{created['app_id']}#")) == []
    assert client.get("/users").status_code == 401
