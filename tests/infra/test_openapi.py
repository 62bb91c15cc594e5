"""docs/openapi.json is generated from the code: it must match a fresh build and cover every route."""

from __future__ import annotations

import json
import re

from annex.api import sendbird_v3
from local import openapi
from local.template import Template, load


def test_checked_in_document_is_fresh() -> None:
    assert openapi.DOCUMENT.read_text() == openapi.render(), "docs/openapi.json is stale: run `make openapi`"


def test_document_covers_every_template_route_with_the_error_body() -> None:
    document = json.loads(openapi.DOCUMENT.read_text())
    for route in Template(load()).api_routes():
        if route.path.startswith(sendbird_v3.PREFIX + "/"):
            continue  # Sendbird's shapes of the same operations: Sendbird's own reference documents them
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        assert "422" not in operation["responses"]
        assert re.fullmatch(r"[a-z0-9_]+", operation["operationId"])
    assert document["security"] == [{"ApiToken": []}]
    assert not [path for path in document["paths"] if path.startswith("/console")], "the console is not API"
