"""annex-admin's per-application usage plans against moto's API Gateway."""

from __future__ import annotations

from typing import Any

import boto3

from admin import usage_plans


def test_limits_move_an_application_key_from_the_default_plan_to_its_own(moto_table: Any) -> None:
    client = boto3.client("apigateway", region_name="us-east-1")
    api_id = client.create_rest_api(name="annex")["id"]
    default = client.create_usage_plan(name="annex-default", throttle={"rateLimit": 50.0, "burstLimit": 100})["id"]
    stack = usage_plans.Stack("annex", api_id, default, "v1", "us-east-1")
    usage_plans.enroll(stack, "app_1")
    (key,) = client.get_usage_plan_keys(usagePlanId=default)["items"]
    assert key["value"] == "annex-usage-plan-key-app_1"
    limits = {"rate_limit": 5, "burst_limit": 10, "analytics_rate_limit": 1, "analytics_burst_limit": 2}
    own = usage_plans.apply_limits(stack, "app_1", limits)
    assert client.get_usage_plan(usagePlanId=own)["throttle"] == {"rateLimit": 5.0, "burstLimit": 10}
    assert [k["value"] for k in client.get_usage_plan_keys(usagePlanId=own)["items"]] == ["annex-usage-plan-key-app_1"]
    assert client.get_usage_plan_keys(usagePlanId=default)["items"] == []
