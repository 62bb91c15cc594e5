"""Annex shared layer: configuration, errors, HTTP wiring, models, domain rules and DynamoDB access."""
