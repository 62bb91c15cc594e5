"""The limits suite's harness: API requests through the functions' handlers, in process, on moto
with the engine's quotas, while ``DynamoQuotas`` measures every DynamoDB request they send.

Each test drives write routes at the API's own maxima (four-byte UTF-8 where the API takes any
character) and fails when any measure comes within ``MARGIN`` of a DynamoDB quota. The worst
measures of the whole run are written to ``.pytest_cache/limits.md`` (the table in
docs/data-model.md, "Quotas at the API's maxima").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from local.gateway import Containers, Gateway, api_event
from local.instrument import DynamoQuotas, Worst
from local.template import Template, load

MARGIN = 0.05  # a measure within 5 % of its quota fails
# Measures allowed closer, up to the quota itself, and why they can never pass it.
CAPPED = {
    "list sort key bytes": "GSI1SK holds a user id or channel url verbatim, so the list is ordered by id: the "
    "API takes at most 255 characters, 1,020 bytes of four-byte UTF-8, within the 1,024 a sort key may have",
    "transaction actions": "a count, not a size: each writer fills transactions up to a constant that is "
    "DynamoDB's 100 itself (an import's BATCH, the sessions' MAX_TRANSACTION_ITEMS), never past it",
}
WIDE = "𝄞"  # four bytes of UTF-8, one character
APP = "limits-app"
GATEWAY = Gateway(Template(load()))
HANDLERS: dict[str, Containers] = {}
WORST: dict[str, dict[str, Worst]] = {}  # test name -> quota -> its worst measure
TABLE = Path(__file__).resolve().parents[2] / ".pytest_cache" / "limits.md"


def wide(characters: int, tag: str = "") -> str:
    """``characters`` characters, all four-byte but the (ASCII) tag that makes them distinct."""
    return tag + WIDE * (characters - len(tag))


class Api:
    """API requests through the handlers, in process; each answer must not be a 5xx."""

    def __init__(self, quotas: DynamoQuotas):
        self.quotas = quotas

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200, 201),
    ) -> Any:
        raw = "/".join(quote(part, safe="") for part in path.split("/"))
        matched = GATEWAY.match(method, raw)
        assert matched is not None, f"no route for {method} {path}"
        route, params = matched
        event = api_event(method, route.path, raw, APP, body, query, params)
        handler = HANDLERS.setdefault(route.function.logical_id, Containers(route.function))
        self.quotas.label = f"{method} {route.path}"
        response = handler.invoke(event)
        self.quotas.label = ""
        answer = json.loads(response["body"]) if response.get("body") else None
        assert response["statusCode"] in expect, (method, path, response["statusCode"], str(answer)[:500])
        return answer


@pytest.fixture
def quotas(moto_table: Any, request: pytest.FixtureRequest) -> Iterator[DynamoQuotas]:
    with DynamoQuotas() as measured:
        yield measured
    WORST[request.node.name] = measured.worst
    near = {
        quota: f"{worst.value} of {worst.quota} ({worst.share:.0%}) in {worst.request}"
        for quota, worst in measured.worst.items()
        if (worst.value > worst.quota if quota in CAPPED else worst.share >= 1 - MARGIN)
    }
    assert not near, f"within {MARGIN:.0%} of a DynamoDB quota: {near}"


@pytest.fixture
def api(quotas: DynamoQuotas) -> Api:
    return Api(quotas)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not WORST:
        return
    quota_names = list(next(iter(WORST.values())))
    lines = ["| case | " + " | ".join(quota_names) + " |", "| --- |" + " ---: |" * len(quota_names)]
    for case, worst in sorted(WORST.items()):
        lines.append(
            f"| {case} | " + " | ".join(f"{worst[q].value:,} ({worst[q].share:.0%})" for q in quota_names) + " |"
        )
    lines.append("")
    lines.append("Worst request per quota:")
    for quota in quota_names:
        case, top = max(((c, w[quota]) for c, w in WORST.items()), key=lambda pair: pair[1].value)
        lines.append(f"- {quota}: {top.value:,} of {top.quota:,} ({top.share:.1%}), {top.request}, in {case}")
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text("\n".join(lines) + "\n")
