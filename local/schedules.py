"""Scheduled functions (``Schedule`` events in template.yaml) for `make run`: each runs on its
rate, or every ``LOCAL_SCHEDULE_SECONDS`` when set (tests use a short one)."""

from __future__ import annotations

import logging
import os
import threading
import uuid

from local.gateway import Containers
from local.template import Function

log = logging.getLogger("local.schedules")


class Scheduler:
    def __init__(self, schedules: list[tuple[Function, float]]):
        override = os.environ.get("LOCAL_SCHEDULE_SECONDS")
        self.jobs = [(Containers(f, isolated=True), float(override) if override else s) for f, s in schedules]
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=job, daemon=True) for job in self.jobs]

    def start(self) -> Scheduler:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=5)
        for containers, _ in self.jobs:
            containers.stop()

    def _run(self, containers: Containers, seconds: float) -> None:
        while not self.stopped.wait(seconds):
            try:
                containers.invoke({"source": "aws.events", "detail-type": "Scheduled Event", "id": str(uuid.uuid4())})
            except Exception:  # a failed run is logged; the next one tries again, as on AWS
                log.exception("scheduled run of %s failed", containers.function.logical_id)
