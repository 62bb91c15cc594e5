"""The timeout sweep across applications (moto): a budget per application, a resume cursor, and
one application's error reported while the others are still swept."""

from __future__ import annotations

from typing import Any

import pytest

from admin.applications import register
from annex.core.clock import now_ms
from annex.domain import lifecycle
from annex.store import sessions as store

HOUR_MS = 3_600_000


def _idle(app_id: str, count: int) -> None:
    register(app_id, app_id, f"token-of-{app_id}")
    for n in range(count):
        store.create(app_id, f"s{n}", {}, None, created_at=now_ms() - 2 * HOUR_MS)


def _running(app_id: str, count: int) -> int:
    return sum(store.get(app_id, f"s{n}")["status"] == "RUNNING" for n in range(count))


def test_each_application_gets_a_budget_and_the_rest_waits_for_the_next_run(moto_table: Any) -> None:
    _idle("app-a", 5)
    _idle("app-b", 2)
    first = lifecycle.sweep(HOUR_MS, budget=2)
    assert (first.timed_out, first.unfinished, first.failed) == (4, ["app-a"], [])
    assert (_running("app-a", 5), _running("app-b", 2)) == (3, 0)
    lifecycle.sweep(HOUR_MS, budget=2)
    lifecycle.sweep(HOUR_MS, budget=2)
    assert _running("app-a", 5) == 0


def test_one_applications_error_does_not_stop_the_others(moto_table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _idle("app-a", 1)
    _idle("app-b", 1)
    sweep = store.sweep

    def throttled(app_id: str, *args: Any, **kwargs: Any) -> tuple[int, bool]:
        if app_id == "app-a":
            raise RuntimeError("ProvisionedThroughputExceededException")
        return sweep(app_id, *args, **kwargs)

    monkeypatch.setattr(store, "sweep", throttled)
    done = lifecycle.sweep(HOUR_MS)
    assert (done.timed_out, done.failed) == (1, ["app-a"])
    assert (_running("app-a", 1), _running("app-b", 1)) == (1, 0)


def test_a_run_out_of_time_resumes_where_it_stopped(moto_table: Any) -> None:
    for app_id in ("app-a", "app-b", "app-c"):
        _idle(app_id, 1)
    left = iter([60_000, 0])  # time for one application only
    stopped = lifecycle.sweep(HOUR_MS, lambda: next(left, 0))
    assert (stopped.timed_out, stopped.resume) == (1, "app-b")
    assert [_running(a, 1) for a in ("app-a", "app-b", "app-c")] == [0, 1, 1]
    resumed = lifecycle.sweep(HOUR_MS)  # starts at app-b, goes round
    assert resumed.timed_out == 2 and resumed.resume == "app-c"  # the next run starts one later
