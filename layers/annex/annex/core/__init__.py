"""Pure types and constants shared by every layer: no I/O, imports no other annex package."""

MAX_ID_CHARS = 255  # a user's or channel's id (the resources' rules, and the filters and lists that name one)
