"""`make bench`, messages: send, meta merge, sorted_metaarray and an idempotent retry against the
embedded engine, in process: DynamoDB requests per call (botocore event hooks) and handler p50/p95
over BENCH_CALLS calls (default 1,000). As for metadata, latencies are this laptop's loopback:
useful to compare changes, not to predict AWS. The engine (moto) answers a Query by reading every
item of the table, so the filtered list's latency grows with everything the bench stored before it
(in AWS, with the items the Query returns); its DynamoDB requests per call do not.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from benchmarks.metadata import CALLS, event, percentile, start_stack
from local.gateway import Containers
from local.template import Template, load

M, m = "/{channel_type}/{channel_url}/messages", "/group_channels/bench-room/messages"
f = "/group_channels/bench-filter/messages"  # 200 messages, half of them matching the filter
SEND = {"user_id": "bench-user", "message": "Standup in 5 minutes"}
TAGGED = SEND | {"sorted_metaarray": [{"key": "team", "value": ["red", "blue"]}, {"key": "likes", "value": ["ann"]}]}


def with_header(ev: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    return ev | {
        "headers": ev["headers"] | {name: value},
        "multiValueHeaders": ev["multiValueHeaders"] | {name: [value]},
    }


RETRY = with_header(event("POST", M, m, SEND), "Idempotency-Key", str(uuid.uuid4()))
FILTER = event("GET", M, f, query={"metaarray_key": "team", "metaarray_values": "red,gold"})
Run = Callable[[dict[str, Any]], dict[str, Any]]


def retried(i: int, run: Run) -> dict[str, Any]:
    if i == 0:
        run(RETRY)  # the first request: measured calls are its retries
    return RETRY


def like(i: int, run: Run) -> dict[str, Any]:
    """A new value on a message's "likes" key; a new message every 50 calls (a key holds 100)."""
    global _liked
    if i % 50 == 0:
        sent = run(event("POST", M, m, SEND | {"sorted_metaarray": [{"key": "likes", "value": []}]}))
        _liked = json.loads(sent["body"])["message_id"]
    body = {"sorted_metaarray": [{"key": "likes", "value": [f"user-{i}"]}]}
    return event("PUT", f"{M}/{{message_id}}/sorted_metaarray", f"{m}/{_liked}/sorted_metaarray", body)


_liked = 0
OPERATIONS: list[tuple[str, Callable[[int, Run], dict[str, Any]]]] = [
    # name, the event of call i (after any setup it runs itself, not measured)
    ("POST messages (send)", lambda i, run: event("POST", M, m, SEND)),
    ("POST messages (send, 3 values)", lambda i, run: event("POST", M, m, TAGGED)),
    ("POST messages (Idempotency-Key retry)", retried),
    ("GET messages/{id}", lambda i, run: event("GET", f"{M}/{{message_id}}", f"{m}/1")),
    (
        "POST messages/{id}/meta (merge)",
        lambda i, run: event("POST", f"{M}/{{message_id}}/meta", f"{m}/1/meta", {"n": i}),
    ),
    ("PUT sorted_metaarray (add 1 value)", like),
    ("GET messages?metaarray_key (page of 20)", lambda i, run: FILTER),
]


def main() -> None:
    engine = start_stack()
    from local.instrument import DynamoCalls  # after the environment points the store at the engine

    template = Template(load())
    channels = Containers(template.function("ChannelsFunction"))
    messages = Containers(template.function("MessagesFunction"))
    for url in ("bench-room", "bench-filter"):
        channels.invoke(event("POST", "/{channel_type}", "/group_channels", {"channel_url": url}))
    messages.invoke(event("POST", M, m, SEND))  # the first send of a channel also creates its counter
    for i in range(200):  # half of them match the filter
        messages.invoke(event("POST", M, f, TAGGED if i % 2 else SEND))

    print(f"\nMessages: handler in process against the embedded engine, {CALLS} calls per operation\n")
    print(f"| {'operation':<40} | DynamoDB requests/call | p50 ms | p95 ms |")
    print(f"|{'-' * 42}|------------------------|--------|--------|")
    for name, prepare in OPERATIONS:
        latencies, requests = [], []
        for i in range(CALLS):
            call = prepare(i, messages.invoke)
            with DynamoCalls() as calls:
                started = time.perf_counter()
                response = messages.invoke(call)
                latencies.append((time.perf_counter() - started) * 1000)
            assert response["statusCode"] < 300, (name, response["body"])
            requests.append(calls.requests)
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        print(f"| {name:<40} | {statistics.mean(requests):>22.2f} | {p50:>6.2f} | {p95:>6.2f} |")
    engine.stop()


if __name__ == "__main__":
    main()
