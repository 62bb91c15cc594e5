from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.metacounter_create_metacounter import MetacounterCreateMetacounter


T = TypeVar("T", bound="MetacounterCreate")


@_attrs_define
class MetacounterCreate:
    """
    Attributes:
        metacounter (MetacounterCreateMetacounter):
    """

    metacounter: MetacounterCreateMetacounter

    def to_dict(self) -> dict[str, Any]:
        metacounter = self.metacounter.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "metacounter": metacounter,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metacounter_create_metacounter import MetacounterCreateMetacounter  # noqa: PLC0415

        d = dict(src_dict)
        metacounter = MetacounterCreateMetacounter.from_dict(d.pop("metacounter"))

        metacounter_create = cls(
            metacounter=metacounter,
        )

        return metacounter_create
