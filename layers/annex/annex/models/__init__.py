"""Request and response models (pydantic v2); they also generate the OpenAPI document.

Every model derives from ``Model``, whose validator and schema are built on first use (the first
request that validates or answers it, the OpenAPI document), not when its module is imported: a
function's cold start builds only the models its requests need, when they need them.
"""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
