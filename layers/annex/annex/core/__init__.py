"""Pure types and constants shared by every layer: no I/O, imports no other annex package."""
