"""The authorizer against moto: hashed tokens resolve to their application, anything else is 401."""

from __future__ import annotations

from typing import Any

import pytest

from admin.applications import register
from local.gateway import Containers
from local.template import Template, load

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/GET/users"


@pytest.fixture
def authorizer(moto_table: Any) -> Containers:
    auth = Template(load()).authorizer()
    assert auth is not None
    return Containers(auth[0])


def test_a_registered_token_resolves_to_its_application(authorizer: Containers, moto_table: Any) -> None:
    register("app-1", "one", "secret-token-1")
    answer = authorizer.invoke(
        {
            "type": "TOKEN",
            "authorizationToken": "secret-token-1",
            "methodArn": ARN,
            "requestContext": {"requestId": "r"},
        }
    )
    assert answer["context"] == {"app_id": "app-1"}
    assert answer["usageIdentifierKey"] == "annex-usage-plan-key-app-1"  # its usage plan's key: its rate limit
    statement = answer["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/*"


def test_tokens_are_stored_only_as_hashes(moto_table: Any) -> None:
    register("app-1", "one", "secret-token-1")
    items = moto_table.scan()["Items"]
    assert items and not any("secret-token-1" in str(item) for item in items)


@pytest.mark.parametrize("token", ["", "unknown"])
def test_unknown_tokens_are_unauthorized(authorizer: Containers, token: str) -> None:
    with pytest.raises(Exception, match="Unauthorized"):
        authorizer.invoke(
            {"type": "TOKEN", "authorizationToken": token, "methodArn": ARN, "requestContext": {"requestId": "r"}}
        )
