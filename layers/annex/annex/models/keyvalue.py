"""Bodies of the key/value metadata and metacounter routes."""

from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr

from annex.core.keyvalue import (
    INT64_MAX,
    INT64_MIN,
    MAX_ITEMS_PER_REQUEST,
    MAX_KEY_CHARS,
    MAX_KEYS_PER_RESOURCE,
    MAX_VALUE_CHARS,
    CounterMode,
)
from annex.models import Strict


def _no_comma(key: str) -> str:
    if "," in key:
        raise ValueError("a key must not contain a comma")
    return key


Key = Annotated[StrictStr, Field(min_length=1, max_length=MAX_KEY_CHARS), AfterValidator(_no_comma)]
Value = Annotated[StrictStr, Field(max_length=MAX_VALUE_CHARS)]
Count = Annotated[StrictInt, Field(ge=INT64_MIN, le=INT64_MAX)]
MetadataItems = Annotated[dict[Key, Value], Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)]
CounterItems = Annotated[dict[Key, Count], Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)]
InitialMetadata = Annotated[dict[Key, Value], Field(max_length=MAX_ITEMS_PER_REQUEST)]
# Everything one resource may hold (a record that arrives whole, as annex-admin import brings it, is
# not one request of at most 5 items, but still one resource of at most 100 keys).
ResourceMetadata = Annotated[dict[Key, Value], Field(max_length=MAX_KEYS_PER_RESOURCE)]
ResourceCounters = Annotated[dict[Key, Count], Field(max_length=MAX_KEYS_PER_RESOURCE)]


class MetadataCreate(Strict):
    metadata: MetadataItems
    include_ts: StrictBool = False


class MetadataUpdate(Strict):
    metadata: MetadataItems
    upsert: StrictBool = False


class MetadataValueUpdate(Strict):
    value: Value
    upsert: StrictBool = False


class MetacounterCreate(Strict):
    metacounter: CounterItems


class MetacounterUpdate(Strict):
    metacounter: CounterItems
    mode: CounterMode = CounterMode.SET
    upsert: StrictBool = False


class MetacounterValueUpdate(Strict):
    value: Count
    mode: CounterMode = CounterMode.SET
    upsert: StrictBool = False
