"""Per-application rate limits in API Gateway: each application's API key (named by the authorizer,
``annex.domain.access.usage_key``) is in the stack's default usage plan, or in a plan of its own
once `annex-admin apps limits` gave it limits. The table keeps the same limits (what `make run`'s
gateway enforces, and what the admin shows)."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from annex.domain.access import usage_key

ANALYTICS_METHOD = "/sessions/analytics/GET"


class Stack:
    """The deployed stack's API, stage and default usage plan (from its outputs and parameters)."""

    def __init__(self, name: str, api_id: str, default_plan: str, stage: str, region: str | None):
        self.name, self.api_id, self.default_plan, self.stage = name, api_id, default_plan, stage
        self.client: Any = boto3.client("apigateway", region_name=region)

    @classmethod
    def of(cls, name: str, region: str | None) -> Stack | None:
        """The stack, or None for one deployed before it had usage plans (no ``ApiId`` output)."""
        found = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=name)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in found.get("Parameters", [])}
        if "ApiId" not in outputs or "DefaultUsagePlanId" not in outputs:
            return None
        return cls(name, outputs["ApiId"], outputs["DefaultUsagePlanId"], parameters.get("StageName", "v1"), region)


def _key_id(stack: Stack, app_id: str) -> str:
    """The application's API key, created on first use (its value is what the authorizer names)."""
    value = usage_key(app_id)
    for key in stack.client.get_api_keys(nameQuery=value, includeValues=True).get("items", []):
        if key.get("value") == value:
            return str(key["id"])
    return str(stack.client.create_api_key(name=value, value=value, enabled=True)["id"])


def _join(stack: Stack, plan_id: str, key_id: str) -> None:
    try:
        stack.client.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ConflictException":  # already in it
            raise


def _leave(stack: Stack, plan_id: str, key_id: str) -> None:
    try:
        stack.client.delete_usage_plan_key(usagePlanId=plan_id, keyId=key_id)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "NotFoundException":
            raise


def enroll(stack: Stack, app_id: str) -> None:
    """Put a new application's key in the default plan (without it, API Gateway answers 403)."""
    _join(stack, stack.default_plan, _key_id(stack, app_id))


def apply_limits(stack: Stack, app_id: str, limits: dict[str, int]) -> str:
    """Give the application a usage plan of its own with ``limits``; the plan's id."""
    name = f"{stack.name}-{app_id}"
    throttle = {"rateLimit": float(limits["rate_limit"]), "burstLimit": limits["burst_limit"]}
    method = {"rateLimit": float(limits["analytics_rate_limit"]), "burstLimit": limits["analytics_burst_limit"]}
    plans = [p for p in stack.client.get_usage_plans().get("items", []) if p.get("name") == name]
    if plans:
        plan_id = str(plans[0]["id"])
        stack.client.update_usage_plan(
            usagePlanId=plan_id,
            patchOperations=[
                {"op": "replace", "path": "/throttle/rateLimit", "value": str(throttle["rateLimit"])},
                {"op": "replace", "path": "/throttle/burstLimit", "value": str(throttle["burstLimit"])},
                {
                    "op": "replace",
                    "path": f"/apiStages/{stack.api_id}:{stack.stage}/throttle",
                    "value": _method(method),
                },
            ],
        )
    else:
        plan_id = str(
            stack.client.create_usage_plan(
                name=name,
                description=f"Rate limits of {app_id} (annex-admin apps limits)",
                throttle=throttle,
                apiStages=[{"apiId": stack.api_id, "stage": stack.stage, "throttle": {ANALYTICS_METHOD: method}}],
            )["id"]
        )
    key_id = _key_id(stack, app_id)
    _join(stack, plan_id, key_id)
    _leave(stack, stack.default_plan, key_id)
    return plan_id


def _method(throttle: dict[str, Any]) -> str:
    return json.dumps({ANALYTICS_METHOD: throttle})
