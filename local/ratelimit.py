"""Per-application rate limits, locally: what API Gateway's usage plans do in AWS (template.yaml's
DefaultUsagePlan, and the plan `annex-admin apps limits` gives one application).

A token bucket per application fills at its rate up to its burst; GET /sessions/analytics has its
own bucket with the analytics limits. The limits are the template's defaults, or the application's
own from its record in the table, read again every ``REFRESH`` seconds. An empty bucket answers how
long until it holds a request again (the 429's ``Retry-After``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping

ANALYTICS_ROUTE = ("GET", "/sessions/analytics")
PARAMETERS = {
    "rate_limit": "AppRateLimit",
    "burst_limit": "AppBurstLimit",
    "analytics_rate_limit": "AnalyticsRateLimit",
    "analytics_burst_limit": "AnalyticsBurstLimit",
}
REFRESH = 5.0


class RateLimiter:
    def __init__(self, parameters: Mapping[str, str], own: Callable[[str], Mapping[str, int]]):
        """``parameters``: the template's; an environment variable of the same name overrides one
        (the test suite's shared server raises them, its own tests set an application's)."""
        self.defaults = {
            name: float(os.environ.get(parameter) or parameters[parameter]) for name, parameter in PARAMETERS.items()
        }
        self.own = own
        self.limits: dict[str, tuple[float, dict[str, float]]] = {}  # app → (read at, limits)
        self.buckets: dict[tuple[str, bool], tuple[float, float]] = {}  # (app, analytics) → (tokens, at)
        self.lock = threading.Lock()

    def _limits(self, app_id: str, now: float) -> dict[str, float]:
        read = self.limits.get(app_id)
        if read is None or now - read[0] > REFRESH:
            read = (now, self.defaults | {k: float(v) for k, v in self.own(app_id).items()})
            self.limits[app_id] = read
        return read[1]

    def take(self, app_id: str, analytics: bool) -> float:
        """Count one request of the application: 0 when it may go, else the seconds until it may."""
        now = time.monotonic()
        limits = self._limits(app_id, now)
        prefix = "analytics_" if analytics else ""
        rate, burst = limits[f"{prefix}rate_limit"], limits[f"{prefix}burst_limit"]
        with self.lock:
            tokens, at = self.buckets.get((app_id, analytics), (burst, now))
            tokens = min(burst, tokens + (now - at) * rate)
            if tokens >= 1:
                self.buckets[(app_id, analytics)] = (tokens - 1, now)
                return 0.0
            self.buckets[(app_id, analytics)] = (tokens, now)
            return (1 - tokens) / rate
