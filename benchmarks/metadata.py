"""`make bench`: metadata and metacounter operations against the local stack.

For each operation: DynamoDB requests per call (botocore event hook), handler latency p50/p95
over BENCH_CALLS calls (default 1,000) in process (each function's cold start:
benchmarks/coldstart.py). The engine is the embedded one of `make run`, so latencies are those of
this laptop's loopback, useful to compare changes, not to predict AWS.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3

from annex.store.table import target
from local.engine import Engine
from local.gateway import Containers, api_event
from local.instrument import DynamoCalls
from local.template import Template, load

APP = "bench-app"
CALLS = int(os.environ.get("BENCH_CALLS", "1000"))
TABLE = "annex-bench"
# What a function's container has (credentials for the SDK to sign with, quiet Powertools): the
# benchmarks run handlers in their own process; the table they use is chosen with table.target.
CONTAINER_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}


def event(
    method: str, resource: str, path: str, body: Any = None, query: dict[str, str] | None = None
) -> dict[str, Any]:
    return api_event(method, resource, path, APP, body, query)


U, C = "/users/{user_id}", "/{channel_type}/{channel_url}"
u, c = "/users/bench-user", "/open_channels/bench-channel"
RESTORE = [
    event("DELETE", f"{U}/metadata", f"{u}/metadata"),
    event("POST", f"{U}/metadata", f"{u}/metadata", {"metadata": {"k0": "v", "k1": "v", "k2": "v"}}),
]
OPERATIONS: list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]] = [
    # name, function, measured event, setup events (not measured) run before each call
    ("GET metadata", "UsersFunction", event("GET", f"{U}/metadata", f"{u}/metadata"), []),
    ("GET metadata?keys", "UsersFunction", event("GET", f"{U}/metadata", f"{u}/metadata", query={"keys": "k0,k1"}), []),
    ("GET metadata/{key}", "UsersFunction", event("GET", f"{U}/metadata/{{key}}", f"{u}/metadata/k0"), []),
    (
        "POST metadata (3 keys)",
        "UsersFunction",
        event("POST", f"{U}/metadata", f"{u}/metadata", {"metadata": {"n0": "v", "n1": "v", "n2": "v"}}),
        RESTORE,
    ),
    (
        "PUT metadata (update 3)",
        "UsersFunction",
        event("PUT", f"{U}/metadata", f"{u}/metadata", {"metadata": {"k0": "a", "k1": "b", "k2": "c"}}),
        [],
    ),
    (
        "PUT metadata (upsert 3)",
        "UsersFunction",
        event("PUT", f"{U}/metadata", f"{u}/metadata", {"metadata": {"k0": "a", "x1": "b", "x2": "c"}, "upsert": True}),
        [],
    ),
    (
        "PUT metadata/{key}",
        "UsersFunction",
        event("PUT", f"{U}/metadata/{{key}}", f"{u}/metadata/k0", {"value": "z"}),
        [],
    ),
    (
        "DELETE metadata/{key}",
        "UsersFunction",
        event("DELETE", f"{U}/metadata/{{key}}", f"{u}/metadata/x1"),
        [event("PUT", f"{U}/metadata/{{key}}", f"{u}/metadata/x1", {"value": "v", "upsert": True})],
    ),
    ("GET metacounter", "ChannelsFunction", event("GET", f"{C}/metacounter", f"{c}/metacounter"), []),
    (
        "POST metacounter (2 keys)",
        "ChannelsFunction",
        event("POST", f"{C}/metacounter", f"{c}/metacounter", {"metacounter": {"m0": 1, "m1": 2}}),
        [event("DELETE", f"{C}/metacounter", f"{c}/metacounter")],
    ),
    (
        "PUT metacounter increase (3)",
        "ChannelsFunction",
        event(
            "PUT",
            f"{C}/metacounter",
            f"{c}/metacounter",
            {"metacounter": {"m0": 1, "m1": 1, "m2": 1}, "mode": "increase", "upsert": True},
        ),
        [],
    ),
    (
        "PUT metacounter/{key} increase",
        "ChannelsFunction",
        event("PUT", f"{C}/metacounter/{{key}}", f"{c}/metacounter/m0", {"value": 1, "mode": "increase"}),
        [],
    ),
    (
        "PUT metacounter/{key} set",
        "ChannelsFunction",
        event("PUT", f"{C}/metacounter/{{key}}", f"{c}/metacounter/m0", {"value": 7}),
        [],
    ),
]


def start_stack() -> Engine:
    engine = Engine("127.0.0.1", 0).start()
    os.environ.update(CONTAINER_ENV)
    client = boto3.client("dynamodb", endpoint_url=engine.endpoint)
    client.create_table(TableName=TABLE, **Template(load()).table_definition())
    return engine


def quiet() -> contextlib.AbstractContextManager[Any]:
    """The handlers' EMF lines (annex.telemetry) written, as in Lambda, but not onto the tables printed here."""
    return contextlib.redirect_stdout(open(os.devnull, "w"))


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    engine = start_stack()
    with target(TABLE, engine.endpoint):
        measure()
    engine.stop()


def measure() -> None:

    template = Template(load())
    pools = {fid: Containers(template.function(fid)) for fid in ("UsersFunction", "ChannelsFunction")}
    call: Callable[[str, dict[str, Any]], dict[str, Any]] = lambda fid, ev: pools[fid].invoke(ev)  # noqa: E731
    call(
        "UsersFunction",
        event("POST", "/users", "/users", {"user_id": "bench-user", "metadata": {"k0": "v", "k1": "v", "k2": "v"}}),
    )
    call("ChannelsFunction", event("POST", "/{channel_type}", "/open_channels", {"channel_url": "bench-channel"}))
    call("ChannelsFunction", event("POST", f"{C}/metacounter", f"{c}/metacounter", {"metacounter": {"m0": 0}}))

    print(f"Handler in process against the embedded engine, {CALLS} calls per operation\n")
    print(f"| {'operation':<32} | DynamoDB requests/call | p50 ms | p95 ms |")
    print(f"|{'-' * 34}|------------------------|--------|--------|")
    for name, fid, measured, setup in OPERATIONS:
        latencies, requests = [], []
        for _ in range(CALLS):
            for step in setup:
                call(fid, step)
            with DynamoCalls() as calls, quiet():
                started = time.perf_counter()
                response = call(fid, measured)
                latencies.append((time.perf_counter() - started) * 1000)
            assert response["statusCode"] < 300, (name, response["body"])
            requests.append(calls.requests)
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        print(f"| {name:<32} | {statistics.mean(requests):>22.2f} | {p50:>6.2f} | {p95:>6.2f} |")


if __name__ == "__main__":
    main()
