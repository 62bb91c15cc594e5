"""A local API Gateway (REST, Lambda proxy) for the routes declared in template.yaml.

Each HTTP request becomes the event API Gateway would send: the raw (percent-encoded) path,
decoded path parameters, query strings, headers and the authorizer's context. Like Lambda, each
function keeps a pool of warm containers, each its own process running one request at a time:
concurrent requests run concurrently, and never share per-request state.
"""

from __future__ import annotations

import base64
import importlib.util
import itertools
import json
import logging
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import ModuleType
from typing import Any
from urllib.parse import unquote

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from admin.applications import limits_of
from local.metrics import ReadableMetrics
from local.ratelimit import ANALYTICS_ROUTE, RateLimiter
from local.template import Function, Route, Template

log = logging.getLogger("local.gateway")
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
_ids = itertools.count()


@dataclass
class LambdaContext:
    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:annex"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def load_module(function: Function, name: str) -> ModuleType:
    """Import a function's handler module under ``name`` (each import is a separate instance)."""
    spec = importlib.util.spec_from_file_location(name, function.source)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {function.source}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # as an import would: pydantic resolves generic models through it
    spec.loader.exec_module(module)
    return module


def _load(function: Function, name: str) -> Handler:
    handler: Handler = getattr(load_module(function, name), function.handler)
    return handler


