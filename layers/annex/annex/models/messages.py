"""Bodies and objects of messages and their sorted_metaarray."""

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictBool, StrictStr

from annex.core.metaarray import MAX_KEYS, MAX_VALUE_BYTES, MAX_VALUES, Items, Mode, check_key
from annex.errors import BadRequest
from annex.models import Model, ResourceId, Strict
from annex.models.resources import Meta

MAX_MESSAGE_BYTES = 32 * 1024
MAX_DATA_BYTES = 64 * 1024


def _bytes_at_most(limit: int, what: str) -> AfterValidator:
    def check(text: str) -> str:
        if len(text.encode("utf-8")) > limit:
            raise ValueError(f"{what} is at most {limit} bytes of UTF-8")
        return text

    return AfterValidator(check)


def _key(key: str) -> str:
    try:
        return check_key(key)
    except BadRequest as err:  # the domain's rule, as a validation message
        raise ValueError(err.message) from None


MetaarrayKey = Annotated[StrictStr, AfterValidator(_key)]
MetaarrayValue = Annotated[StrictStr, _bytes_at_most(MAX_VALUE_BYTES, "a sorted_metaarray value")]


class MetaarrayItem(Strict):
    key: MetaarrayKey
    value: Annotated[list[MetaarrayValue], Field(max_length=MAX_VALUES)]


def _distinct_keys(items: list[MetaarrayItem]) -> list[MetaarrayItem]:
    seen: set[str] = set()
    for item in items:
        if item.key in seen:
            raise ValueError(f"the key {item.key!r} appears twice")
        seen.add(item.key)
    return items


Metaarray = Annotated[list[MetaarrayItem], Field(max_length=MAX_KEYS), AfterValidator(_distinct_keys)]
NonEmptyMetaarray = Annotated[
    list[MetaarrayItem], Field(min_length=1, max_length=MAX_KEYS), AfterValidator(_distinct_keys)
]


def items(metaarray: list[MetaarrayItem]) -> Items:
    return [(item.key, list(item.value)) for item in metaarray]


class MessageSend(Strict):
    user_id: ResourceId
    message: Annotated[StrictStr, _bytes_at_most(MAX_MESSAGE_BYTES, "message")]
    data: Annotated[StrictStr, _bytes_at_most(MAX_DATA_BYTES, "data")] = ""
    sorted_metaarray: Metaarray = Field(default_factory=list)
    meta: Meta = Field(default_factory=dict)


class MetaarrayCreate(Strict):
    sorted_metaarray: NonEmptyMetaarray


class MetaarrayUpdate(Strict):
    sorted_metaarray: NonEmptyMetaarray
    mode: Mode = Mode.ADD
    upsert: StrictBool = False


class MetaarrayEntry(Model):
    key: str
    value: list[str]


class Message(Model):
    message_id: int
    channel_url: str
    user_id: str
    message: str
    data: str
    sorted_metaarray: list[MetaarrayEntry]
    meta: dict[str, Any]
    created_at: int
