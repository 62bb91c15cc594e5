"""Lambda authorizer: the Api-Token header → the application id, passed on in the request context.

API Gateway caches the answer per token (``ReauthorizeEvery`` in template.yaml), so a revoked
token keeps working until that cache entry expires. The policy allows every route of the stage,
because a cached answer is reused for all of them. ``usageIdentifierKey`` names the application's
API key, so API Gateway counts its requests against its own usage plan (its rate limit).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from annex import telemetry
from annex.domain import access

logger = Logger(service="annex-authorizer")


@telemetry.instrument
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    token = event.get("authorizationToken") or ""
    app_id = access.application_for(token)
    if app_id is None:
        telemetry.count("TokensRejected")
        logger.info("Rejected an unknown Api-Token")
        raise Exception("Unauthorized")  # API Gateway's contract for a 401 from a TOKEN authorizer
    arn = event["methodArn"].split("/")  # arn:aws:execute-api:region:account:api/stage/METHOD/path
    resource = "/".join([*arn[:2], "*"])
    return {
        "principalId": app_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}],
        },
        "context": {"app_id": app_id},
        "usageIdentifierKey": access.usage_key(app_id),  # the application's usage plan: its rate limit
    }
