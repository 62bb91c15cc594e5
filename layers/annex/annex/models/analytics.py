"""The answer of ``GET /sessions/analytics`` (SPEC "Analytics"); its ``filters`` and ``group_by``
parameters are parsed in ``api/filters.py``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AnalyticsRow(BaseModel):
    """A group's values (one field per ``group_by`` attribute, ``"other"`` for the folded groups)
    and its metrics."""

    model_config = ConfigDict(extra="allow")

    session_count: int
    session_unique_user_count: int
    session_new_users_count: int
    avg_session_duration: float
    avg_session_gesture_count: float
    avg_session_rage_gesture_count: float
    avg_session_screen_count: float
    avg_session_unique_screen_count: float
    crash_rate: float


class AnalyticsAnswer(BaseModel):
    """``{"success": true, "data": [row, …]}``."""

    success: bool
    data: list[AnalyticsRow]
