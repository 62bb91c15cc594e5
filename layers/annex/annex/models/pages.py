"""The page every list answers: ``{"data": [...], "next": cursor | null}``."""

from annex.models import Model


class Page[T](Model):
    """Up to ``limit`` items, and the cursor of the rest (null exactly when nothing follows)."""

    data: list[T]
    next: str | None
