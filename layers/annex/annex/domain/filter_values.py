"""The values of session filters (SPEC "Filters"): each checker takes what a client sent and answers
it in its checked form, or raises ValueError with a message for the client (``filters.condition``
names the entry)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from typing import Any

from annex.core.clock import DAY_MS

MAX_VALUES = 100
MAX_TEXT = 1024
MIN_MS, MAX_MS = 0, 9_999_999_999_998  # created_at is stored as 13 digits


def text(value: Any, what: str = "the value") -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{what} is longer than {MAX_TEXT} characters")
    return value


def number(value: Any, what: str = "the value") -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number")
    return value


def scalar(value: Any, what: str = "the value") -> str | int | float | bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return text(value, what)
    if isinstance(value, int | float):
        return number(value, what)
    raise ValueError(f"{what} must be a string, number, boolean or null")


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ValueError("the value must be true or false")


def many(value: Any, one: Callable[[Any, str], Any]) -> tuple[Any, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_VALUES:
        raise ValueError(f"the value must be a list of 1 to {MAX_VALUES} values")
    return tuple(one(v, f"value[{i}]") for i, v in enumerate(value))


def bounds(value: Any) -> tuple[int | float, int | float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("the value must be [lower, upper]")
    low, high = number(value[0], "the lower bound"), number(value[1], "the upper bound")
    if low > high:
        raise ValueError("the lower bound is above the upper bound")
    return low, high


def instant(raw: Any, what: str, *, end_of_day: bool) -> int:
    """An ISO 8601 date or time as Unix ms (UTC without an offset; a date alone is its first
    millisecond, or its last with ``end_of_day``), clamped to what created_at can hold."""
    text(raw, what)
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{what} is not an ISO 8601 date or time (e.g. 2024-05-01T00:00:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    date_only = len(raw) <= 10
    try:
        ms = math.floor(moment.timestamp() * 1000)
    except (OverflowError, ValueError):
        raise ValueError(f"{what} is out of range") from None
    if date_only and end_of_day:
        ms += DAY_MS - 1
    return max(MIN_MS, min(MAX_MS, ms))


def dates(value: Any) -> tuple[int, int]:
    if not isinstance(value, dict) or set(value) != {"lower", "upper"}:
        raise ValueError('the value must be {"lower": ISO 8601, "upper": ISO 8601}')
    low = instant(value["lower"], "lower", end_of_day=False)
    high = instant(value["upper"], "upper", end_of_day=True)
    if low > high:
        raise ValueError("lower is after upper")
    return low, high
