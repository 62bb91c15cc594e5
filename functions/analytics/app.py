"""Analytics endpoint group: GET /sessions/analytics, aggregates of the sessions a filter list selects.

Its own function: it reads up to ANALYTICS_MAX_SESSIONS sessions in one request, so it has more
memory (CPU) and API Gateway's longest wait, and only read access to the table.
"""

from __future__ import annotations

from typing import Any

from annex import api, telemetry
from annex.api.filters import FiltersParam, GroupByParam, parse_filters, parse_group_by
from annex.config import settings
from annex.core.clock import now_ms
from annex.domain import analytics
from annex.models.analytics import AnalyticsAnswer

app = api.create_app()


# The answer is built as a dict so each row shows its group values first, as its metrics follow
# them in the SPEC.
@app.get(
    "/sessions/analytics",
    tags=["sessions"],  # a sessions operation for API readers and the generated client (annex_client.api.sessions)
    responses={200: {"description": "Rows by group", "content": {"application/json": {"model": AnalyticsAnswer}}}},
)
def session_analytics(filters: FiltersParam = None, group_by: GroupByParam = None) -> dict[str, Any]:
    conditions, groups = parse_filters(filters), parse_group_by(group_by)
    rows = analytics.run(api.tenant(app), conditions, groups, now_ms(), settings().analytics_max_sessions)
    telemetry.count("AnalyticsSessions", sum(int(row["session_count"]) for row in rows))
    return {"success": True, "data": rows}


lambda_handler = api.lambda_handler(app)
