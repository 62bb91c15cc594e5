"""Query parameter types more than one endpoint group declares (SPEC "Lists")."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

Limit = Annotated[int, Query(ge=1, le=100)]
"""``limit``: a page's size, 1 to 100 (20 when absent)."""

Cursor = Annotated[str | None, Query(max_length=2048)]
"""``next``: the cursor a previous page answered."""

Q = Annotated[str | None, Query(max_length=4096)]
"""``q``: a search expression (SPEC "q")."""

MAX_PARAM_CHARS = 4_096  # each of filters= and group_by=; API Gateway takes URLs of at most 8,192 characters

FiltersParam = Annotated[
    str | None,
    Query(
        max_length=MAX_PARAM_CHARS,
        description='JSON list of {"attribute", "operator", "value"}, all of which must hold (SPEC "Filters")',
    ),
]
"""``filters``: parsed by ``annex.api.filters.parse_filters`` (sessions and analytics)."""
