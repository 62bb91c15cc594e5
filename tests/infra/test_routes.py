"""The routes each function's resolver declares are exactly the routes template.yaml sends it: a
route in code that API Gateway never sends, or an API event no handler answers, fails here (a /v3
route counts as its native twin, whose handler answers it)."""

from __future__ import annotations

from collections import defaultdict

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from annex.api import sendbird_v3
from local.gateway import load_module
from local.template import Template, load

TEMPLATE = Template(load())


def _template_routes() -> dict[str, set[tuple[str, str]]]:
    declared: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for route in TEMPLATE.api_routes():
        # A /v3 route is answered by its native twin's handler (annex/api/sendbird_v3.py translates).
        declared[route.function.logical_id].add((route.method, route.path.removeprefix(sendbird_v3.PREFIX)))
    return declared


def _code_routes() -> dict[str, set[tuple[str, str]]]:
    """Each function's resolver routes (method, path as the template writes it: ``/users/{user_id}``)."""
    routed: dict[str, set[tuple[str, str]]] = {}
    for logical_id in sorted(TEMPLATE.of_type("AWS::Serverless::Function")):
        module = load_module(TEMPLATE.function(logical_id), f"annex_routes_{logical_id}")
        app = getattr(module, "app", None)
        if isinstance(app, APIGatewayRestResolver):
            routes = app._static_routes + app._dynamic_routes  # what the resolver matches, in its order
            routed[logical_id] = {(route.method, route.openapi_path) for route in routes}
    return routed


def test_code_and_template_declare_the_same_routes_per_function() -> None:
    declared, routed = _template_routes(), _code_routes()
    assert set(declared) == set(routed), "a function with API events has no resolver, or the reverse"
    for logical_id in sorted(declared):
        in_template, in_code = declared[logical_id], routed[logical_id]
        assert in_template - in_code == set(), f"{logical_id}: template routes no handler answers"
        assert in_code - in_template == set(), f"{logical_id}: handler routes API Gateway never sends"
