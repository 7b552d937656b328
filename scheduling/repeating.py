"""A job that runs every so many seconds, for the jobs that read their work from the database.

A late run is worth doing once; more than one interval late, the next run does the work, and
runs never overlap. The first run is one interval after start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import Application

JobCallback = Callable[[Any], Coroutine[Any, Any, Any]]


def run_every(
    application: Application,  # type: ignore[type-arg]
    callback: JobCallback,
    seconds: int,
    name: str,
) -> None:
    if application.job_queue is None:
        return
    application.job_queue.run_repeating(
        callback, interval=seconds, first=seconds, name=name,
        job_kwargs={"misfire_grace_time": seconds, "coalesce": True, "max_instances": 1},
    )
