from enum import StrEnum


class Status(StrEnum):
    COMPLETED = "COMPLETED"
    ERROR = "ERROR"
    RUNNING = "RUNNING"
    TIMED_OUT = "TIMED_OUT"

    def __str__(self) -> str:
        return str(self.value)
