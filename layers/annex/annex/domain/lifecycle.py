"""Sessions' operations as the handlers ask for them: create, read, change user_metadata, release,
list a session's events, and the sweep of every application. Thin over store/sessions: the rules
that decide a client's answer (a release of an ended session is a 409) are here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from annex import telemetry
from annex.errors import Conflict
from annex.store import sessions as store
from annex.store import tokens


def create(app_id: str, session_id: str, fields: dict[str, Any], user_metadata: Any) -> dict[str, Any]:
    """The new RUNNING session as stored; 409 already_exists."""
    created = store.create(app_id, session_id, fields, user_metadata)
    telemetry.count("SessionsOpened")
    return created


def get(app_id: str, session_id: str) -> dict[str, Any]:
    """The stored session; 404 session_not_found."""
    return store.get(app_id, session_id)


def set_metadata(app_id: str, session_id: str, user_metadata: Any, expected: int | None) -> dict[str, Any]:
    """The session after its user_metadata (and q index entries) became ``user_metadata``."""
    return store.set_metadata(app_id, session_id, user_metadata, expected)


def release(app_id: str, session_id: str, timeout_ms: int, expected: int | None) -> dict[str, Any]:
    """The session after RUNNING → COMPLETED (a COMPLETED one as it is); an ERROR or TIMED_OUT
    session cannot be released: 409 session_ended."""
    released = store.release(app_id, session_id, timeout_ms, expected)
    if released.ended is not None:
        raise Conflict(f"The session has ended ({released.ended})", code="session_ended")
    return released.session


def events(app_id: str, session_id: str, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the session's stored events, oldest first, and the next page's cursor; 404 for a
    session that does not exist (read only when the page is empty: events exist only for sessions)."""
    from annex.domain import session_search  # the cursor codec; here: opening a session does not load the search

    found, after = store.events_page(app_id, session_id, limit, session_search.decode_event_cursor(cursor))
    if not found:
        store.get(app_id, session_id)
    return found, session_search.encode_event_cursor(after)


SWEEP_BUDGET = 500  # sessions one application may have timed out in one run; the rest wait for the next
MIN_MS_LEFT = 5_000  # a run stops starting applications when its function has less time than this left


@dataclass
class Sweep:
    """What a run did: sessions timed out, applications it left idle sessions of (their budget
    ended), applications whose sweep failed, and the application the next run starts at."""

    timed_out: int = 0
    unfinished: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    resume: str | None = None


def sweep(timeout_ms: int, time_left_ms: Callable[[], int] = lambda: 10**9, budget: int = SWEEP_BUDGET) -> Sweep:
    """Store TIMED_OUT on sessions idle past the timeout, fairly: each application gets at most
    ``budget`` a run, one application's error (a throttle, say) is reported and the others go on,
    and the run starts where the last one stopped (or one application later when it went round),
    so no application always waits for the ones before it."""
    apps = sorted(tokens.application_ids())
    start = store.sweep_cursor()
    first = next((i for i, app_id in enumerate(apps) if start is not None and app_id >= start), 0)
    order = apps[first:] + apps[:first]
    done = Sweep(resume=order[1] if len(order) > 1 else None)
    for app_id in order:
        if time_left_ms() < MIN_MS_LEFT:
            done.resume = app_id
            break
        try:
            swept, more = store.sweep(app_id, timeout_ms, budget=budget)
        except Exception:
            logging.getLogger(__name__).exception("The timeout sweep of %s failed", app_id)
            done.failed.append(app_id)
            continue
        done.timed_out += swept
        if more:
            done.unfinished.append(app_id)
    store.keep_sweep_cursor(done.resume)
    telemetry.count("SessionsTimedOut", done.timed_out)
    return done
