"""`make run` prints the functions' EMF figures as one readable line each (local/metrics.py)."""

from __future__ import annotations

import io
import json

from local.metrics import ReadableMetrics, readable

EMF = {
    "_aws": {
        "Timestamp": 1,
        "CloudWatchMetrics": [
            {
                "Namespace": "Annex",
                "Dimensions": [["route", "status_class"]],
                "Metrics": [{"Name": "Requests", "Unit": "Count"}],
            }
        ],
    },
    "route": "GET /users",
    "status_class": "2xx",
    "Requests": [1.0],
}


def test_an_emf_line_reads_as_its_figures_and_dimensions() -> None:
    assert readable(json.dumps(EMF, separators=(",", ":"))) == 'metric Requests=1 route="GET /users" status_class="2xx"'
    assert readable('{"level": "INFO", "message": "request"}') is None


def test_other_lines_pass_through_unchanged() -> None:
    out = io.StringIO()
    stream = ReadableMetrics(out)
    print('{"level":"INFO","message":"request"}', file=stream)
    print(json.dumps(EMF, separators=(",", ":")), file=stream)
    assert out.getvalue().splitlines() == [
        '{"level":"INFO","message":"request"}',
        'metric Requests=1 route="GET /users" status_class="2xx"',
    ]
