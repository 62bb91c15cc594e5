"""The session attributes filters and groups name (SPEC "Filters", seed 002's table, mobile and web):
each one's kind and how it reads a stored session (or its projection: ``reads``).

- ``device_*``, ``app_version``, ``sdk_version``, ``browser_*`` read ``device.<field>``;
  ``device_country`` / ``device_city`` read ``location.country`` / ``location.city``.
- ``referer`` reads ``page.referer``; ``referer_domain`` is its host (lower case, without a port);
  ``utm`` is the JSON ``page.utm`` (``utm.<field>`` a path into it, like ``user_metadata``).
- ``user_first_screen_name``, ``user_first_referer``, ``user_first_referer_domain`` and
  ``user_first_utm`` are those of the user's first session (session number 1): a first session
  reads its own; a later one reads what it copied (``user_first``) when it got its user.
- ``user_name`` is the nickname of the session's user when the session got its user;
  ``uxcamuserid`` is ``user_id``; ``user_custom_property.<path>`` is ``user_metadata.<path>``.
- ``session_has_video`` is false for every session: Annex records no video.
- ``event_name`` and ``session_screen_list`` are lists (the distinct names).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from annex.core.sessions import ERROR, distinct, distinct_counter
from annex.domain import query

Path = tuple[str, ...]
Stored = dict[str, Any]

MAX_PATH_SEGMENTS = 16
USER_METADATA = "user_metadata"


class Kind(StrEnum):
    STRING = "string"
    LIST = "list"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    JSON = "JSON"


@dataclass(frozen=True)
class Attribute:
    """A filterable attribute: its kind, the stored attributes it reads, and how to read it.
    ``indexed`` is its path in ``user_metadata`` when the q index can serve its equality."""

    name: str
    kind: Kind
    reads: tuple[Path, ...]
    get: Callable[[Stored], Any] = field(compare=False)
    indexed: Path | None = None


def _at(path: Path) -> Callable[[Stored], Any]:
    def get(session: Stored) -> Any:
        node: Any = session
        for key in path:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    return get


def domain_of(url: Any) -> str | None:
    """The host of a URL (``https://News.example.com:8443/a`` → ``news.example.com``); None if it has none."""
    if not isinstance(url, str) or not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    return host or None


def _duration_s(session: Stored) -> float:
    first, last = session.get("first_event_at"), session.get("last_event_at")
    return (int(last) - int(first)) / 1000 if first is not None and last is not None else 0.0


def _first(fact: str) -> Callable[[Stored], Any]:
    """A fact of the user's first session: its own for session number 1, else what it copied."""

    def get(session: Stored) -> Any:
        if session.get("session_number") == 1:
            page = session.get("page") or {}
            own = {"screen_name": session.get("first_screen"), "referer": page.get("referer")}
            return own.get(fact, page.get("utm"))
        return (session.get("user_first") or {}).get(fact)

    return get


_FIRST_READS: tuple[Path, ...] = (("session_number",), ("first_screen",), ("page",), ("user_first",))


def _stored(name: str, kind: Kind, *path: str) -> Attribute:
    return Attribute(name, kind, (path,), _at(path))


def _count(name: str, stored_name: str) -> Attribute:
    return Attribute(name, Kind.NUMBER, ((stored_name,),), lambda s: s.get(stored_name) or 0)


def _names(name: str, stored_name: str) -> Attribute:
    return Attribute(name, Kind.LIST, ((stored_name,),), lambda s: s.get(stored_name) or ())


_user_first_referer = _first("referer")
ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in (
        _stored("app_version", Kind.STRING, "device", "app_version"),
        _stored("device_class", Kind.STRING, "device", "class"),
        _stored("device_id", Kind.STRING, "device", "id"),
        _stored("device_manufacturer", Kind.STRING, "device", "manufacturer"),
        _stored("device_model", Kind.STRING, "device", "model"),
        _stored("device_os_name", Kind.STRING, "device", "os_name"),
        _stored("device_os_version", Kind.STRING, "device", "os_version"),
        _stored("device_platform", Kind.STRING, "device", "platform"),
        _stored("device_type", Kind.STRING, "device", "type"),
        _stored("sdk_version", Kind.STRING, "device", "sdk_version"),
        _stored("browser_name", Kind.STRING, "device", "browser_name"),
        _stored("browser_version", Kind.STRING, "device", "browser_version"),
        _stored("device_country", Kind.STRING, "location", "country"),
        _stored("device_city", Kind.STRING, "location", "city"),
        _stored("referer", Kind.STRING, "page", "referer"),
        Attribute(
            "referer_domain", Kind.STRING, (("page", "referer"),), lambda s: domain_of(_at(("page", "referer"))(s))
        ),
        Attribute("user_first_screen_name", Kind.STRING, _FIRST_READS, _first("screen_name")),
        Attribute("user_first_referer", Kind.STRING, _FIRST_READS, _user_first_referer),
        Attribute("user_first_referer_domain", Kind.STRING, _FIRST_READS, lambda s: domain_of(_user_first_referer(s))),
        _names("event_name", "event_name_set"),
        _names("session_screen_list", "screen_set"),
        _stored("session_id", Kind.STRING, "id"),
        _stored("user_id", Kind.STRING, "user_id"),
        _stored("user_name", Kind.STRING, "user_name"),
        Attribute("session_crashed", Kind.BOOLEAN, (("status",),), lambda s: s.get("status") == ERROR),
        Attribute("session_has_video", Kind.BOOLEAN, (), lambda s: False),
        Attribute("session_duration", Kind.NUMBER, (("first_event_at",), ("last_event_at",)), _duration_s),
        _count("session_gesture_count", "gesture_count"),
        _count("session_rage_gesture_count", "rage_gesture_count"),
        _count("session_responsive_gesture_count", "responsive_gesture_count"),
        _count("session_unresponsive_gesture_count", "unresponsive_gesture_count"),
        _count("session_screen_count", "screen_count"),
        Attribute(
            "session_unique_screen_count",
            Kind.NUMBER,
            ((distinct_counter("screen_set"),),),
            lambda s: distinct(s, "screen_set"),
        ),
        _stored("session_number_of_user", Kind.NUMBER, "session_number"),
        _stored("date_range", Kind.DATE, "created_at"),
    )
}
ALIASES = {"uxcamuserid": "user_id"}

