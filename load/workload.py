"""The load test's mixed workload: one locust user class whose tasks are the API's hot paths.

Each simulated client loops without pause over, by weight: metadata reads and upserts on users,
metacounter increments on a few hot channel counters, batches of 10 tracking events, ``q``
queries over sessions and session analytics. It counts what the server accepted (increments that
got a 2xx, events accepted) so the run can check afterwards that nothing was lost.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from locust import FastHttpUser, constant, task

EVENTS_PER_BATCH = 10
BATCHES_PER_SESSION = 20  # then the client moves to a new session, as an app does after a while
MODELS = ("Pixel 8", "iPhone15,2", "SM-S918B")  # device models of the seeded sessions (analytics groups)


@dataclass
class Plan:
    """What the clients work on (created before the run) and what the server accepted."""

    base: str  # the API's URL
    token: str
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    users: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # group channel urls
    counter_keys: tuple[str, ...] = ("unread", "mentions", "views")
    increments: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, key) → 2xx increments
    events: Counter[str] = field(default_factory=Counter)  # session id → events accepted

    def user_id(self, n: int) -> str:
        return f"load-{self.run}-u{n}"

    def channel_url(self, n: int) -> str:
        return f"load-{self.run}-c{n}"


PLAN: Plan | None = None  # set by the runner before the clients start


def plan() -> Plan:
    assert PLAN is not None, "the runner sets load.workload.PLAN before starting the clients"
    return PLAN


class AnnexClient(FastHttpUser):
    wait_time = constant(0)  # a closed loop: each client sends its next request when one is answered
    network_timeout = 30.0
    connection_timeout = 5.0

    def on_start(self) -> None:
        self.headers = {"Api-Token": plan().token, "Content-Type": "application/json"}
        self.client_id = uuid.uuid4().hex[:6]
        self.session_n = 0
        self.batches = 0

    @task(5)
    def read_metadata(self) -> None:
        user = random.choice(plan().users)
        self.client.get(f"/users/{user}/metadata?keys=plan,tz", headers=self.headers, name="GET user metadata")

    @task(2)
    def upsert_metadata(self) -> None:
        user = random.choice(plan().users)
        body = {"metadata": {"plan": random.choice(("free", "pro", "team")), "seen": str(time.time())}, "upsert": True}
        self.client.put(f"/users/{user}/metadata", json=body, headers=self.headers, name="PUT user metadata (upsert)")

    @task(4)
    def increment(self) -> None:
        channel, key = random.choice(plan().channels), random.choice(plan().counter_keys)
        with self.client.put(
            f"/group_channels/{channel}/metacounter/{key}",
            json={"value": 1, "mode": "increase", "upsert": True},
            headers=self.headers,
            name="PUT metacounter/{key} increase",
            catch_response=True,
        ) as response:
            if 200 <= response.status_code < 300:
                plan().increments[(channel, key)] += 1
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(2)
    def send_events(self) -> None:
        if self.batches == BATCHES_PER_SESSION:
            self.session_n, self.batches = self.session_n + 1, 0
        self.batches += 1
        session = f"load-{plan().run}-{self.client_id}-s{self.session_n}"
        now = int(time.time() * 1000)
        batch = [
            {"session_id": session, "type": "screen", "name": f"screen-{n % 4}", "timestamp": now + n}
            if n % 3 == 0
            else {"session_id": session, "type": "track", "name": "tap", "timestamp": now + n}
            if n % 3 == 1
            else {"session_id": session, "type": "gesture", "properties": {"rage": n == 2}, "timestamp": now + n}
            for n in range(EVENTS_PER_BATCH)
        ]
        with self.client.post(
            "/events", json={"batch": batch}, headers=self.headers, name="POST /events (10)", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            answer = response.json()
            plan().events[session] += int(answer["accepted"])
            if answer["rejected"]:
                response.failure(f"rejected events: {json.dumps(answer['rejected'])[:200]}")
            else:
                response.success()

    @task(1)
    def query(self) -> None:
        q = f"user_metadata['run']:'{plan().run}' AND user_metadata['plan']:'pro'"
        self.client.get(f"/sessions?limit=20&q={quote(q)}", headers=self.headers, name="GET /sessions?q=")

    @task(1)
    def analytics(self) -> None:
        group_by = quote(json.dumps([{"attribute": "device_model"}]))
        self.client.get(
            f"/sessions/analytics?group_by={group_by}", headers=self.headers, name="GET /sessions/analytics"
        )


def seed(client: Any, plan: Plan, users: int = 50, channels: int = 10, sessions: int = 40) -> None:
    """Create what the clients work on (not measured): users with metadata, group channels, and
    sessions with user_metadata for ``q`` (of this run only) and device models for analytics."""
    headers = {"Api-Token": plan.token}
    for n in range(users):
        body = {"user_id": plan.user_id(n), "metadata": {"plan": "free", "tz": "UTC"}}
        _created(client.post(f"{plan.base}/users", json=body, headers=headers))
        plan.users.append(plan.user_id(n))
    for n in range(channels):
        _created(client.post(f"{plan.base}/group_channels", json={"channel_url": plan.channel_url(n)}, headers=headers))
        plan.channels.append(plan.channel_url(n))
    for n in range(sessions):
        body = {
            "session_id": f"load-{plan.run}-seed{n}",
            "user_id": plan.user_id(n % users),
            "user_metadata": {"run": plan.run, "plan": ("pro", "free")[n % 2], "n": n},
            "device": {"model": MODELS[n % 3], "platform": "ios" if n % 3 == 1 else "android"},
        }
        _created(client.post(f"{plan.base}/sessions", json=body, headers=headers))


def warm(plan: Plan, clients: int) -> None:
    """Start as many warm containers of each function as there will be concurrent clients (the
    local gateway starts one process per concurrent request, as Lambda does), so the measured run
    is not a measure of cold starts."""
    from concurrent.futures import ThreadPoolExecutor  # greenlets, once locust has patched threading

    headers = {"Api-Token": plan.token}
    event = {"batch": [{"session_id": f"load-{plan.run}-warm", "type": "screen", "name": "warm"}]}
    one_per_function = [  # users, channels, sessions, events
        ("GET", f"/users/{plan.users[0]}/metadata", None),
        ("GET", f"/group_channels/{plan.channels[0]}/metacounter", None),
        ("GET", f"/sessions/load-{plan.run}-seed0", None),
        ("POST", "/events", event),
    ]
    with ThreadPoolExecutor(clients) as pool:
        for method, path, body in one_per_function:
            for _ in range(2):
                calls = [
                    pool.submit(requests.request, method, plan.base + path, json=body, headers=headers, timeout=120)
                    for _ in range(clients)
                ]
                for call in calls:
                    call.result().raise_for_status()


def _created(response: Any) -> None:
    if response.status_code != 201:
        raise RuntimeError(f"seeding failed: {response.status_code} {response.text[:300]}")
