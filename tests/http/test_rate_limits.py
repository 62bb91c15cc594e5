"""Per-application rate limits (local/ratelimit.py; usage plans in AWS): one application's flood is
429 `rate_limited` with Retry-After, and another's requests in the same seconds all go through."""

from __future__ import annotations

from tests.conftest import Api, Stack, admin


def _limited(stack: Stack, name: str, *limits: str) -> Api:
    created = admin(stack, "apps", "create", name)
    answer = admin(stack, "apps", "limits", created["app_id"], *limits)
    assert answer["rate_limit"] == int(limits[1]) and answer["burst_limit"] == int(limits[3])
    return Api(stack.url, token=created["token"])


def test_one_application_flooding_past_its_limit_does_not_throttle_another(stack: Stack) -> None:
    flood = _limited(stack, "flooder", "--rps", "1", "--burst", "3")
    calm = Api(stack.url, token=admin(stack, "apps", "create", "calm")["token"])
    flooded, others = [], []
    for _ in range(12):  # interleaved: the same seconds
        flooded.append(flood.get("/users"))
        others.append(calm.get("/users"))
    assert all(r.status_code == 200 for r in others), [r.status_code for r in others]
    refused = [r for r in flooded if r.status_code == 429]
    assert refused and len(refused) < len(flooded)
    assert refused[0].json() == {
        "error": True,
        "code": "rate_limited",
        "message": "Too many requests for this application, retry shortly",
    }
    assert int(refused[0].headers["Retry-After"]) >= 1


def test_analytics_has_its_own_lower_limit(stack: Stack) -> None:
    client = _limited(
        stack, "analyst", "--rps", "1000", "--burst", "1000", "--analytics-rps", "1", "--analytics-burst", "2"
    )
    analytics = [client.get("/sessions/analytics").status_code for _ in range(6)]
    assert 429 in analytics and analytics[:2] == [200, 200]
    assert [client.get("/users").status_code for _ in range(6)] == [200] * 6


def test_limits_of_an_unknown_application_are_refused(stack: Stack) -> None:
    import subprocess
    import sys

    from tests.conftest import ROOT

    command = [sys.executable, "-m", "admin", "--endpoint-url", stack.dynamodb, "--table", stack.table]
    run = subprocess.run(
        [*command, "apps", "limits", "app_nope", "--rps", "1", "--burst", "1"], capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 1 and "not found" in run.stderr
