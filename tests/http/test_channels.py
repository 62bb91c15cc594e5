"""Channels over HTTP: create (with generated url), read, update, delete, unknown types."""

from __future__ import annotations

from tests.conftest import Api


def test_create_generates_a_url_and_reads_back(api: Api) -> None:
    created = api.post("/open_channels", {"name": "Lobby", "data": "x" * 100, "metadata": {"topic": "t"}})
    assert created.status_code == 201
    body = created.json()
    assert body["channel_url"].startswith("open_channel_")
    got = api.get(f"/open_channels/{body['channel_url']}").json()
    assert got["name"] == "Lobby" and got["metadata"] == {"topic": "t"} and got["metacounter"] == {}
    assert api.get(f"/group_channels/{body['channel_url']}").status_code == 404


def test_update_and_delete_channel(api: Api, channel: str) -> None:
    assert api.put(channel, {"name": "Renamed", "data": "payload"}).json()["name"] == "Renamed"
    assert api.get(channel).json()["data"] == "payload"
    assert api.delete(channel).status_code == 200
    assert api.get(channel).status_code == 404
    assert api.get(f"{channel}/metacounter").status_code == 404


def test_data_is_at_most_64_kib(api: Api, channel: str) -> None:
    too_big = api.put(channel, {"data": "é" * (32 * 1024 + 1)})
    assert too_big.status_code == 400
    assert api.get(channel).json()["data"] == ""


def test_unknown_channel_type_is_404(api: Api) -> None:
    response = api.get("/secret_channels")
    assert response.status_code == 404
    assert response.json()["error"] is True
