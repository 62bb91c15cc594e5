from enum import StrEnum


class CounterMode(StrEnum):
    DECREASE = "decrease"
    INCREASE = "increase"
    SET = "set"

    def __str__(self) -> str:
        return str(self.value)
