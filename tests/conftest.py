"""Shared fixtures: a moto table built from template.yaml, and one local server per test session."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from hypothesis import HealthCheck, settings
from moto import mock_aws

from annex import config
from annex.store import table as table_module
from local.engine import speed_up
from local.spawn import Server, local_server
from local.template import Template, load

ROOT = Path(__file__).resolve().parent.parent

# `make test` keeps property tests short; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs them long.
settings.register_profile(
    "ci", max_examples=12, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz", max_examples=300, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
TOKEN = "test-token-" + uuid.uuid4().hex
TEST_TABLE = "annex-test"
AUTHORIZER_CACHE_SECONDS = 2
# The local servers' default rate limits (local/ratelimit.py), raised so that load and fuzz tests are
# never throttled; the rate limit tests give their applications limits of their own.
UNLIMITED = {name: "100000" for name in ("AppRateLimit", "AppBurstLimit", "AnalyticsRateLimit", "AnalyticsBurstLimit")}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The store pointed at the test table (in AWS's endpoint: moto's, when mocked), with the
    environment a function's container has, for the handlers the tests run in process."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    with table_module.target(TEST_TABLE):
        yield


@pytest.fixture
def function_env() -> Iterator[Callable[..., None]]:
    """Set a function's environment variables (``function_env(ANALYTICS_MAX_SESSIONS="2")``): its
    settings read them as a new container's would; the test's end restores both."""
    with pytest.MonkeyPatch.context() as patch:

        def setting(**variables: str) -> None:
            for name, value in variables.items():
                patch.setenv(name, value)
            config.settings.cache_clear()

        yield setting
    config.settings.cache_clear()


@pytest.fixture
def moto_table(aws_env: None) -> Iterator[Any]:
    """The table template.yaml declares, in moto, with the store pointed at it (transactions
    rolled back item by item, as the embedded engine does, not by copying the table)."""
    speed_up()
    with mock_aws():  # the store's handles are created once and reused: moto answers them while it runs
        table_module.client().create_table(TableName=TEST_TABLE, **Template(load()).table_definition())
        yield table_module.table()


@dataclass(frozen=True)
class Stack(Server):
    def table_resource(self) -> Any:
        """The server's table, to look behind the API (tests may; clients cannot)."""
        return boto3.resource(
            "dynamodb",
            endpoint_url=self.dynamodb,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        ).Table(self.table)


@pytest.fixture(scope="session")
def table(stack: Stack) -> Any:
    """The test session's server table."""
    return stack.table_resource()


@pytest.fixture(scope="session")
def server(stack: Stack) -> str:
    return stack.url


class Webhook:
    """A local receiver for change events (what ANNEX_WEBHOOK_URL points `make run` at)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        received = self.events

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received.extend(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 15) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in list(self.events) if match(e)]
            if found:
                return found
            time.sleep(0.1)
        return []


@pytest.fixture(scope="session")
def webhook() -> Iterator[Webhook]:
    receiver = Webhook()
    yield receiver
    receiver.server.shutdown()


@contextlib.contextmanager
def local_stack(name: str, **env_vars: str) -> Iterator[Stack]:
    """`python -m local` (what `make run` starts) on free ports, with extra environment."""
    env = {"ANNEX_DEV_TOKEN": TOKEN, "AUTHORIZER_CACHE_SECONDS": str(AUTHORIZER_CACHE_SECONDS)} | UNLIMITED | env_vars
    table = env.pop("TABLE_NAME", f"annex-{name}")
    log = ROOT / ".pytest_cache" / f"{name}{os.environ.get('PYTEST_XDIST_WORKER', '')}.log"  # one per worker
    with local_server(table, log, env) as running:
        yield Stack(running.url, running.dynamodb, running.table, running.log, running.pid)


@pytest.fixture(scope="session")
def stack(webhook: Webhook) -> Iterator[Stack]:
    """The test session's local server (its log is .pytest_cache/server.log, server<worker>.log
    under `make test`'s workers)."""
    with local_stack("server", TABLE_NAME="annex-http-test", ANNEX_WEBHOOK_URL=webhook.url) as running:
        yield running


class Api:
    """A tiny HTTP client for the local server that sends the token and JSON bodies."""

    def __init__(self, base: str, token: str | None = TOKEN):
        self.base = base
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Api-Token"] = token

    def __call__(self, method: str, path: str, body: Any = None, *, raw: str | None = None, **kw: Any) -> Any:
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        return self.session.request(method, self.base + path, data=data, timeout=30, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self("DELETE", path, **kw)


def imported(stack: Stack, name: str, lines: list[dict[str, Any]], folder: Path) -> Api:
    """A new application on ``stack`` holding ``lines`` (annex-admin import's JSON lines), imported
    with annex-admin as an operator would; a client with its token."""
    created = admin(stack, "apps", "create", name)
    path = folder / f"{name}.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    summary = admin(stack, "import", str(path), "--app", created["app_id"])
    assert summary["complete"] is True, summary
    return Api(stack.url, token=created["token"])


@pytest.fixture(scope="session")
def api(server: str) -> Api:
    return Api(server)


@pytest.fixture
def user(api: Api) -> str:
    """A fresh user id, created, unique to the test."""
    user_id = f"user-{uuid.uuid4().hex[:10]}"
    assert api.post("/users", {"user_id": user_id, "nickname": "Tester"}).status_code == 201
    return user_id


@pytest.fixture(params=["open_channels", "group_channels"])
def channel(api: Api, request: pytest.FixtureRequest) -> str:
    """A fresh channel path (``/{channel_type}/{channel_url}``), created, for each channel type."""
    url = f"ch-{uuid.uuid4().hex[:10]}"
    assert api.post(f"/{request.param}", {"channel_url": url}).status_code == 201
    return f"/{request.param}/{url}"


def admin(stack: Stack, *args: str) -> Any:
    """Run annex-admin against the test server's DynamoDB endpoint, as an operator would."""
    command = [sys.executable, "-m", "admin", "--endpoint-url", stack.dynamodb, "--table", stack.table, *args]
    # `apps delete` waits out the test server's authorizer cache (and a request's run) before deleting the data.
    env = os.environ | {"ANNEX_REVOCATION_SECONDS": str(AUTHORIZER_CACHE_SECONDS + 1)}
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT, env=env).stdout)


@pytest.fixture(scope="session")
def other_app(stack: Stack) -> Api:
    """A second application on the same server."""
    return Api(stack.url, token=admin(stack, "apps", "create", "tenant-b")["token"])


def scan_all(table: Any, condition: Any) -> list[dict[str, Any]]:
    """Every item of ``table`` matching ``condition``: a Scan reads 1 MB per page, and the shared
    test table holds more than that (tests may scan; the API never does)."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"FilterExpression": condition}
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
