"""Channel metacounters over HTTP: modes, upsert, the int64 range, atomicity."""

from __future__ import annotations

from tests.conftest import Api

MAX = 2**63 - 1
MIN = -(2**63)


def test_create_read_and_409(api: Api, channel: str) -> None:
    assert api.post(f"{channel}/metacounter", {"metacounter": {"likes": 3, "views": 0}}).json() == {
        "likes": 3,
        "views": 0,
    }
    assert api.get(f"{channel}/metacounter").json() == {"likes": 3, "views": 0}
    assert api.get(f"{channel}/metacounter?keys=views").json() == {"views": 0}
    assert api.get(f"{channel}/metacounter?keys=views,%20likes").json() == {"likes": 3, "views": 0}
    assert api.get(f"{channel}/metacounter/likes").json() == {"likes": 3}
    assert api.get(f"{channel}/metacounter/absent").status_code == 404
    clash = api.post(f"{channel}/metacounter", {"metacounter": {"likes": 1, "new": 1}})
    assert clash.status_code == 409
    assert api.get(f"{channel}/metacounter").json() == {"likes": 3, "views": 0}


def test_modes_answer_the_whole_metacounter(api: Api, channel: str) -> None:
    api.post(f"{channel}/metacounter", {"metacounter": {"a": 10, "b": 1}})
    assert api.put(f"{channel}/metacounter", {"metacounter": {"a": 5}, "mode": "increase"}).json() == {"a": 15, "b": 1}
    assert api.put(f"{channel}/metacounter", {"metacounter": {"a": 20}, "mode": "decrease"}).json() == {"a": -5, "b": 1}
    assert api.put(f"{channel}/metacounter", {"metacounter": {"a": 7}}).json() == {"a": 7, "b": 1}
    assert api.put(f"{channel}/metacounter/b", {"value": 4, "mode": "increase"}).json() == {"a": 7, "b": 5}


def test_missing_keys_are_ignored_without_upsert_and_start_at_zero_with_it(api: Api, channel: str) -> None:
    api.post(f"{channel}/metacounter", {"metacounter": {"a": 1}})
    ignored = api.put(f"{channel}/metacounter", {"metacounter": {"a": 1, "new": 5}, "mode": "increase"})
    assert ignored.json() == {"a": 2}
    upserted = api.put(
        f"{channel}/metacounter", {"metacounter": {"a": 1, "new": 5}, "mode": "decrease", "upsert": True}
    )
    assert upserted.json() == {"a": 1, "new": -5}
    assert api.put(f"{channel}/metacounter/other", {"value": 1, "mode": "increase"}).status_code == 404
    assert api.put(f"{channel}/metacounter/other", {"value": 1, "mode": "increase", "upsert": True}).json() == {
        "a": 1,
        "new": -5,
        "other": 1,
    }


def test_leaving_the_int64_range_is_400_and_changes_nothing(api: Api, channel: str) -> None:
    api.post(f"{channel}/metacounter", {"metacounter": {"hi": MAX - 1, "lo": MIN + 1, "x": 0}})
    over = api.put(f"{channel}/metacounter", {"metacounter": {"x": 1, "hi": 2}, "mode": "increase"})
    assert over.status_code == 400 and over.json()["code"] == "out_of_range"
    under = api.put(f"{channel}/metacounter/lo", {"value": 2, "mode": "decrease"})
    assert under.status_code == 400
    assert api.get(f"{channel}/metacounter").json() == {"hi": MAX - 1, "lo": MIN + 1, "x": 0}
    assert api.put(f"{channel}/metacounter/hi", {"value": 1, "mode": "increase"}).json()["hi"] == MAX
    assert api.put(f"{channel}/metacounter/lo", {"value": MIN, "mode": "decrease", "upsert": True}).status_code == 400


def test_delete_counter_keys(api: Api, channel: str) -> None:
    api.post(f"{channel}/metacounter", {"metacounter": {"a": 1, "b": 2}})
    assert api.delete(f"{channel}/metacounter/a").json() == {}
    assert api.delete(f"{channel}/metacounter/a").status_code == 404
    assert api.delete(f"{channel}/metacounter").json() == {}
    assert api.get(f"{channel}/metacounter").json() == {}


def test_channel_list_filters_by_counter_range_and_metadata(api: Api) -> None:
    import uuid

    tag = uuid.uuid4().hex[:6]
    for n in range(6):
        url = f"f-{tag}-{n}"
        api.post(
            "/group_channels",
            {
                "channel_url": url,
                "metacounter": {f"score{tag}": n},
                "metadata": {f"lang{tag}": "en" if n < 3 else "fr"},
            },
        )

    def urls(query: str) -> list[str]:
        response = api.get(f"/group_channels?limit=100&{query}")
        assert response.status_code == 200, response.text
        return sorted(c["channel_url"] for c in response.json()["data"])

    assert urls(f"metacounter_key=score{tag}&metacounter_value_gt=1&metacounter_value_lte=4") == [
        f"f-{tag}-{n}" for n in (2, 3, 4)
    ]
    assert urls(f"metacounter_key=score{tag}&metacounter_value_gte=5") == [f"f-{tag}-5"]
    assert urls(f"metadata_key=lang{tag}&metadata_values=fr") == [f"f-{tag}-{n}" for n in (3, 4, 5)]
    assert urls(f"metadata_key=lang{tag}&metadata_values=fr&metacounter_key=score{tag}&metacounter_value_lt=4") == [
        f"f-{tag}-3"
    ]
    assert api.get("/group_channels?metacounter_value_gt=1").status_code == 400
    assert api.get("/group_channels?metacounter_key=x&metacounter_value_gt=abc").status_code == 400
