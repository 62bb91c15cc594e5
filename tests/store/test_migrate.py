"""annex-admin migrate against moto: a table written by the previous layout (metadata and
metacounter as maps in the record's own item) is moved to one item per key, resumably."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from boto3.dynamodb.conditions import Key
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


def test_migrate_moves_a_sessions_names_into_items_of_their_own(moto_table: Any, tmp_path: Path) -> None:
    """A session item as the previous release wrote it (screens, name sets, overflow counters and
    overflow items) reads the same after the migration, and takes new events in the new layout."""
    from annex.domain import tracking
    from annex.domain.sessions import view
    from annex.store import sessions

    sessions.create(APP, "old", {}, None)
    key = keys.session(APP, "old").key
    moto_table.update_item(
        Key=key,
        UpdateExpression="SET screens = :l, screen_set = :s, event_name_set = :e, screen_set_overflow = :o, "
        "screen_count = :c, event_count = :c",
        ExpressionAttributeValues={
            ":l": [f"s{i:03d}" for i in range(200)],
            ":s": {f"s{i:03d}" for i in range(200)},
            ":e": {"buy"},
            ":o": 2,
            ":c": 202,
        },
    )
    for name in ("s200", "s201"):
        moto_table.put_item(Item=keys.legacy_session_name(APP, "old", "screen_set", name).key | {"name": name})
    sessions.create(APP, "empty", {}, None)
    moto_table.update_item(
        Key=keys.session(APP, "empty").key, UpdateExpression="SET screens = :l", ExpressionAttributeValues={":l": []}
    )

    summary = json.loads(runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(tmp_path / "s")]).stdout)
    assert summary == {"scanned": 2, "migrated": 2, "already_current": 0}
    item = moto_table.get_item(Key=key)["Item"]
    assert not {"screens", "screen_set", "event_name_set", "screen_set_overflow"} & set(item)
    assert (item["screen_set_count"], item["event_name_set_count"], item["screens_kept"]) == (202, 1, 200)
    assert not moto_table.query(KeyConditionExpression=Key("PK").eq(f"{APP}#SESSIONNAMES#old"))["Items"]
    shown = view(sessions.get(APP, "old"), int(item["active_at"]), 3_600_000)
    assert shown["screens"] == [f"s{i:03d}" for i in range(200)] and shown["unique_screen_count"] == 202
    assert shown["event_names"] == ["buy"]
    assert view(sessions.get(APP, "empty"), 0, 3_600_000)["screens"] == []

    batch = [{"session_id": "old", "type": "screen", "name": n} for n in ("s005", "s201", "s202")]
    batch.append({"session_id": "old", "type": "track", "name": "buy"})
    assert tracking.ingest(APP, batch, 3_600_000, 86_400)["accepted"] == 4
    shown = view(sessions.get(APP, "old"), 0, 3_600_000)
    assert (shown["unique_screen_count"], shown["event_names"], len(shown["screens"])) == (203, ["buy"], 200)
    again = json.loads(runner.invoke(app, ["--table", TEST_TABLE, "migrate", "--state", str(tmp_path / "s")]).stdout)
    assert again == {"scanned": 0, "migrated": 0, "already_current": 0}
