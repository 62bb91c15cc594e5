"""The web console used as a person would: sign in, query sessions, read a timeline, browse users and
channels, build filters and read analytics charts; each answer on screen is checked against the API's."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Console, Seeded

pytestmark = pytest.mark.browser


def _first_cells(page: Any, table: str) -> Any:
    return page.get_by_role("table", name=table).locator("tbody tr td:first-child")


def _pairs(page: Any, table: str) -> dict[str, str]:
    rows = page.get_by_role("table", name=table).locator("tbody tr")
    expect(rows.first).to_be_visible()
    found: list[list[str]] = rows.evaluate_all(
        "rows => rows.map(r => [r.cells[0].textContent, r.cells[1].textContent])"
    )
    return dict((key, value) for key, value in found)


def _ids(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [session["id"] for session in answer.json()["data"]]


def test_the_token_is_entered_once_and_kept_in_the_tab_only(console: Console, seeded: Seeded) -> None:
    page = console.open()
    page.get_by_label("API token").fill("not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Missing or unknown Api-Token")

    page.get_by_label("API token").fill(seeded.token)
    page.get_by_role("button", name="Sign in").click()
    expect(_first_cells(page, "Sessions").first).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('annex.token')") == seeded.token
    assert page.evaluate("localStorage.length") == 0 and page.context.cookies() == []
    assert not [url for url in console.requests if seeded.token in url], "the token went into a URL"

    page.reload()  # the same tab keeps it: no second sign-in
    expect(_first_cells(page, "Sessions").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API token")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def test_a_q_query_lists_exactly_the_matching_sessions_and_a_malformed_one_shows_the_error(
    console: Console, seeded: Seeded
) -> None:
    page = console.sign_in(seeded.token)
    query = "user_metadata['plan']:'pro' AND user_metadata['age']>=26"
    expected = _ids(seeded.api.get("/sessions", params={"q": query}))
    assert sorted(expected) == ["visit-3", "visit-5"]  # pro: visit-1, 3, 5 (ages 20, 26, 32)

    page.get_by_label("Query (q)").fill(query)
    page.get_by_role("button", name="Search").click()
    expect(_first_cells(page, "Sessions")).to_have_text(expected)  # exactly these, newest first
    console.screenshot("sessions")

    malformed = "user_metadata['plan']:pro"
    answer = seeded.api.get("/sessions", params={"q": malformed})
    assert answer.status_code == 400
    page.get_by_label("Query (q)").fill(malformed)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text(answer.json()["message"])
    expect(page.get_by_role("table", name="Sessions")).to_have_count(0)
    console.screenshot("sessions-error")


def test_a_session_shows_its_events_oldest_first_page_after_page(console: Console, seeded: Seeded) -> None:
    page = console.sign_in(seeded.token)
    page.get_by_role("link", name=seeded.journey, exact=True).click()
    names = page.get_by_role("list", name="Events").locator(".event-name")
    expect(names).to_have_text(seeded.journey_events[:20])  # the first page: 20, oldest first
    more = page.get_by_role("button", name="Load more events")
    more.click()
    expect(names).to_have_text(seeded.journey_events)
    expect(more).to_be_hidden()
    times = (
        page.get_by_role("list", name="Events")
        .locator("time")
        .evaluate_all("items => items.map(t => Date.parse(t.getAttribute('datetime')))")
    )
    assert times == sorted(times) and len(times) == 25
    console.screenshot("session")


def test_users_and_channels_show_their_metadata_metacounters_and_meta(console: Console, seeded: Seeded) -> None:
    page = console.sign_in(seeded.token)
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="alice", exact=True).click()
    alice = seeded.api.get("/users/alice").json()
    assert _pairs(page, "Metadata") == alice["metadata"] == {"plan": "pro", "city": "NYC"}
    assert json.loads(page.get_by_label("Meta", exact=True).text_content()) == alice["meta"]
    own = _ids(seeded.api.get("/users/alice/sessions"))
    expect(_first_cells(page, "Sessions")).to_have_text(own)
    console.screenshot("user")

    page.get_by_role("navigation", name="Views").get_by_role("link", name="Group channels").click()
    page.get_by_role("link", name="team-42", exact=True).click()
    channel = seeded.api.get("/group_channels/team-42").json()
    assert _pairs(page, "Metacounter") == {k: str(v) for k, v in channel["metacounter"].items()}
    assert channel["metacounter"] == {"unread": 7, "mentions": 1}
    assert _pairs(page, "Metadata") == channel["metadata"]
    assert json.loads(page.get_by_label("Meta", exact=True).text_content()) == channel["meta"]
    sent = seeded.api.get("/group_channels/team-42/messages").json()["data"]
    assert [m["message"] for m in sent] == ["Kick-off at 10", "Slides are up"]
    messages = page.get_by_role("table", name="Messages").locator("tbody tr td:nth-child(3)")
    expect(messages).to_have_text([m["message"] for m in sent])  # oldest first, as the API lists them
    console.screenshot("channel")


def test_the_filter_builder_narrows_sessions_and_shows_the_api_400_inline(console: Console, seeded: Seeded) -> None:
    page = console.sign_in(seeded.token)
    page.get_by_role("button", name="Add filter").click()
    page.get_by_label("Filter 1 attribute").select_option("device_model")
    page.get_by_label("Filter 1 operator").select_option("in")
    page.get_by_label("Filter 1 value").fill("Pixel 8, SM-S918B")
    filters = [{"attribute": "device_model", "operator": "in", "value": ["Pixel 8", "SM-S918B"]}]
    expect(page.get_by_label("Filters JSON")).to_have_text(json.dumps(filters, separators=(",", ":")))
    expected = _ids(seeded.api.get("/sessions", params={"filters": json.dumps(filters)}))
    assert sorted(expected) == ["visit-1", "visit-2", "visit-3", "visit-6"]
    page.get_by_role("button", name="Search").click()
    expect(_first_cells(page, "Sessions")).to_have_text(expected)
    console.screenshot("filters")

    page.get_by_label("Filter 1 operator").select_option("greater_than")
    page.get_by_label("Filter 1 value").fill("Pixel 8")
    wrong = [{"attribute": "device_model", "operator": "greater_than", "value": "Pixel 8"}]
    answer = seeded.api.get("/sessions", params={"filters": json.dumps(wrong)})
    assert answer.status_code == 400, answer.text
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text(answer.json()["message"])


def _chart(page: Any, canvas_id: str) -> dict[str, Any]:
    data: dict[str, Any] = page.evaluate(
        """id => {
            const chart = Chart.getChart(document.getElementById(id));
            return {labels: chart.data.labels, values: chart.data.datasets[0].data, type: chart.config.type};
        }""",
        canvas_id,
    )
    return data


def test_analytics_charts_draw_the_api_rows(console: Console, seeded: Seeded) -> None:
    page = console.sign_in(seeded.token)
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Analytics").click()
    page.get_by_label("Group by").select_option("device_model")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Sessions by device_model")).to_be_visible()

    lower, upper = page.get_by_label("From").input_value(), page.get_by_label("To").input_value()
    date_range = {
        "attribute": "date_range",
        "operator": "between_dates",
        "value": {"lower": f"{lower}T00:00:00Z", "upper": f"{upper}T23:59:59.999Z"},
    }

    def rows(group_by: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        params = {"filters": json.dumps([date_range])} | ({"group_by": json.dumps(group_by)} if group_by else {})
        answer = seeded.api.get("/sessions/analytics", params=params)
        assert answer.status_code == 200, answer.text
        assert answer.json()["success"] is True
        found: list[dict[str, Any]] = answer.json()["data"]
        return found

    by_model = rows([{"attribute": "device_model", "max_group_number": 20}])
    assert {row["device_model"]: row["session_count"] for row in by_model} == {
        "Pixel 8": 3,
        "iPhone15,2": 2,
        "SM-S918B": 1,
        None: 1,  # the journey has no device
    }
    bars = _chart(page, "chart-groups")
    assert bars["type"] == "bar"
    assert bars["labels"] == [row["device_model"] or "(not set)" for row in by_model]
    assert bars["values"] == [row["session_count"] for row in by_model]

    by_day = {row["session_uploadedon_day"]: row for row in rows([{"attribute": "session_uploadedon_day"}])}
    series = _chart(page, "chart-series")
    shown = dict(zip(series["labels"], series["values"], strict=True))
    assert {day: count for day, count in shown.items() if count} == {d: r["session_count"] for d, r in by_day.items()}
    days = {
        datetime.datetime.fromtimestamp(s["created_at"] / 1000, datetime.UTC).date().isoformat()
        for s in seeded.sessions.values()
    }
    assert days <= set(series["labels"]) and series["labels"] == sorted(series["labels"])
    crash = _chart(page, "chart-crash-rate")
    assert {day: rate for day, rate in zip(crash["labels"], crash["values"], strict=True) if day in by_day} == {
        day: round(row["crash_rate"] * 100, 2) for day, row in by_day.items()
    }
    (total,) = rows(None)
    assert total["session_count"] == 7 and total["crash_rate"] == pytest.approx(1 / 7)
    summary = page.get_by_role("definition")
    expect(summary.first).to_have_text("7")
    console.screenshot("analytics")

    for period, attribute in (("week", "session_uploaded_week"), ("month", "session_uploaded_month")):
        page.get_by_label("Period").select_option(period)
        page.get_by_role("button", name="Update").click()
        expect(page.get_by_text(f"Sessions per {period}")).to_be_visible()
        chart = _chart(page, "chart-series")
        api_rows = {row[attribute]: row["session_count"] for row in rows([{"attribute": attribute}])}
        assert {k: v for k, v in zip(chart["labels"], chart["values"], strict=True) if v} == api_rows
        assert chart["labels"] == sorted(set(chart["labels"]))
        if period == "week":  # weeks are named by their Monday
            assert {datetime.date.fromisoformat(label).weekday() for label in chart["labels"]} == {0}


def test_analytics_compares_with_the_previous_period_in_a_delta_table(console: Console, seeded: Seeded) -> None:
    page = console.sign_in(seeded.token)
    page.get_by_role("navigation", name="Views").get_by_role("link", name="Analytics").click()
    page.get_by_label("Group by").select_option("device_model")
    page.get_by_label("Compare with the range before").check()
    page.get_by_role("button", name="Update").click()
    table = page.get_by_role("table", name="Sessions compared with the previous period")
    expect(table).to_be_visible()

    lower, upper = page.get_by_label("From").input_value(), page.get_by_label("To").input_value()
    date_range = {
        "attribute": "date_range",
        "operator": "between_dates",
        "value": {"lower": f"{lower}T00:00:00Z", "upper": f"{upper}T23:59:59.999Z"},
    }
    params = {
        "filters": json.dumps([date_range]),
        "group_by": json.dumps([{"attribute": "device_model", "max_group_number": 20}]),
        "comparison": "previous_period",
    }
    answer = seeded.api.get("/sessions/analytics", params=params)
    assert answer.status_code == 200, answer.text

    def change(row: dict[str, Any]) -> str:
        value = row["change"]["session_count"]
        if value is None:
            return "\u2014"
        percent = round(value * 10000) / 100
        return f"{'+' if percent > 0 else ''}{percent:g}%"

    want = [
        [
            row["device_model"] or "(not set)",
            str(row["session_count"]),
            str(row["previous"]["session_count"]),
            change(row),
        ]
        for row in answer.json()["data"]
    ]
    expect(table.locator("tbody tr")).to_have_count(len(want))
    shown = table.locator("tbody tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert shown == want
    # the filter builder offers every attribute of the SPEC
    page.get_by_role("button", name="Add filter").click()
    offered = page.get_by_label("Filter 1 attribute").locator("option").all_text_contents()
    assert {"referer_domain", "user_first_utm", "session_screen_list", "uxcamuserid", "session_has_video"} <= set(
        offered
    )
