"""annex-admin against moto: applications, tokens (random, hashed, listed by prefix, revocable), deletion."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from admin import applications
from admin.cli import app
from annex.domain.resources import create_user
from annex.models.resources import UserCreate
from annex.store import tokens
from tests.conftest import TEST_TABLE

runner = CliRunner()


def admin(*args: str) -> Any:
    result = runner.invoke(app, ["--table", TEST_TABLE, *args], env={"ANNEX_REVOCATION_SECONDS": "0"})  # no gateway
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_create_app_prints_a_working_token_once(moto_table: Any) -> None:
    created = admin("apps", "create", "shop")
    assert created["token"].startswith("annex_") and len(created["token"]) >= 6 + 43  # 256 random bits
    assert tokens.application_for(created["token"]) == created["app_id"]
    stored = json.dumps(moto_table.scan()["Items"], default=str)
    assert created["token"] not in stored
    listed = admin("tokens", "list", created["app_id"])
    assert len(listed) == 1 and created["token"].startswith(listed[0]["prefix"])
    assert "token" not in listed[0] and "token_hash" not in listed[0]
    assert [a["app_id"] for a in admin("apps", "list")] == [created["app_id"]]


def test_revoked_tokens_stop_resolving(moto_table: Any) -> None:
    app_id = admin("apps", "create", "shop")["app_id"]
    second = admin("tokens", "create", app_id)
    assert tokens.application_for(second["token"]) == app_id
    admin("tokens", "revoke", second["token_id"])
    assert tokens.application_for(second["token"]) is None
    assert len(admin("tokens", "list", app_id)) == 1
    assert runner.invoke(app, ["--table", TEST_TABLE, "tokens", "revoke", second["token_id"]]).exit_code == 1


def test_delete_app_removes_all_its_data_and_nothing_else(moto_table: Any) -> None:
    doomed, kept = admin("apps", "create", "doomed"), admin("apps", "create", "kept")
    for n in range(30):
        create_user(doomed["app_id"], UserCreate(user_id=f"u{n}", metadata={"k": "v"}))
    create_user(kept["app_id"], UserCreate(user_id="u0"))
    before = moto_table.scan()["Count"]
    result = admin("apps", "delete", doomed["app_id"], "--yes")
    # users (each its item, its metadata marker and its one key), the application, its token record
    # and directory entry, its entry in the apps directory
    assert result["deleted_items"] == 30 * 3 + 4
    assert moto_table.scan()["Count"] == before - 94
    assert tokens.application_for(doomed["token"]) is None
    assert tokens.application_for(kept["token"]) == kept["app_id"]


def test_unknown_application_is_an_error(moto_table: Any) -> None:
    assert runner.invoke(app, ["--table", TEST_TABLE, "tokens", "create", "app_nope"]).exit_code == 1
    with pytest.raises(Exception, match="not found"):
        applications.delete_application("app_nope")


def test_stack_option_reads_the_table_from_the_stack_outputs(moto_table: Any) -> None:
    import boto3

    boto3.client("cloudformation", region_name="us-east-1").create_stack(
        StackName="annex",
        TemplateBody=json.dumps(
            {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"TableName": {"Value": TEST_TABLE}}}
        ),
    )
    result = runner.invoke(app, ["--stack", "annex", "apps", "create", "via-stack"])
    assert result.exit_code == 0, result.output
    assert tokens.application_for(json.loads(result.stdout)["token"]) is not None
    missing = runner.invoke(app, ["apps", "list"])
    assert missing.exit_code != 0 and "--stack" in missing.output
