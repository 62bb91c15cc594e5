"""annex-admin migrate against moto: a table written by the previous layout (metadata and
metacounter as maps in the record's own item) is moved to one item per key, resumably."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from admin import migrate
from admin.cli import app
from annex.core.keyvalue import CounterMode, WriteMode
from annex.domain import metadata as kv
from annex.domain.resources import ChannelRef, UserRef, list_channels, list_users
from annex.store import keys
from tests.conftest import TEST_TABLE

APP = "app-migrate"
runner = CliRunner()


def old_layout(table: Any, users: int, channels: int) -> None:
    """Items as the previous release wrote them: the maps inside the record's item."""
    with table.batch_writer() as batch:
        for n in range(users):
            ref = keys.user(APP, f"u{n:03d}")
            metadata = {"plan": "gold" if n % 10 == 0 else "free", "n": str(n)}
            batch.put_item(
                Item=ref.attributes()
                | {
                    "user_id": f"u{n:03d}",
                    "nickname": "",
                    "profile_url": "",
                    "metadata": metadata,
                    "meta": json.dumps({"score": n, "tags": ["vip"] if n in (7, 170) else []}),
                    "created_at": 1,
                    "version": 5,
                }
            )
        for n in range(channels):
            ref = keys.channel(APP, "group_channels", f"c{n:03d}")
            counters = {"unread": n, "big": 2**40} if n != 3 else {f"k{i}": i for i in range(100)}
            item = {"channel_url": f"c{n:03d}", "channel_type": "group_channels", "name": "", "data": "d" * 1000}
            batch.put_item(
                Item=ref.attributes()
                | item
                | {"metadata": {}, "metacounter": counters, "meta": "{}", "created_at": 1, "version": 7}
            )


def test_migrate_moves_every_record_resumably_and_a_rerun_changes_nothing(moto_table: Any, tmp_path: Path) -> None:
    old_layout(moto_table, users=230, channels=12)
    state = tmp_path / "state"
    pages: list[int] = []

    def stop_after_two(tally: migrate.Tally) -> None:
        pages.append(tally.scanned)
        if len(pages) == 2:
            raise KeyboardInterrupt

    with contextlib.suppress(KeyboardInterrupt):
        migrate.migrate(state, stop_after_two, page_size=50)
    assert state.exists(), "an interrupted run keeps its position"
    result = runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(state)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["migrated"] + pages[-1] == 242 and summary["already_current"] == 0
    assert not state.exists()

    again = json.loads(runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(state)]).stdout)
    assert again == {"scanned": 242, "migrated": 0, "already_current": 242}

    user = UserRef(APP, "u017")
    assert kv.read(user, kv.METADATA)[0] == {"plan": "free", "n": "17"}
    assert "metadata" not in moto_table.get_item(Key=user.ref.key)["Item"]
    gold, cursor = list_users(APP, 100, None, "plan", ["gold"])
    assert [u["user_id"] for u in gold] == [f"u{n:03d}" for n in range(0, 230, 10)] and cursor is None
    # meta written before its index: found from the entries the migration put
    vip, cursor = list_users(APP, 10, None, None, None, "meta['tags']:'vip'")
    assert [u["user_id"] for u in vip] == ["u007", "u170"] and cursor is None
    top, cursor = list_users(APP, 2, None, None, None, "meta['score'] >= 226")
    assert [u["user_id"] for u in top] == ["u226", "u227"] and cursor
    assert [u["user_id"] for u in list_users(APP, 10, cursor, None, None, "meta['score'] >= 226")[0]] == [
        "u228",
        "u229",
    ]
    full = ChannelRef(APP, "group_channels", "c003")
    assert kv.read(full, kv.METACOUNTER)[0] == {f"k{i}": i for i in range(100)}
    channel = ChannelRef(APP, "group_channels", "c005")
    after = kv.update_counters(channel, {"unread": 1}, CounterMode.INCREASE, WriteMode.UPDATE_ONE)
    assert after == {"unread": 6, "big": 2**40}
    found, _ = list_channels(APP, "group_channels", 20, None, None, None, "unread", {"gte": 6})
    assert [c["channel_url"] for c in found] == [f"c{n:03d}" for n in range(5, 12)]  # c005 is at 6 now


def test_make_run_brings_a_kept_table_up_to_date(aws_env: None) -> None:
    import boto3
    from moto import mock_aws

    from local.__main__ import ensure_table
    from local.template import Template, load

    template = Template(load())
    definition = template.table_definition()
    kept = [i for i in definition["GlobalSecondaryIndexes"] if i["IndexName"] in ("GSI1", "GSI2")]
    used = {"PK", "SK"} | {k["AttributeName"] for i in kept for k in i["KeySchema"]}
    attributes = [a for a in definition["AttributeDefinitions"] if a["AttributeName"] in used]
    older = dict(definition, GlobalSecondaryIndexes=kept, AttributeDefinitions=attributes)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="kept", **older)
        assert ensure_table(template, None, "us-east-1", "kept") is True  # type: ignore[arg-type]
        indexes = client.describe_table(TableName="kept")["Table"]["GlobalSecondaryIndexes"]
        assert sorted(i["IndexName"] for i in indexes) == ["GSI1", "GSI2", "GSI3", "GSI4"]
        assert ensure_table(template, None, "us-east-1", "kept") is False  # type: ignore[arg-type]
