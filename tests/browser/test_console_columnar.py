"""The console's analytics view, unchanged, on a range the columnar engine serves: a server whose
DynamoDB path takes at most one session, so every chart below is drawn from DuckDB's answer."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Console
from tests.browser.test_console import _chart
from tests.conftest import Api, Stack, admin, local_stack

pytestmark = pytest.mark.browser
MODELS = ("Pixel 8", "Pixel 8", "iPhone15,2", "SM-S918B")


@pytest.fixture(scope="module")
def columnar_stack() -> Iterator[tuple[Stack, str]]:
    with local_stack("console-columnar", ANALYTICS_MAX_SESSIONS="1") as running:
        token = admin(running, "apps", "create", "console-columnar")["token"]
        api = Api(running.url, token=token)
        for i, model in enumerate(MODELS):
            body = {"session_id": f"c-{i}", "user_id": f"u{i % 2}", "device": {"model": model, "platform": "ios"}}
            assert api.post("/sessions", body).status_code == 201
        yield running, token


def test_the_analytics_view_draws_the_columnar_engines_rows(browser: Any, columnar_stack: tuple[Stack, str]) -> None:
    stack, token = columnar_stack
    api = Api(stack.url, token=token)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    console = Console(context.new_page(), stack.url)
    try:
        page = console.sign_in(token)
        page.get_by_role("navigation", name="Views").get_by_role("link", name="Analytics").click()
        lower, upper = page.get_by_label("From").input_value(), page.get_by_label("To").input_value()
        date_range = {
            "attribute": "date_range",
            "operator": "between_dates",
            "value": {"lower": f"{lower}T00:00:00Z", "upper": f"{upper}T23:59:59.999Z"},
        }
        params = {
            "filters": json.dumps([date_range]),
            "group_by": json.dumps([{"attribute": "device_model", "max_group_number": 20}]),
        }
        deadline = time.monotonic() + 10  # README: the copy's freshness bound under make run
        while True:
            answer = api.get("/sessions/analytics", params=params)
            assert answer.status_code == 200, answer.text
            if sum(r["session_count"] for r in answer.json()["data"]) == len(MODELS) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert answer.headers["X-Annex-Engine"] == "duckdb"
        by_model = answer.json()["data"]
        assert {r["device_model"]: r["session_count"] for r in by_model} == {
            "Pixel 8": 2,
            "iPhone15,2": 1,
            "SM-S918B": 1,
        }

        page.get_by_label("Group by").select_option("device_model")
        page.get_by_role("button", name="Update").click()
        expect(page.get_by_text("Sessions by device_model")).to_be_visible()
        bars = _chart(page, "chart-groups")
        assert bars["labels"] == [row["device_model"] for row in by_model]
        assert bars["values"] == [row["session_count"] for row in by_model]
        expect(page.get_by_role("definition").first).to_have_text(str(len(MODELS)))
    finally:
        context.close()
    assert not console.problems, console.problems
