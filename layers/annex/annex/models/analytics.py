"""The answer of ``GET /sessions/analytics`` (SPEC "Analytics"); its ``filters`` and ``group_by``
parameters are parsed in ``api/filters.py``."""

from pydantic import ConfigDict

from annex.models import Model


class AnalyticsRow(Model):
    """A group's values (one field per ``group_by`` attribute, ``"other"`` for the folded groups)
    and its metrics (those ``aggregation`` names; all by default); with ``comparison`` the same
    metrics over the previous period (``previous``) and their relative ``change``."""

    model_config = ConfigDict(extra="allow")

    session_count: int | None = None
    session_unique_user_count: int | None = None
    session_new_users_count: int | None = None
    avg_session_duration: float | None = None
    avg_session_gesture_count: float | None = None
    avg_session_rage_gesture_count: float | None = None
    avg_session_responsive_gesture_count: float | None = None
    avg_session_unresponsive_gesture_count: float | None = None
    avg_session_screen_count: float | None = None
    avg_session_unique_screen_count: float | None = None
    crash_rate: float | None = None
    previous: dict[str, float] | None = None
    change: dict[str, float | None] | None = None


class AnalyticsAnswer(Model):
    """``{"success": true, "data": [row, …]}``, and with ``page`` or ``page_size`` the page's
    ``page``, ``page_size`` and ``total_rows``."""

    success: bool
    data: list[AnalyticsRow]
    page: int | None = None
    page_size: int | None = None
    total_rows: int | None = None
