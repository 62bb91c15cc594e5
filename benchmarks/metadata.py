"""`make bench`: metadata and metacounter operations against the local stack.

For each operation: DynamoDB requests per call (botocore event hook), the write and read units
DynamoDB would bill for it (``local.capacity``: the engine's own figure is fake), handler latency
p50/p95 over BENCH_CALLS calls (default 1,000) in process (each function's cold start:
benchmarks/coldstart.py). Then the same units for a small and a full resource (a channel at the
API's maxima: 64 KiB of ``data``, 8 KiB of ``meta``, 100 metadata keys of 128 + 190 characters, a
few counters; users alike). The engine is the embedded one of `make run`, so latencies are those
of this laptop's loopback, useful to compare changes, not to predict AWS.
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
from local.capacity import DynamoCapacity
from local.engine import Engine
from local.gateway import Containers, Gateway, api_event
from local.instrument import DynamoCalls
from local.template import Template, load

APP = "bench-app"
CALLS = int(os.environ.get("BENCH_CALLS", "1000"))
CAPACITY_CALLS = min(CALLS, 3)  # the units are the same each call: a few suffice, apart from the timed calls
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


SIZES = ("small", "full")
KEYS = 100  # a full resource's metadata keys, each of the API's longest key and value
KEY_CHARS, VALUE_CHARS = 128, 190
USERS = 10  # a list page
Request = tuple[str, str, Any]  # method, path, body


def key(i: int, size: str) -> str:
    return f"k{i:03d}".ljust(KEY_CHARS, "-") if size == "full" else f"k{i}"


def value(size: str) -> str:
    return "v" * (VALUE_CHARS if size == "full" else 1)


def resources(size: str) -> list[Request]:
    """The requests that build application ``bench-{size}``: a channel and USERS users, small (3
    metadata keys, 1 counter) or full (64 KiB of data, 8 KiB of meta, KEYS metadata keys, 5 counters)."""
    full = size == "full"
    keys = KEYS if full else 3
    meta = {"blob": "m" * (8 * 1024 - len('{"blob":""}'))} if full else {}
    channel = {"channel_url": "ch", "data": "d" * (64 * 1024 if full else 0), "meta": meta}
    built: list[Request] = [("POST", "/group_channels", channel)]
    owners = ["/group_channels/ch"]
    for n in range(USERS):
        built.append(("POST", "/users", {"user_id": f"u{n:02d}", "nickname": "bench", "meta": meta}))
        owners.append(f"/users/u{n:02d}")
    for owner in owners:
        for first in range(0, keys, 5):  # at most 5 items a request
            items = {key(i, size): value(size) for i in range(first, min(first + 5, keys))}
            built.append(("POST", f"{owner}/metadata", {"metadata": items}))
    counters = {f"m{i}": 500 + i for i in range(5 if full else 2)}  # m0 stays in its decade (100-999)
    built.append(("POST", "/group_channels/ch/metacounter", {"metacounter": counters}))
    return built


def per_size(size: str) -> list[tuple[str, Request, dict[str, str] | None, list[Request]]]:
    """The operations measured on each size: (name, measured request, its query, setup requests)."""
    ch, last = "/group_channels/ch", key((KEYS if size == "full" else 3) - 1, size)
    return [
        ("PUT metacounter/{key} increase", ("PUT", f"{ch}/metacounter/m0", {"value": 1, "mode": "increase"}), None, []),
        (
            "PUT metacounter/{key} increase 999 → 1000",
            ("PUT", f"{ch}/metacounter/m1", {"value": 1, "mode": "increase"}),
            None,
            [("PUT", f"{ch}/metacounter/m1", {"value": 999})],
        ),
        (
            "PUT metadata/{key} (existing, new value)",
            ("PUT", f"{ch}/metadata/{key(0, size)}", {"value": "w" * len(value(size))}),
            None,
            [("PUT", f"{ch}/metadata/{key(0, size)}", {"value": value(size)})],
        ),
        (
            "POST metadata, 1 new key (full: 99 held)",
            ("POST", f"{ch}/metadata", {"metadata": {last: value(size)}}),
            None,
            [("DELETE", f"{ch}/metadata/{last}", None)],
        ),
        ("GET metadata", ("GET", f"{ch}/metadata", None), None, []),
        ("GET metacounter", ("GET", f"{ch}/metacounter", None), None, []),
        ("GET channel", ("GET", ch, None), None, []),
        (f"GET /users (page of {USERS})", ("GET", "/users", None), {"limit": str(USERS)}, []),
    ]


def small_and_full(template: Template) -> None:
    """Requests, write and read units per call of each operation on a small and on a full resource."""
    gateway = Gateway(template)
    pools: dict[str, Containers] = {}

    def routed(app: str, request: Request, query: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
        method, path, body = request
        matched = gateway.match(method, path)
        assert matched is not None, (method, path)
        route, params = matched
        fid = route.function.logical_id
        pools.setdefault(fid, Containers(route.function))
        return fid, api_event(method, route.path, path, app, body, query, params)

    def call(fid: str, ev: dict[str, Any]) -> dict[str, Any]:
        return pools[fid].invoke(ev)

    rows: dict[str, list[tuple[float, float, float]]] = {}
    for size in SIZES:
        app = f"bench-{size}"
        for request in resources(size):
            response = call(*routed(app, request))
            assert response["statusCode"] < 300, (request[1], response["body"][:300])
        for name, measured, query, setup in per_size(size):
            fid, ev = routed(app, measured, query)
            rows.setdefault(name, []).append(units(call, fid, ev, [routed(app, step)[1] for step in setup]))
    print(
        f"\nSmall resource (3 metadata keys, 1 counter) and full resource ({KEYS} metadata keys of "
        f"{KEY_CHARS} + {VALUE_CHARS} characters, 64 KiB data, 8 KiB meta, 5 counters; users alike), "
        f"per call, mean of {CAPACITY_CALLS}\n"
    )
    print("| operation | small: requests | small: WCU | small: RCU | full: requests | full: WCU | full: RCU |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, measures in rows.items():
        cells = " | ".join(f"{requests:.2f} | {writes:.1f} | {reads:.1f}" for requests, writes, reads in measures)
        print(f"| {name} | {cells} |")


Call = Callable[[str, dict[str, Any]], dict[str, Any]]


def units(call: Call, fid: str, measured: dict[str, Any], setup: list[dict[str, Any]]) -> tuple[float, float, float]:
    """DynamoDB requests, write units and read units per call, each the mean of CAPACITY_CALLS calls
    (untimed: the capacity model reads each item it sees)."""
    samples = []
    for _ in range(CAPACITY_CALLS):
        for step in setup:
            call(fid, step)
        with DynamoCalls() as calls, DynamoCapacity() as spent:
            response = call(fid, measured)
        assert response["statusCode"] < 300, (measured["path"], response["body"])
        samples.append((calls.requests, spent.write_units, spent.read_units))
    requests, writes, reads = zip(*samples, strict=True)
    return statistics.mean(requests), statistics.mean(writes), statistics.mean(reads)


def measure() -> None:
    template = Template(load())
    pools = {fid: Containers(template.function(fid)) for fid in ("UsersFunction", "ChannelsFunction")}
    call: Call = lambda fid, ev: pools[fid].invoke(ev)  # noqa: E731
    call(
        "UsersFunction",
        event("POST", "/users", "/users", {"user_id": "bench-user", "metadata": {"k0": "v", "k1": "v", "k2": "v"}}),
    )
    call("ChannelsFunction", event("POST", "/{channel_type}", "/open_channels", {"channel_url": "bench-channel"}))
    call("ChannelsFunction", event("POST", f"{C}/metacounter", f"{c}/metacounter", {"metacounter": {"m0": 0}}))

    print(f"Handler in process against the embedded engine, {CALLS} calls per operation")
    print(f"(write and read units per call by DynamoDB's rules, mean of {CAPACITY_CALLS} more calls)\n")
    print(f"| {'operation':<32} | DynamoDB requests/call | WCU/call | RCU/call | p50 ms | p95 ms |")
    print(f"|{'-' * 34}|------------------------|----------|----------|--------|--------|")
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
        _, writes, reads = units(call, fid, measured, setup)
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        print(
            f"| {name:<32} | {statistics.mean(requests):>22.2f} | {writes:>8.1f} | {reads:>8.1f} "
            f"| {p50:>6.2f} | {p95:>6.2f} |"
        )

    small_and_full(template)


if __name__ == "__main__":
    main()