def api_event(
    method: str,
    resource: str,
    path: str,
    app_id: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway proxy event of an authorized JSON request, as the gateway builds from HTTP: for
    tests and benchmarks that invoke a handler in process (``body`` is sent as UTF-8 JSON)."""
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters or None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "requestId": str(uuid.uuid4()),
            "authorizer": {"app_id": app_id},
            "stage": "v1",
        },
        "body": None if body is None else json.dumps(body, ensure_ascii=False),
        "isBase64Encoded": False,
    }


def _request_id(event: dict[str, Any]) -> str:
    """API Gateway's request id, or a scheduled event's id."""
    return str(event.get("requestContext", {}).get("requestId") or event.get("id") or "local")


class FunctionError(Exception):
    """The handler raised; the message is what Lambda would report as errorMessage."""


# Containers are forked from a forkserver that has imported what they share (local/preload.py):
# a fresh process per container, as with spawn, without importing the libraries again each time.
_CONTAINERS = multiprocessing.get_context("forkserver")
_CONTAINERS.set_forkserver_preload(["local.preload"])


def _sandbox(conn: Connection, function: Function, environ: dict[str, str]) -> None:
    """One container's process: take the gateway's environment, load the handler once, then answer
    one event at a time."""
    os.environ.clear()
    os.environ.update(environ)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the gateway, which closes the pipe
    sys.stdout = ReadableMetrics(sys.stdout)  # the function's EMF figures, one readable line each
    handler = _load(function, "app")
    while True:
        try:
            event = conn.recv()
        except EOFError:
            return
        context = LambdaContext(function.logical_id, _request_id(event))
        try:
            conn.send(("ok", handler(event, context)))
        except Exception as exc:  # what Lambda reports as the invocation's error
            conn.send(("error", str(exc)))


class Sandbox:
    """A warm Lambda container: its own process, so nothing per-request is shared with another."""

    def __init__(self, function: Function):
        self.conn, child = _CONTAINERS.Pipe()
        self.process = _CONTAINERS.Process(target=_sandbox, args=(child, function, dict(os.environ)), daemon=True)
        self.process.start()
        child.close()

    def __call__(self, event: dict[str, Any], _: Any = None) -> dict[str, Any]:
        self.conn.send(event)
        status, value = self.conn.recv()
        if status == "error":
            raise FunctionError(value)
        result: dict[str, Any] = value
        return result

    def stop(self) -> None:
        self.conn.close()
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()


class Containers:
    """Warm containers of one function; a request borrows an idle one or starts a new one.

    ``isolated`` containers are processes (what the gateway uses: Lambda runs one request per
    container, and Powertools keeps the current event in class state). In-process containers are
    for single-threaded callers that want to observe the handler (tests, benchmarks).
    """

    def __init__(self, function: Function, *, isolated: bool = False):
        self.function = function
        self.isolated = isolated
        self.idle: list[Handler] = []
        self.all: list[Sandbox] = []
        self.lock = threading.Lock()

    def _start(self) -> Handler:
        if self.isolated:
            sandbox = Sandbox(self.function)
            with self.lock:
                self.all.append(sandbox)
            return sandbox
        return _load(self.function, f"annex_local_{self.function.logical_id}_{next(_ids)}")

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            handler = self.idle.pop() if self.idle else None
        if handler is None:
            handler = self._start()
        healthy = True
        try:
            return handler(event, LambdaContext(self.function.logical_id, _request_id(event)))
        except (EOFError, BrokenPipeError, OSError):
            healthy = False  # the container died: forget it, as Lambda would
            raise
        finally:
            if healthy:
                with self.lock:
                    self.idle.append(handler)

    def stop(self) -> None:
        for sandbox in self.all:
            sandbox.stop()


# API Gateway refuses longer URLs (414) before any function runs (its quota for an edge-optimized REST API).
MAX_URL_CHARS = 8192


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": True, "code": code, "message": message})
    headers = {"Cache-Control": "no-store"} | (headers or {})  # as template.yaml's gateway responses
    return Response(body, status=status, headers=headers, content_type="application/json")


class Gateway:
    def __init__(self, template: Template, stage: str = "local"):
        self.routes = template.routes()
        self.stage = stage
        self.pools: dict[str, Containers] = {}
        auth = template.authorizer()
        # AUTHORIZER_CACHE_SECONDS overrides the template's ReauthorizeEvery (tests of revocation).
        ttl = int(os.environ.get("AUTHORIZER_CACHE_SECONDS", auth[2] if auth else 0))
        self.authorizer = (Containers(auth[0], isolated=True), auth[1], ttl) if auth else None
        self.auth_cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self.limiter = RateLimiter(template.parameter_defaults(), limits_of)
        self.cache_lock = threading.Lock()

    def stop(self) -> None:
        for pool in [*self.pools.values(), *([self.authorizer[0]] if self.authorizer else [])]:
            pool.stop()

    def pool(self, function: Function) -> Containers:
        with self.cache_lock:
            if function.logical_id not in self.pools:
                self.pools[function.logical_id] = Containers(function, isolated=True)
            return self.pools[function.logical_id]

    def match(self, method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            found = route.pattern.match(raw_path)
            if found:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def authorize(self, route: Route, method: str, headers: Headers) -> dict[str, Any] | None:
        """The authorizer's context for this request's token, or None (401)."""
        assert self.authorizer is not None
        pool, header, ttl = self.authorizer
        token = headers.get(header)
        if not token:
            return None
        now = time.monotonic()
        with self.cache_lock:
            cached = self.auth_cache.get(token)
        if cached and cached[0] > now:
            return cached[1]
        arn = f"arn:aws:execute-api:local:000000000000:local/{self.stage}/{method}{route.path}"
        try:
            answer = pool.invoke(
                {
                    "type": "TOKEN",
                    "authorizationToken": token,
                    "methodArn": arn,
                    "requestContext": {"requestId": str(uuid.uuid4())},
                }
            )
        except FunctionError as exc:  # "Unauthorized" is the TOKEN authorizer's way to say 401
            if str(exc) != "Unauthorized":
                raise
            context = None
        else:
            statements = answer.get("policyDocument", {}).get("Statement", [])
            allowed = any(s.get("Effect") == "Allow" for s in statements)
            context = {"principalId": answer.get("principalId"), **answer.get("context", {})} if allowed else None
        if ttl > 0:
            with self.cache_lock:
                self.auth_cache[token] = (now + ttl, context)
        return context

    def event(self, request: Request, route: Route, params: dict[str, str], auth: dict[str, Any]) -> dict[str, Any]:
        raw = request.get_data()
        try:
            body: str | None = raw.decode() if raw else None
            binary = False
        except UnicodeDecodeError:
            body, binary = base64.b64encode(raw).decode(), True
        query = request.args
        headers = {k: v for k, v in request.headers.items()}
        return {
            "resource": route.path,
            "path": request.environ.get("RAW_URI", request.path).split("?")[0],
            "httpMethod": request.method,
            "headers": headers,
            "multiValueHeaders": {k: request.headers.getlist(k) for k in headers},
            "queryStringParameters": {k: query.getlist(k)[-1] for k in query} or None,
            "multiValueQueryStringParameters": {k: query.getlist(k) for k in query} or None,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route.path,
                "httpMethod": request.method,
                "path": f"/{self.stage}{request.path}",
                "stage": self.stage,
                "requestId": str(uuid.uuid4()),
                "requestTimeEpoch": int(time.time() * 1000),
                "identity": {"sourceIp": request.remote_addr, "userAgent": request.user_agent.string},
                "authorizer": auth,
            },
            "body": body,
            "isBase64Encoded": binary,
        }

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        started = time.perf_counter()
        try:
            response = self.handle(request)
        except Exception:
            log.exception("Unhandled error serving %s %s", request.method, request.path)
            response = _error(502, "bad_gateway", "The function failed")
        log.info(
            "%s %s %s %.1fms",
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        uri = request.environ.get("RAW_URI") or request.full_path
        if len(uri) > MAX_URL_CHARS:
            return _error(414, "uri_too_long", f"The URL is longer than {MAX_URL_CHARS} characters")
        raw_path = request.environ.get("RAW_URI", request.path).split("?")[0]
        matched = self.match(request.method, raw_path)
        if matched is None:
            return _error(404, "not_found", "No such route")
        route, params = matched
        auth: dict[str, Any] = {}
        if route.authorized and self.authorizer is not None:
            context = self.authorize(route, request.method, request.headers)
            if context is None:
                return _error(401, "unauthorized", "Missing or unknown Api-Token")
            auth = context
            wait = self.limiter.take(str(auth.get("app_id")), (request.method, route.path) == ANALYTICS_ROUTE)
            if wait > 0:
                retry = {"Retry-After": str(max(1, math.ceil(wait)))}
                return _error(429, "rate_limited", "Too many requests for this application, retry shortly", retry)
        result = self.pool(route.function).invoke(self.event(request, route, params, auth))
        headers = Headers()
        for name, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                headers.add(name, value)
        for name, value in (result.get("headers") or {}).items():
            headers[name] = value
        body = result.get("body") or ""
        payload = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        return Response(payload, status=int(result.get("statusCode", 200)), headers=headers)
