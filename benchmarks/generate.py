"""Generated sessions, as the store keeps them, for `make bench` and the analytics tests.

``sessions`` yields stored sessions oldest first (``benchmarks.bulk_load.load`` numbers each user's
sessions in that order), reproducibly for a seed: devices, places, users with several sessions,
anonymous ones, user_metadata, counters, screens, event names, and every status a session can be
stored in (RUNNING ones long idle read as TIMED_OUT).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

DAY_MS = 86_400_000
PLATFORMS = ("ios", "android", "web")
MODELS = tuple(f"model-{i:02d}" for i in range(24))
COUNTRIES = ("France", "Germany", "Japan", "Brazil", "Canada", "India", "Kenya", "Spain")
CITIES = ("North", "South", "East", "West")
SCREENS = ("home", "search", "item", "cart", "pay", "done", "help")
EVENTS = ("signup", "buy", "share", "review")
REFERERS = ("https://www.google.com/search?q=x", "https://news.example.com/a", "http://Blog.Example.org:8080/p", None)
CAMPAIGNS = ("spring", "summer", None)


def sessions(
    count: int, *, start: int, days: int, users: int, seed: int = 7, timeout_ms: int = 2_700_000
) -> Iterator[dict[str, Any]]:
    """``count`` sessions created from ``start`` (ms) over ``days`` days, by up to ``users`` users."""
    rng = random.Random(seed)
    step = days * DAY_MS / max(count, 1)
    for i in range(count):
        created = start + int(i * step) + rng.randrange(max(int(step), 1))
        platform = rng.choice(PLATFORMS)
        screens = [rng.choice(SCREENS) for _ in range(rng.randrange(0, 6))]
        gestures = rng.randrange(0, 9)
        first = created + rng.randrange(0, 2_000)
        last = first + rng.randrange(0, 600_000)
        session: dict[str, Any] = {
            "id": f"gen-{seed}-{i:07d}",
            "created_at": created,
            "device": {
                "platform": platform,
                "model": rng.choice(MODELS[:8] if platform == "ios" else MODELS),
                "os_version": f"{rng.randrange(12, 18)}.{rng.randrange(3)}",
                "app_version": f"2.{rng.randrange(4)}",
                "class": rng.choice(("phone", "tablet")),
                "manufacturer": rng.choice(("Acme", "Globex", "Initech")),
                "id": f"dev-{rng.randrange(users * 2 + 1)}",
            }
            | ({"browser_name": rng.choice(("Firefox", "Chrome"))} if platform == "web" else {}),
            "location": {"country": rng.choice(COUNTRIES), "city": rng.choice(CITIES)} if rng.random() < 0.9 else {},
            "first_event_at": first,
            "last_event_at": last,
            "active_at": last,
            "updated_at": last,
            "event_count": len(screens) + gestures + 1,
            "screen_count": len(screens),
            "gesture_count": gestures,
            "rage_gesture_count": rng.randrange(0, gestures + 1) if rng.random() < 0.3 else 0,
            "screens": screens,
            "screen_set": sorted(set(screens)),
            "event_name_set": sorted(rng.sample(EVENTS, rng.randrange(0, 3))),
        }
        if rng.random() < 0.9:
            session["user_id"] = f"user-{rng.randrange(users)}"
        if rng.random() < 0.8:
            session["user_metadata"] = {"plan": rng.choice(("free", "pro", "team")), "seats": rng.randrange(1, 6)}
            if rng.random() < 0.3:
                session["user_metadata"]["tags"] = rng.sample(["beta", "vip", "churn"], 2)
        session |= _web_and_gestures(random.Random(f"{seed}-{i}"), session)
        fate = rng.random()
        if fate < 0.55:
            session |= {"status": "COMPLETED", "ended_at": last}
        elif fate < 0.7:
            session |= {"status": "ERROR", "ended_at": last}
        elif fate < 0.85:
            session |= {"status": "TIMED_OUT", "ended_at": last + timeout_ms}
        else:
            session["status"] = "RUNNING"  # idle since last: TIMED_OUT once the timeout has passed
        yield session


def _web_and_gestures(rng: random.Random, session: dict[str, Any]) -> dict[str, Any]:
    """The fields seed 002's other attributes read (device os name, type and SDK, a web session's
    page, responsive gestures), from their own random stream so the fields above stay as they were."""
    web = session["device"]["platform"] == "web"
    device = session["device"] | {
        "os_name": rng.choice(("Windows", "macOS", "Linux")) if web else session["device"]["platform"],
        "type": "desktop" if web else rng.choice(("phone", "tablet")),
        "sdk_version": f"3.{rng.randrange(3)}.{rng.randrange(2)}",
    }
    if web:
        device["browser_version"] = f"{rng.randrange(110, 125)}.0"
    unresponsive = rng.randrange(0, session["gesture_count"] + 1) if rng.random() < 0.4 else 0
    out: dict[str, Any] = {
        "device": device,
        "responsive_gesture_count": session["gesture_count"] - unresponsive,
        "unresponsive_gesture_count": unresponsive,
    }
    if web:
        page: dict[str, Any] = {"url": f"https://shop.example.com/{rng.choice(SCREENS)}"}
        referer, campaign = rng.choice(REFERERS), rng.choice(CAMPAIGNS)
        if referer is not None:
            page["referer"] = referer
        if campaign is not None:
            page["utm"] = {"source": rng.choice(("google", "newsletter")), "campaign": campaign}
        out["page"] = page
    return out
