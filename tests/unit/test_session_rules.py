"""Session rules: the timeout at read time, and how a batch is sorted into per-session deltas."""

from __future__ import annotations

from typing import Any

from annex.domain.sessions import FUTURE_SKEW_MS, MAX_EVENTS_PER_WRITE, plan, view

NOW = 1_800_000_000_000
DAY = 86_400_000


def _stored(**fields: Any) -> dict[str, Any]:
    return {
        "id": "s",
        "status": "RUNNING",
        "created_at": NOW - 10,
        "updated_at": NOW - 10,
        "active_at": NOW - 10,
    } | fields


def test_a_running_session_reads_timed_out_once_idle_for_the_timeout() -> None:
    assert view(_stored(), NOW, 11)["status"] == "RUNNING"
    timed_out = view(_stored(), NOW, 10)
    assert (timed_out["status"], timed_out["ended_at"]) == ("TIMED_OUT", NOW)
    assert view(_stored(status="COMPLETED", ended_at=NOW - 5), NOW, 1)["status"] == "COMPLETED"


def test_view_derives_counts_duration_and_sorted_names() -> None:
    shown = view(
        _stored(first_event_at=NOW - 4000, last_event_at=NOW - 1500, screen_set_count=2, event_name_set={"z", "y"}),
        NOW,
        10_000,
    )
    assert (shown["duration_s"], shown["unique_screen_count"], shown["event_names"]) == (2.5, 2, ["y", "z"])


def _event(session: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"session_id": session, "type": kind, "timestamp": NOW} | fields


def test_plan_groups_by_session_in_batch_order_and_counts() -> None:
    batch = [
        _event("a", "screen", name="home"),
        _event("b", "track", name="buy"),
        _event("a", "gesture", properties={"rage": True}),
        _event("a", "screen", name="cart", timestamp=NOW - 50),
        _event("a", "gesture", properties={"rage": "yes", "responsive": False}),
    ]
    sorted_out = plan(list(enumerate(batch)), NOW, DAY * 90)
    [a], [b] = sorted_out.deltas["a"], sorted_out.deltas["b"]
    assert a.indexes == [0, 2, 3, 4] and b.indexes == [1]
    assert a.counts == {
        "event_count": 4,
        "screen_count": 2,
        "gesture_count": 2,
        "rage_gesture_count": 1,
        "responsive_gesture_count": 1,
        "unresponsive_gesture_count": 1,
    }
    assert (a.screens, a.first_at, a.last_at) == (["home", "cart"], NOW - 50, NOW)
    assert b.event_names == {"buy"}


def test_a_sessions_share_is_split_into_writes_a_transaction_can_hold() -> None:
    batch = [_event("a", "screen", name=f"s{i}", user_id="u" if i == 90 else None) for i in range(100)]
    batch.insert(50, _event("a", "screen", name="other", user_id="v"))  # contradicts the later "u"
    chain = plan(list(enumerate(batch)), NOW, DAY * 90).deltas["a"]
    # each event brings a new name: the names a write adds are one item whatever their number
    assert [len(d.events) for d in chain] == [MAX_EVENTS_PER_WRITE, 100 - MAX_EVENTS_PER_WRITE]
    same = [_event("a", "screen", name="home") for _ in range(100)]  # one name: events alone decide
    assert [len(d.events) for d in plan(list(enumerate(same)), NOW, DAY * 90).deltas["a"]] == [
        MAX_EVENTS_PER_WRITE,
        100 - MAX_EVENTS_PER_WRITE,
    ]
    assert [i for d in chain for i in d.indexes] == [i for i in range(101) if i != 91]  # index 91: user u


def test_plan_rejects_what_no_write_can_accept() -> None:
    batch = [
        _event("a", "track"),  # no name
        _event("a", "screen", timestamp=NOW + FUTURE_SKEW_MS + 1),
        _event("a", "screen", timestamp=NOW - DAY * 90 - 1),
        _event("a", "identify"),  # no user: it merges properties only (none here)
        _event("a", "identify", user_id="u", properties={"x": "y" * 600}),
        _event("a", "crash"),
        _event("a", "screen", name="after-crash"),
        _event("b", "screen", user_id="u1"),
        _event("b", "screen", user_id="u2"),
    ]
    sorted_out = plan(list(enumerate(batch)), NOW, DAY * 90)
    codes = {r["index"]: r["code"] for r in sorted_out.rejected}
    assert codes == {
        0: "invalid_event",
        1: "invalid_timestamp",
        2: "invalid_timestamp",
        4: "invalid_event",
        6: "session_ended",
        8: "user_mismatch",
    }
    assert sorted_out.deltas["a"][-1].crashed_at == NOW and sorted_out.deltas["b"][0].user_id == "u1"


def test_identify_merges_top_level_keys_and_context_fills_what_is_unset() -> None:
    context = {"device": {"model": "m", "os_name": None}, "page": {"utm": {"source": "a"}}}
    batch = [
        _event("a", "identify", properties={"x": 1, "y": 2}),
        _event("a", "identify", properties={"y": 3}, context=context),
        _event("a", "screen", name="s", context={"device": {"model": "later", "type": "phone"}, "page": {}}),
    ]
    [delta] = plan(list(enumerate(batch)), NOW, DAY).deltas["a"]
    assert delta.identify and delta.user_metadata == {"x": 1, "y": 3} and delta.user_id is None
    assert delta.context == {"device": {"model": "m", "type": "phone"}, "page": {"utm": {"source": "a"}}}


def test_without_user_keeps_only_the_events_that_name_no_user() -> None:
    batch = [_event("a", "screen", name="x"), _event("a", "track", name="t", user_id="u"), _event("a", "gesture")]
    [delta] = plan(list(enumerate(batch)), NOW, DAY).deltas["a"]
    rest = delta.without_user()
    assert (rest.indexes, rest.user_id, rest.event_names) == ([0, 2], None, set())
    assert rest.counts == {"event_count": 2, "screen_count": 1, "gesture_count": 1, "responsive_gesture_count": 1}
