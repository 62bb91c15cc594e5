"""Analytics endpoint group: GET /sessions/analytics, aggregates of the sessions a filter list selects.

Its own function: it reads up to ANALYTICS_MAX_SESSIONS sessions in one request from DynamoDB, and
sends larger ranges to the columnar engine (Athena in AWS, DuckDB under make run), so it has more
memory (CPU) and API Gateway's longest wait, and only read access to the table and the copy.
The ``X-Annex-Engine`` header says which engine answered (``dynamodb``, ``athena`` or ``duckdb``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from annex import api, telemetry
from annex.api.exchange import with_headers
from annex.api.filters import (
    DEFAULT_PAGE_SIZE,
    AggregationParam,
    ComparisonParam,
    GroupByParam,
    PageParam,
    PageSizeParam,
    parse_aggregation,
    parse_comparison,
    parse_filters,
    parse_group_by,
)
from annex.api.params import FiltersParam
from annex.config import settings
from annex.core.clock import now_ms
from annex.domain import columnar
from annex.models.analytics import AnalyticsAnswer

app = api.create_app()


# The answer is built as a dict so each row shows its group values first, as its metrics follow
# them in the SPEC.
@app.get(
    "/sessions/analytics",
    tags=["sessions"],  # a sessions operation for API readers and the generated client (annex_client.api.sessions)
    responses={200: {"description": "Rows by group", "content": {"application/json": {"model": AnalyticsAnswer}}}},
)
def session_analytics(
    filters: FiltersParam = None,
    group_by: GroupByParam = None,
    aggregation: AggregationParam = None,
    comparison: ComparisonParam = None,
    page: PageParam = None,
    page_size: PageSizeParam = None,
) -> Response[Any]:
    conditions, groups = parse_filters(filters), parse_group_by(group_by)
    metrics, compare = parse_aggregation(aggregation), parse_comparison(comparison)
    max_sessions = settings().analytics_max_sessions
    rows, served = columnar.answer(api.tenant(app), conditions, groups, now_ms(), max_sessions, metrics, compare)
    telemetry.count("AnalyticsSessions", sum(int(row.get("session_count", 0)) for row in rows))
    body: dict[str, Any] = {"success": True, "data": rows}
    if page is not None or page_size is not None:
        number, size = page or 1, page_size or DEFAULT_PAGE_SIZE
        body = {"success": True, "data": rows[(number - 1) * size : number * size]}
        body |= {"page": number, "page_size": size, "total_rows": len(rows)}
    return with_headers(body, {"X-Annex-Engine": served})


lambda_handler = api.lambda_handler(app)
