"""q is served from the index: the items it reads follow the matches, not the application's size."""

from __future__ import annotations

from typing import Any

import pytest

from annex.core.clock import now_ms
from annex.domain import session_search
from annex.store import sessions
from local.instrument import DynamoCalls

APP = "app-q-reads"
MATCHES = 6
QUERIES = [
    "user_metadata['plan']:'gold'",
    "user_metadata['score']>=1000",
    "user_metadata['country']:'FR' AND user_metadata['plan']:'gold'",  # the broad clause first
    "user_metadata['tags']:'vip' AND -user_metadata['plan']:'free'",
]


def _create(first: int, count: int) -> None:
    for i in range(first, first + count):
        gold = i < MATCHES
        sessions.create(
            APP,
            f"s{i:05d}",
            {},
            {
                "plan": "gold" if gold else "free",
                "score": 1000 + i if gold else i % 1000,
                "country": "FR" if gold or i % 2 else "DE",
                "tags": ["vip", "beta"] if gold else ["beta"],
            },
        )


def _reads(q: str) -> tuple[list[str], int]:
    with DynamoCalls() as calls:
        found, cursor = session_search.list_sessions(APP, 100, None, None, q, [], now_ms(), 3_600_000)
    assert cursor is None
    return [s["id"] for s in found], calls.items_read


@pytest.mark.parametrize("q", QUERIES)
def test_items_read_stay_flat_as_non_matching_sessions_grow(moto_table: Any, q: str) -> None:
    _create(0, 40)
    small_ids, small_reads = _reads(q)
    _create(40, 400)
    large_ids, large_reads = _reads(q)
    expected = sorted((f"s{i:05d}" for i in range(MATCHES)), reverse=True)
    assert sorted(small_ids, reverse=True) == sorted(large_ids, reverse=True) == expected
    # Eleven times the sessions: at most one probe page more (a probe cut short where it ran out before).
    assert large_reads <= small_reads + session_search.PROBE
    assert large_reads <= 4 * session_search.PROBE + 2 * MATCHES  # a probe, the lead's entries, the sessions
