"""Bodies and objects of sessions and tracking events."""

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StrictInt, StrictStr

from annex.core.sessions import (
    MAX_NAME_CHARS,
    MAX_PROPERTIES_CHARS,
    MAX_SESSION_ID_CHARS,
    MAX_USER_METADATA_CHARS,
    RESERVED_SESSION_IDS,
    compact_length,
)
from annex.models import Model, ResourceId, Strict

Text = Annotated[StrictStr, Field(max_length=255)]


def _routable(session_id: str) -> str:
    if session_id in RESERVED_SESSION_IDS:
        raise ValueError(f"{session_id!r} is a route of its own (GET /sessions/{session_id}): choose another id")
    return session_id


SessionId = Annotated[StrictStr, Field(min_length=1, max_length=MAX_SESSION_ID_CHARS), AfterValidator(_routable)]


def _fits(value: Any) -> Any:
    if compact_length(value) > MAX_USER_METADATA_CHARS:
        raise ValueError(f"user_metadata is at most {MAX_USER_METADATA_CHARS} characters of compact JSON")
    return value


UserMetadata = Annotated[Any, AfterValidator(_fits)]


def _properties_fit(value: Any) -> Any:
    if compact_length(value) > MAX_PROPERTIES_CHARS:
        raise ValueError(f"properties are at most {MAX_PROPERTIES_CHARS} characters of compact JSON")
    return value


Properties = Annotated[Any, AfterValidator(_properties_fit)]


class Device(Strict):
    app_version: Text | None = None
    class_: Text | None = Field(None, alias="class")
    id: Text | None = None
    manufacturer: Text | None = None
    model: Text | None = None
    os_version: Text | None = None
    platform: Text | None = None
    browser_name: Text | None = None
    browser_version: Text | None = None
    os_name: Text | None = None
    type: Text | None = None
    sdk_version: Text | None = None


class Location(Strict):
    country: Text | None = None
    country_code: Text | None = None
    city: Text | None = None


class Utm(Strict):
    source: Text | None = None
    medium: Text | None = None
    campaign: Text | None = None
    term: Text | None = None
    content: Text | None = None


Url = Annotated[StrictStr, Field(max_length=2048)]


class PageContext(Strict):
    """Where a (web) session landed: its URL, the referring URL and the landing page's UTM."""

    url: Url | None = None
    referer: Url | None = None
    utm: Utm | None = None


class Context(Strict):
    """What an event may say about its session (SPEC "Tracking events"): the event that opens the
    session sets it, later events fill only what is still unset."""

    device: Device | None = None
    location: Location | None = None
    page: PageContext | None = None


class SessionCreate(Strict):
    session_id: SessionId | None = None
    user_id: ResourceId | None = None
    user_metadata: UserMetadata = None
    device: Device = Field(default_factory=Device)
    location: Location = Field(default_factory=Location)
    page: PageContext = Field(default_factory=PageContext)


class SessionPatch(Strict):
    user_metadata: UserMetadata


class SessionRelease(Strict):
    status: Literal["REQUEST_RELEASE"]


class Status(StrEnum):
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    TIMED_OUT = "TIMED_OUT"
    ERROR = "ERROR"


class Session(Model):
    id: str
    status: Status
    user_id: str | None
    user_metadata: Any
    device: dict[str, str | None]
    location: dict[str, str | None]
    page: dict[str, Any]
    created_at: int
    updated_at: int
    ended_at: int | None
    last_event_at: int | None
    session_number: int | None
    duration_s: float
    event_count: int
    screen_count: int
    unique_screen_count: int
    gesture_count: int
    rage_gesture_count: int
    responsive_gesture_count: int
    unresponsive_gesture_count: int
    event_names: list[str]
    screens: list[str]


class EventType(StrEnum):
    SCREEN = "screen"
    TRACK = "track"
    GESTURE = "gesture"
    CRASH = "crash"
    IDENTIFY = "identify"


class Event(Strict):
    """One tracking event, validated on its own: a bad event is rejected by index, not the batch."""

    session_id: SessionId
    user_id: ResourceId | None = None
    type: EventType
    name: Annotated[StrictStr, Field(max_length=MAX_NAME_CHARS)] | None = None
    properties: Properties = None
    timestamp: Annotated[StrictInt, Field(ge=0, le=2**53)] | None = None
    context: Context | None = None


class EventBatch(Strict):
    batch: Annotated[list[Any], Field(min_length=1, max_length=100)]  # each event is checked on its own


class Rejected(Model):
    index: int
    code: str
    message: str


class IngestResult(Model):
    accepted: int
    rejected: list[Rejected]


class StoredEvent(Model):
    session_id: str
    user_id: str | None
    type: EventType
    name: str | None
    properties: Any
    timestamp: int
    received_at: int
