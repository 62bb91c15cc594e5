"""Request and response models (pydantic v2); they also generate the OpenAPI document."""
