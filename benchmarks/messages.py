"""`make bench`, messages: send, meta merge, sorted_metaarray and an idempotent retry against the
embedded engine, in process: DynamoDB requests per call (botocore event hooks) and handler p50/p95
over BENCH_CALLS calls (default 1,000). As for metadata, latencies are this laptop's loopback:
useful to compare changes, not to predict AWS.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

from benchmarks.metadata import CALLS, event, percentile, start_stack
from local.gateway import Containers
from local.template import Template, load

M, m = "/{channel_type}/{channel_url}/messages", "/group_channels/bench-room/messages"
SEND = {"user_id": "bench-user", "message": "Standup in 5 minutes"}
TAGGED = SEND | {"sorted_metaarray": [{"key": "team", "value": ["red", "blue"]}, {"key": "likes", "value": ["ann"]}]}


def with_header(ev: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    return ev | {
        "headers": ev["headers"] | {name: value},
        "multiValueHeaders": ev["multiValueHeaders"] | {name: [value]},
    }


RETRY = with_header(event("POST", M, m, SEND), "Idempotency-Key", str(uuid.uuid4()))
OPERATIONS: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = [
    # name, setup event run once before the measured calls (or None), measured event
    ("POST messages (send)", event("POST", M, m, SEND), event("POST", M, m, SEND)),  # the first creates the counter
    ("POST messages (send, 3 values)", None, event("POST", M, m, TAGGED)),
    ("POST messages (Idempotency-Key retry)", RETRY, RETRY),
    ("GET messages/{id}", None, event("GET", f"{M}/{{message_id}}", f"{m}/1")),
    ("POST messages/{id}/meta (merge)", None, event("POST", f"{M}/{{message_id}}/meta", f"{m}/1/meta", {"seen": 1})),
    (
        "PUT sorted_metaarray (add 1)",
        None,
        event("PUT", f"{M}/{{message_id}}/sorted_metaarray", f"{m}/2/sorted_metaarray", {"sorted_metaarray": []}),
    ),
    (
        "GET messages?metaarray_key (20)",
        None,
        event("GET", M, m, query={"metaarray_key": "team", "metaarray_values": "red"}),
    ),
]


def main() -> None:
    engine = start_stack()
    from local.instrument import DynamoCalls  # after the environment points the store at the engine

    template = Template(load())
    channels = Containers(template.function("ChannelsFunction"))
    messages = Containers(template.function("MessagesFunction"))
    channels.invoke(event("POST", "/{channel_type}", "/group_channels", {"channel_url": "bench-room"}))

    print(f"\nMessages: handler in process against the embedded engine, {CALLS} calls per operation\n")
    print(f"| {'operation':<38} | DynamoDB requests/call | p50 ms | p95 ms |")
    print(f"|{'-' * 40}|------------------------|--------|--------|")
    for name, setup, measured in OPERATIONS:
        if setup is not None:
            messages.invoke(setup)
        latencies, requests = [], []
        for i in range(CALLS):
            call = measured
            if name.startswith("PUT sorted_metaarray"):  # a new value each time, on one key
                body = {"sorted_metaarray": [{"key": f"k{i // 100}", "value": [f"v{i}"]}], "upsert": True}
                call = event("PUT", measured["resource"], measured["path"], body)
            with DynamoCalls() as calls:
                started = time.perf_counter()
                response = messages.invoke(call)
                latencies.append((time.perf_counter() - started) * 1000)
            assert response["statusCode"] < 300, (name, response["body"])
            requests.append(calls.requests)
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        print(f"| {name:<38} | {statistics.mean(requests):>22.2f} | {p50:>6.2f} | {p95:>6.2f} |")
    engine.stop()


if __name__ == "__main__":
    main()
