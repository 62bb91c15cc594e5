"""Analytics rules without I/O: time buckets, the folding of groups into "other", row order."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from annex.core.clock import day_of
from annex.domain import analytics
from annex.domain.analytics import aggregate, grouping, month_of, week_of


def _ms(text: str) -> int:
    return int(datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC).timestamp() * 1000)


@pytest.mark.parametrize(
    ("at", "day", "week", "month"),
    [
        ("2024-02-29T23:59:59.999", "2024-02-29", "2024-02-26", "2024-02"),  # leap day, a Thursday
        ("2024-03-01T00:00:00", "2024-03-01", "2024-02-26", "2024-03"),  # a month ends inside a week
        ("2024-03-03T23:59:59.999", "2024-03-03", "2024-02-26", "2024-03"),  # Sunday: still that week
        ("2024-03-04T00:00:00", "2024-03-04", "2024-03-04", "2024-03"),  # Monday starts the next
        ("2023-12-31T12:00:00", "2023-12-31", "2023-12-25", "2023-12"),
        ("2024-01-01T00:00:00", "2024-01-01", "2024-01-01", "2024-01"),  # a Monday, a new year
        ("1970-01-01T00:00:00", "1970-01-01", "1969-12-29", "1970-01"),  # day 0 was a Thursday
    ],
)
def test_time_groups_are_utc_days_monday_weeks_and_months(at: str, day: str, week: str, month: str) -> None:
    assert (day_of(_ms(at)), week_of(_ms(at)), month_of(_ms(at))) == (day, week, month)


def _session(model: str | None, user: str | None, gestures: int, **extra: Any) -> dict[str, Any]:
    return (
        {"device": {"model": model}, "created_at": 0, "gesture_count": gestures}
        | ({"user_id": user} if user else {})
        | extra
    )


def test_groups_past_the_limit_fold_into_one_last_row_from_their_sums() -> None:
    sessions = (
        [_session("a", f"u{i}", 1) for i in range(5)]
        + [_session("b", "u0", 2) for _ in range(4)]
        + [_session("c", "u1", 10, status="ERROR", session_number=1)]  # one session averaging 10
        + [_session("d", "u1", 0) for _ in range(3)]  # three averaging 0
        + [_session(None, "u9", 3)]
    )
    rows = aggregate(sessions, [grouping("device_model", 2)])
    assert [(r["device_model"], r["session_count"]) for r in rows] == [("a", 5), ("b", 4), ("other", 5)]
    other = rows[-1]
    assert other["avg_session_gesture_count"] == pytest.approx(13 / 5)  # pooled; averaging rows says 13/3
    assert other["session_unique_user_count"] == 2  # u1 in c and d counts once, plus u9
    assert other["session_new_users_count"] == 1 and other["crash_rate"] == pytest.approx(1 / 5)


def test_ties_are_ordered_by_value_null_first_and_rows_without_sessions_do_not_exist() -> None:
    rows = aggregate(
        [_session("b", None, 0), _session("a", None, 0), _session(None, None, 0)], [grouping("device_model")]
    )
    assert [r["device_model"] for r in rows] == [None, "a", "b"]
    assert all(r["session_unique_user_count"] == 0 for r in rows)
    assert aggregate([], [grouping("device_model")]) == []
    (empty,) = aggregate([], [])
    assert empty["session_count"] == 0 and empty["avg_session_duration"] == 0


def test_several_group_by_fold_each_attribute_and_rows_with_other_come_last() -> None:
    pairs = [("a", "X"), ("a", "X"), ("a", "Y"), ("b", "X"), ("c", "Z"), ("a", "X")]
    sessions = [_session(model, None, 0, location={"country": country}) for model, country in pairs]
    rows = aggregate(sessions, [grouping("device_model", 1), grouping("device_country", 2)])
    assert [(r["device_model"], r["device_country"], r["session_count"]) for r in rows] == [
        ("a", "X", 3),
        ("a", "Y", 1),
        ("other", "X", 1),
        ("other", "other", 1),
    ]


def test_user_metadata_groups_keep_json_types_apart() -> None:
    sessions = [{"created_at": 0, "user_metadata": {"tier": v}} for v in (1, "1", 1, None, [1])] + [{"created_at": 0}]
    rows = aggregate(sessions, [grouping("user_metadata.tier")])
    assert [(r["user_metadata.tier"], r["session_count"]) for r in rows] == [(None, 2), (1, 2), ("1", 1), ([1], 1)]


def test_past_max_rows_the_rest_joins_the_all_other_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analytics, "MAX_ROWS", 4)
    sessions = [_session(f"m{i}", f"u{i % 3}", i) for i in range(6) for _ in range(6 - i)]  # 6 of m0 .. 1 of m5
    rows = aggregate(sessions, [grouping("device_model", 500), grouping("user_id", 500)])
    assert [(r["device_model"], r["user_id"], r["session_count"]) for r in rows] == [
        ("m0", "u0", 6),
        ("m1", "u1", 5),
        ("m2", "u2", 4),
        ("other", "other", 3 + 2 + 1),  # m3, m4, m5 summed: their averages from the sums
    ]
    assert rows[-1]["avg_session_gesture_count"] == pytest.approx((3 * 3 + 4 * 2 + 5 * 1) / 6)
    assert rows[-1]["session_unique_user_count"] == 3
