"""Request and response models (pydantic v2); they also generate the OpenAPI document.

Every model derives from ``Model``, whose validator and schema are built on first use (the first
request that validates or answers it, the OpenAPI document), not when its module is imported: a
function's cold start builds only the models its requests need, when they need them.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictStr

# A user's, channel's or session's id. Here, with ``Strict``, so that a module of bodies imports no
# other module's models (the events function loads only the sessions' bodies).
ResourceId = Annotated[StrictStr, Field(min_length=1, max_length=255)]


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)


class Strict(Model):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
