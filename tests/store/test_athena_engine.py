"""The Athena engine's plumbing, as far as this machine allows: start, poll and read against moto's
Athena with seeded results (the SQL itself runs on DuckDB in the parity tests), and a failed query,
a scan over the workgroup's limit and a timeout as the SPEC's error bodies, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends

from annex.api.filters import parse_filters, parse_group_by
from annex.domain import columnar, filters
from annex.errors import AnnexError, BadRequest, Unavailable
from annex.store.columnar import Athena

ACCOUNT = "123456789012"  # moto's default account


@pytest.fixture
def athena(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("athena", region_name="us-east-1")
        client.create_work_group(Name="annex-analytics")
        yield client


def _seed(columns: list[tuple[str, str]], rows: list[list[str | None]]) -> None:
    header = {"Data": [{"VarCharValue": name} for name, _ in columns]}
    data = [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows]
    info = [{"Name": name, "Type": kind} for name, kind in columns]
    athena_backends[ACCOUNT]["us-east-1"].query_results_queue.append(QueryResults([header, *data], info))


FIGURES = [(f"f{i}", "bigint") for i in range(11)]  # columnar_sql.FIGURES' order


def test_a_query_is_started_in_the_workgroup_polled_and_read_typed(athena: Any) -> None:
    _seed(
        [("o0", "integer"), ("k0", "varchar"), *FIGURES],
        [
            ["0", "model-a", "3", "2", "1", "9000", "6", "0", "3", "1", "3", "3", "1"],
            ["0", None, "1", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0"],
        ],
    )
    engine = Athena("annex-analytics", "annex_analytics", "sessions", timeout_s=5, client=athena)
    plan = filters.plan(parse_filters(json.dumps([])), default_range=(0, 10**12))
    rows = columnar.run(engine, "app", plan, parse_group_by('[{"attribute": "device_model"}]'))
    assert rows[0]["device_model"] == "model-a" and rows[0]["session_count"] == 3
    assert rows[0]["avg_session_duration"] == 3.0 and rows[0]["crash_rate"] == pytest.approx(1 / 3)
    assert rows[1]["device_model"] is None and rows[1]["session_unique_user_count"] == 1
    executions = athena.list_query_executions(WorkGroup="annex-analytics")["QueryExecutionIds"]
    sql = athena.get_query_execution(QueryExecutionId=executions[0])["QueryExecution"]["Query"]
    assert '"annex_analytics"."sessions"' in sql and "app_id = 'app'" in sql


class _Stuck:
    """An Athena client whose queries end as told (moto's always succeed)."""

    def __init__(self, state: str, reason: str = "") -> None:
        self.state, self.reason, self.stopped = state, reason, False

    def start_query_execution(self, **_: Any) -> dict[str, str]:
        return {"QueryExecutionId": "q1"}

    def get_query_execution(self, **_: Any) -> dict[str, Any]:
        return {"QueryExecution": {"Status": {"State": self.state, "StateChangeReason": self.reason}}}

    def stop_query_execution(self, **_: Any) -> None:
        self.stopped = True


@pytest.mark.parametrize(
    ("state", "reason", "error", "code"),
    [
        ("FAILED", "Query exhausted resources at this scale factor", Unavailable, "analytics_unavailable"),
        ("FAILED", "Bytes scanned limit was exceeded", BadRequest, "range_too_large"),
        ("CANCELLED", "", Unavailable, "analytics_unavailable"),
        ("RUNNING", "", Unavailable, "analytics_timeout"),
    ],
)
def test_failures_answer_the_spec_error_body(state: str, reason: str, error: type[AnnexError], code: str) -> None:
    client = _Stuck(state, reason)
    engine = Athena("wg", "db", "sessions", timeout_s=0, client=client)
    with pytest.raises(error) as raised:
        engine.query("SELECT 1")
    assert raised.value.code == code and raised.value.status in (400, 503)
    assert client.stopped == (state == "RUNNING"), "a query past the timeout is stopped"
