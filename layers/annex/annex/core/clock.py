"""The one clock: wall time in milliseconds (and microseconds for record versions), and UTC days.

Every layer reads the time here, so a test or a tool that needs another "now" has one place to
replace, and no two modules disagree about what a millisecond or a UTC day is.
"""

from __future__ import annotations

import datetime
import functools
import time

DAY_MS = 86_400_000


def now_ms() -> int:
    """Milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def now_us() -> int:
    """Microseconds since the epoch."""
    return time.time_ns() // 1_000


@functools.lru_cache(maxsize=8192)
def utc_date(day: int) -> str:
    """``YYYY-MM-DD`` of a day number (days since 1970-01-01)."""
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=day)).isoformat()


def day_of(at_ms: int) -> str:
    """The UTC day of a time in milliseconds, ``YYYY-MM-DD`` (cached: analytics asks per session)."""
    return utc_date(at_ms // DAY_MS)