# JSON attributes: ``<base>`` and ``<base>.<dotted path>``; the base's document, what it reads,
# and whether the q index holds it (user_metadata only).
_user_first_utm = _first("utm")
JSON_BASES: dict[str, tuple[Callable[[Stored], Any], tuple[Path, ...], bool]] = {
    USER_METADATA: (_at((USER_METADATA,)), ((USER_METADATA,),), True),
    "user_custom_property": (_at((USER_METADATA,)), ((USER_METADATA,),), True),
    "utm": (_at(("page", "utm")), (("page", "utm"),), False),
    "user_first_utm": (_user_first_utm, _FIRST_READS, False),
}
WHOLE = ("utm", "user_first_utm")  # bases that are attributes on their own too (is_set, …)


def json_path(name: str) -> tuple[str, Path] | None:
    """The base and path of a JSON attribute name (``utm.source`` → ``("utm", ("source",))``);
    None for other names."""
    base, dot, rest = name.partition(".")
    if base not in JSON_BASES or (not dot and base not in WHOLE):
        return None
    path = tuple(rest.split(".")) if dot else ()
    if any(not segment for segment in path):
        raise ValueError(f"{name[:80]!r} has an empty segment; write {base}.<key>[.<key>…]")
    if len(path) > MAX_PATH_SEGMENTS:
        raise ValueError(f"{name[:80]!r} is deeper than {MAX_PATH_SEGMENTS} keys")
    return base, path


def attribute(name: str) -> Attribute:
    """The attribute called ``name``; ValueError when there is none."""
    name = ALIASES.get(name, name)
    if name in ATTRIBUTES:
        return ATTRIBUTES[name]
    found = json_path(name)
    if found is None:
        raise ValueError(f"unknown attribute {name[:80]!r}")
    base, path = found
    document, reads, indexed = JSON_BASES[base]

    def get(s: Stored) -> Any:
        doc = document(s)
        return (query.MISSING if doc is None else doc) if not path else query.lookup(doc, path)

    return Attribute(name, Kind.JSON, reads, get, path if indexed else None)
