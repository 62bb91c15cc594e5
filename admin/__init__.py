"""annex-admin: manage applications and tokens of a deployed or local Annex stack."""
