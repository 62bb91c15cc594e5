from enum import StrEnum


class EventType(StrEnum):
    CRASH = "crash"
    GESTURE = "gesture"
    IDENTIFY = "identify"
    SCREEN = "screen"
    TRACK = "track"

    def __str__(self) -> str:
        return str(self.value)
