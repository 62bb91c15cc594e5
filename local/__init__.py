"""Laptop mode: the same functions behind a local API Gateway, over an embedded DynamoDB-compatible engine."""
