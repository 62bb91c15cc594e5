"""The ``filters`` and ``group_by`` query parameters: URL-encoded JSON lists, each validated as one
pydantic model (the rules of each entry are ``domain/filters.py``'s and ``domain/analytics.py``'s).

Parsing them yields the domain's conditions and groupings, so this lives in the api layer (which
may import the domain), not in ``models/`` (which may not).

Any problem is 400 ``invalid_filters`` / ``invalid_group_by`` naming the entry: its index and
attribute, and what is wrong with it.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Self

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    RootModel,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from annex.api.params import MAX_PARAM_CHARS
from annex.domain import analytics, filters
from annex.errors import BadRequest
from annex.models import Strict

GroupByParam = Annotated[
    str | None,
    Query(
        max_length=MAX_PARAM_CHARS,
        description='JSON list of {"attribute", "max_group_number"?} (default 50, at most 500)',
    ),
]


AggregationParam = Annotated[
    str | None,
    Query(
        max_length=MAX_PARAM_CHARS,
        description="JSON list of the metrics to compute (default: all); the rows hold only those",
    ),
]
ComparisonParam = Annotated[
    str | None,
    Query(
        max_length=64,
        description="previous_period: each row also holds `previous` (the same group over the equally long"
        " period just before) and `change` ((now - previous) / previous, null when previous is 0)",
    ),
]
PageParam = Annotated[int | None, Query(ge=1, le=1_000_000, description="the page of rows (from 1)")]
PageSizeParam = Annotated[int | None, Query(ge=1, le=1000, description="rows a page (1-1000, default 100)")]
DEFAULT_PAGE_SIZE = 100
COMPARISONS = ("previous_period",)


class Filter(Strict):
    """One filter: ``{"attribute", "operator", "value"}``."""

    attribute: Annotated[StrictStr, Field(max_length=512)]
    operator: Annotated[StrictStr, Field(max_length=64)]
    value: Any = None
    _condition: filters.Condition | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _fits(self) -> Self:
        self._condition = filters.condition(self.attribute, self.operator, self.value)
        return self

    @property
    def condition(self) -> filters.Condition:
        assert self._condition is not None
        return self._condition


class Listed[T](RootModel[T]):
    """A parameter's list, validated as one model built on first use (as ``annex.models.Model``):
    not at a cold start, which no analytics request needs parsed yet."""

    model_config = ConfigDict(defer_build=True)


class Filters(Listed[Annotated[list[Filter], Field(max_length=filters.MAX_FILTERS)]]):
    """The filter list; all of its filters must hold."""

    def conditions(self) -> list[filters.Condition]:
        return [f.condition for f in self.root]


class GroupBy(Strict):
    """One ``group_by`` entry: ``{"attribute", "max_group_number"?}``."""

    attribute: Annotated[StrictStr, Field(max_length=512)]
    max_group_number: Annotated[StrictInt, Field(ge=1, le=analytics.MAX_GROUPS)] = analytics.DEFAULT_GROUPS
    _grouping: analytics.Grouping | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _fits(self) -> Self:
        self._grouping = analytics.grouping(self.attribute, self.max_group_number)
        return self

    @property
    def grouping(self) -> analytics.Grouping:
        assert self._grouping is not None
        return self._grouping


class GroupBys(Listed[Annotated[list[GroupBy], Field(max_length=analytics.MAX_GROUP_BY)]]):
    @model_validator(mode="after")
    def _distinct(self) -> Self:
        names = [g.attribute for g in self.root]
        if len(set(names)) != len(names):
            raise ValueError("an attribute appears twice")
        return self

    def groupings(self) -> list[analytics.Grouping]:
        return [g.grouping for g in self.root]


def _json(text: str, name: str, code: str) -> Any:
    """JSON as a query parameter may hold it: finite numbers, no NaN or Infinity."""

    def refuse(constant: str) -> Any:
        raise BadRequest(f"{name}: {constant} is not a JSON number", code=code)

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            raise BadRequest(f"{name}: {number[:20]} is out of the range of a JSON number", code=code)
        return value

    if len(text) > MAX_PARAM_CHARS:
        raise BadRequest(f"{name} is longer than {MAX_PARAM_CHARS} characters", code=code)
    try:
        value = json.loads(text, parse_constant=refuse, parse_float=finite)
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # keys and values become DynamoDB strings
    except json.JSONDecodeError as err:
        raise BadRequest(f"{name} is not valid JSON (character {err.pos + 1}): {err.msg}", code=code) from None
    except UnicodeEncodeError:
        raise BadRequest(f"{name} has a string that is not valid Unicode", code=code) from None
    except (ValueError, RecursionError):  # an integer of thousands of digits; nesting too deep
        raise BadRequest(f"{name} holds a number too large or nests too deeply", code=code) from None
    return value


def _describe(name: str, parsed: Any, err: ValidationError) -> str:
    """The first problems, each naming its entry: ``filters[1] (device_model): …``."""
    parts = []
    for error in err.errors()[:3]:
        loc = list(error.get("loc", ()))
        where = name
        first = loc[0] if loc else None
        if isinstance(first, int):
            index = first
            loc.pop(0)
            where = f"{name}[{index}]"
            entry = parsed[index] if isinstance(parsed, list) and index < len(parsed) else None
            if isinstance(entry, dict) and isinstance(entry.get("attribute"), str):
                where += f" ({entry['attribute'][:80]})"
        if loc:
            where += "." + ".".join(str(part) for part in loc)
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts) or f"{name} is invalid"


def parse_filters(text: str | None) -> list[filters.Condition]:
    """The ``filters`` parameter as checked conditions (none when absent)."""
    if text is None:
        return []
    parsed = _json(text, "filters", "invalid_filters")
    try:
        return Filters.model_validate(parsed).conditions()
    except ValidationError as err:
        raise BadRequest(_describe("filters", parsed, err), code="invalid_filters") from None


def parse_group_by(text: str | None) -> list[analytics.Grouping]:
    """The ``group_by`` parameter as groupings (none when absent: one row)."""
    if text is None:
        return []
    parsed = _json(text, "group_by", "invalid_group_by")
    try:
        return GroupBys.model_validate(parsed).groupings()
    except ValidationError as err:
        raise BadRequest(_describe("group_by", parsed, err), code="invalid_group_by") from None


class Aggregation(Listed[Annotated[list[StrictStr], Field(min_length=1, max_length=len(analytics.METRICS))]]):
    """The metrics to compute, each once."""

    @model_validator(mode="after")
    def _known(self) -> Self:
        for name in self.root:
            if name not in analytics.METRICS:
                raise ValueError(f"unknown metric {name[:80]!r}; use {', '.join(analytics.METRICS)}")
        if len(set(self.root)) != len(self.root):
            raise ValueError("a metric appears twice")
        return self


def parse_aggregation(text: str | None) -> list[str] | None:
    """The ``aggregation`` parameter as metric names, in the order of the SPEC (None: all)."""
    if text is None:
        return None
    parsed = _json(text, "aggregation", "invalid_aggregation")
    try:
        chosen = set(Aggregation.model_validate(parsed).root)
    except ValidationError as err:
        raise BadRequest(_describe("aggregation", parsed, err), code="invalid_aggregation") from None
    return [m for m in analytics.METRICS if m in chosen]


def parse_comparison(text: str | None) -> bool:
    """Whether ``comparison`` asks for the previous period (absent: no comparison)."""
    if text is None:
        return False
    if text not in COMPARISONS:
        raise BadRequest(f"comparison {text[:40]!r} is not one of {', '.join(COMPARISONS)}", code="invalid_comparison")
    return True
