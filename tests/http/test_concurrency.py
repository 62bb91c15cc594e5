"""Concurrent requests over HTTP lose nothing: counters are single conditional writes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Api

THREADS = 8


def test_increase_is_exact_under_8_threads_of_50_requests(server: str, channel: str) -> None:
    Api(server).post(f"{channel}/metacounter", {"metacounter": {"hits": 0}})

    def worker(_: int) -> list[int]:
        client = Api(server)
        return [
            client.put(f"{channel}/metacounter/hits", {"value": 1, "mode": "increase"}).status_code for _ in range(50)
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = [s for batch in pool.map(worker, range(THREADS)) for s in batch]
    assert statuses == [200] * 400
    assert Api(server).get(f"{channel}/metacounter/hits").json() == {"hits": 400}


def test_upserts_of_distinct_keys_on_one_user_all_land(server: str, user: str) -> None:
    def worker(n: int) -> list[int]:
        client = Api(server)
        return [
            client.put(f"/users/{user}/metadata", {"metadata": {f"t{n}-{i}": str(i)}, "upsert": True}).status_code
            for i in range(10)
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = [s for batch in pool.map(worker, range(THREADS)) for s in batch]
    assert statuses == [200] * 80
    stored = Api(server).get(f"/users/{user}/metadata").json()
    assert stored == {f"t{n}-{i}": str(i) for n in range(THREADS) for i in range(10)}


def test_concurrent_upserts_never_exceed_100_keys(server: str, user: str) -> None:
    def worker(n: int) -> list[int]:
        client = Api(server)
        return [
            client.put(f"/users/{user}/metadata", {"metadata": {f"c{n}-{i}": "v"}, "upsert": True}).status_code
            for i in range(15)
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = [s for batch in pool.map(worker, range(THREADS)) for s in batch]
    assert statuses.count(200) == 100
    assert set(statuses) == {200, 400}
    assert len(Api(server).get(f"/users/{user}/metadata").json()) == 100
