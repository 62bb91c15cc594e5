"""The web console in a real browser: Playwright drives Debian's Chromium (never a browser of its own)
against the test session's `python -m local` server, signed in to an application seeded for it.

`make test` installs Chromium with apt-get when it is missing and it can (root); without it these
tests are skipped with the reason, except under CI=true, where a missing browser fails them.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Api, Stack, admin

CHROMIUM = os.environ.get("ANNEX_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts, which this closed
# network refuses (and each launch waits on them); a fresh profile per launch comes from Playwright.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("ANNEX_SCREENSHOTS")  # `make screenshots`: where to save the views


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, once per module (Playwright's loop is gone before other tests run). `expect` waits up
    to 20 s for what it looks for: a function's first request starts its container, which takes
    seconds on a busy 2-core machine."""
    if not Path(CHROMIUM).exists():
        reason = (
            f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium with apt-get when run as root "
            "(or `apt-get install chromium`, or set ANNEX_CHROMIUM)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@dataclass
class Seeded:
    """An application of its own on the test server, with what the console tests look at."""

    token: str
    api: Api
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    journey: str = ""  # the session with a long event timeline
    journey_events: list[str] = field(default_factory=list)


DEVICES = [
    ("Pixel 8", "android", "Google"),
    ("Pixel 8", "android", "Google"),
    ("Pixel 8", "android", "Google"),
    ("iPhone15,2", "ios", "Apple"),
    ("iPhone15,2", "ios", "Apple"),
    ("SM-S918B", "android", "Samsung"),
]


@pytest.fixture(scope="session")
def seeded(stack: Stack) -> Seeded:
    token = admin(stack, "apps", "create", f"console-{uuid.uuid4().hex[:6]}")["token"]
    api = Api(stack.url, token=token)
    data = Seeded(token, api)

    def ok(response: Any) -> Any:
        assert response.status_code in (200, 201), response.text
        return response.json()

    ok(
        api.post(
            "/users",
            {
                "user_id": "alice",
                "nickname": "Alice",
                "metadata": {"plan": "pro", "city": "NYC"},
                "meta": {"prefs": {"theme": "dark"}, "score": 12},
            },
        )
    )
    ok(api.post("/users", {"user_id": "bob", "nickname": "Bob", "metadata": {"plan": "free"}}))
    ok(
        api.post(
            "/group_channels",
            {
                "channel_url": "team-42",
                "name": "Team 42",
                "metadata": {"topic": "launch"},
                "metacounter": {"unread": 3, "mentions": 1},
                "meta": {"pinned": [1, 2]},
            },
        )
    )
    ok(api.put("/group_channels/team-42/metacounter/unread", {"value": 4, "mode": "increase"}))
    for text, tags in (("Kick-off at 10", ["launch"]), ("Slides are up", ["launch", "docs"])):
        message = {"user_id": "alice", "message": text, "sorted_metaarray": [{"key": "tags", "value": tags}]}
        ok(api.post("/group_channels/team-42/messages", message))
    ok(api.post("/open_channels", {"channel_url": "lobby", "name": "Lobby"}))

    now = int(time.time() * 1000)
    for i, (model, platform, maker) in enumerate(DEVICES):
        session_id = f"visit-{i + 1}"
        body = {
            "session_id": session_id,
            "user_id": ["alice", "bob", "carol"][i % 3],
            "user_metadata": {"plan": "pro" if i % 2 == 0 else "free", "age": 20 + 3 * i},
            "device": {"model": model, "platform": platform, "manufacturer": maker, "app_version": "2.4.0"},
            "location": {"country": "United States", "country_code": "US", "city": "New York"},
        }
        data.sessions[session_id] = ok(api.post("/sessions", body))
        batch = [
            {"session_id": session_id, "type": "screen", "name": name, "timestamp": now - 60_000 + k * 1000}
            for k, name in enumerate(["home", "search", "product"])
        ]
        if model == "SM-S918B":
            batch.append({"session_id": session_id, "type": "crash", "properties": {"reason": "NPE"}, "timestamp": now})
        assert ok(api.post("/events", {"batch": batch}))["accepted"] == len(batch)

    # A longer journey: 25 events, more than one page of the timeline (20), sent out of order.
    data.journey = "journey-1"
    names = [f"step-{n:02d}" for n in range(25)]
    events = [
        {
            "session_id": data.journey,
            "user_id": "alice",
            "type": "screen" if n % 3 else "track",
            "name": name,
            "properties": {"n": n},
            "timestamp": now - 30 * 60_000 + n * 60_000,
        }
        for n, name in enumerate(names)
    ]
    assert ok(api.post("/events", {"batch": list(reversed(events))}))["accepted"] == 25
    data.journey_events = names
    return data


class Console:
    """A signed-out console page, and what it asked of the network."""

    def __init__(self, page: Any, base: str):
        self.page = page
        self.base = base
        self.requests: list[str] = []
        self.problems: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.problems.append(message.text)
                if "Content Security Policy" in message.text
                or (message.type == "error" and "status of" not in message.text)
                else None
            ),
        )

    def open(self) -> Any:
        self.page.goto(self.base + "/console")
        return self.page

    def sign_in(self, token: str) -> Any:
        page = self.open()
        page.get_by_label("API token").fill(token)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("navigation", name="Views").wait_for()
        return page

    def screenshot(self, name: str) -> None:
        if SCREENSHOTS:
            folder = ROOT / SCREENSHOTS
            folder.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def console(browser: Any, stack: Stack) -> Iterator[Console]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    opened = Console(context.new_page(), stack.url)
    yield opened
    context.close()
    foreign = [url for url in opened.requests if not url.startswith(stack.url + "/") and not url.startswith("data:")]
    assert not foreign, f"the console asked another origin: {foreign}"
    assert not opened.problems, opened.problems
