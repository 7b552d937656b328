"""The performance table: one row per figure, with its target and whether it was met."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import TELEGRAM_LIMIT, percentile

if TYPE_CHECKING:
    from bench.latency import Timings
    from bench.memory import MemoryFigures
    from bench.pictures import PictureFigures
    from bench.reminders import ReminderFigures
    from bench.startup import Start

SECTIONS = ("latency", "broadcast", "reminders", "startup", "memory", "pictures")
STARTUP_TARGET = 1.5
BROADCAST_TARGET = 0.95
REMINDER_TARGET = 0.9
MEMORY_TARGET = 120.0
GROWTH_TARGET = 5.0


@dataclass
class Row:
    figure: str
    measured: str
    target: str
    met: bool | None  # None: not measured (an error, or left out)


@dataclass
class Figures:
    """Whatever was measured; None for a section that was left out or failed."""

    latency: list[Timings] | None = None
    broadcast: dict[str, object] | None = None
    reminders: ReminderFigures | None = None
    startup: list[Start] | None = None
    memory: MemoryFigures | None = None
    pictures: PictureFigures | None = None
    certificates: PictureFigures | None = None


def _ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):.1f} ms, p99 {percentile(values, 0.99):.1f} ms"


def latency_rows(timings: list[Timings] | None) -> list[Row]:
    from bench.latency import KINDS, TARGETS

    if timings is None:
        return [Row(f"Update handling: {kind}, ours / echo bot", "not measured",
                    f"≤ {TARGETS[kind]:.1f}×", None) for kind in KINDS]
    return [
        Row(
            f"Update handling: {t.kind}, ours / echo bot",
            f"**{t.ratio:.2f}×** (p99 {t.ratio_p99:.2f}×): ours {_ms(t.ours)}; "
            f"echo {_ms(t.echo)}",
            f"≤ {t.target:.1f}×",
            t.ratio <= t.target,
        )
        for t in timings
    ]


def broadcast_row(figures: dict[str, object] | None) -> Row:
    name = "Broadcast rate (announcement)"
    target = f"≥ {BROADCAST_TARGET} of {TELEGRAM_LIMIT}/s"
    if figures is None:
        return Row(name, "not measured", target, None)
    rate = float(str(figures["rate"]))
    clean = figures["too_many"] == figures["duplicates"] == figures["lost"] == 0
    return Row(
        f"{name}, {figures['recipients']} recipients",
        f"**{rate:.3f}** of the limit; 429 answers {figures['too_many']}, "
        f"duplicates {figures['duplicates']}, lost {figures['lost']}",
        target + "; 0, 0, 0",
        rate >= BROADCAST_TARGET and clean,
    )


def reminder_row(figures: ReminderFigures | None) -> Row:
    name = "Reminder rate (one round)"
    target = f"≥ {REMINDER_TARGET} of {TELEGRAM_LIMIT}/s"
    if figures is None:
        return Row(name, "not measured", target, None)
    return Row(
        f"{name}, {figures.participants} participants",
        f"**{figures.fraction:.3f}** of the limit; 429 answers {figures.too_many}, "
        f"duplicates {figures.duplicates}, lost {figures.lost}, "
        f"second round sent {figures.second_round}",
        target + "; 0, 0, 0, 0",
        figures.ok,
    )


def startup_row(starts: list[Start] | None) -> Row:
    import statistics

    name = "Start-up of `wijkbot run` until polling"
    target = f"< {STARTUP_TARGET} s"
    if not starts:
        return Row(name, "not measured", target, None)
    median = statistics.median(s.seconds for s in starts)
    runs = ", ".join(f"{s.seconds:.2f}" for s in starts)
    cpu = statistics.median(s.cpu for s in starts)
    return Row(f"{name} (median of {len(starts)})",
               f"**{median:.2f} s** (runs: {runs} s; processor time {cpu:.2f} s)",
               target, median < STARTUP_TARGET)


def memory_rows(figures: MemoryFigures | None) -> list[Row]:
    names = ("Resident memory after the updates", "Memory growth, second half of the updates")
    targets = (f"< {MEMORY_TARGET:.0f} MB", f"< {GROWTH_TARGET:.0f} MB")
    if figures is None:
        return [Row(name, "not measured", target, None) for name, target in zip(
            names, targets, strict=True)]
    half = figures.updates // 2
    return [
        Row(
            f"Resident memory after {figures.updates:,} updates",
            f"**{figures.end_mb:.1f} MB** ({figures.start_mb:.1f} MB at start; "
            f"{figures.users:,} people)",
            targets[0],
            figures.end_mb < MEMORY_TARGET,
        ),
        Row(
            f"Memory growth from {half:,} to {figures.updates:,} updates",
            f"**{figures.growth_mb:+.1f} MB** ({figures.half_mb:.1f} → {figures.end_mb:.1f} MB)",
            targets[1],
            figures.growth_mb < GROWTH_TARGET,
        ),
    ]


def picture_row(figures: PictureFigures | None) -> Row:
    from bench.pictures import PEOPLE, SESSIONS, TARGET_MS

    return _drawing_row(f"Attendance picture, {PEOPLE} people × {SESSIONS} sessions",
                        figures, TARGET_MS)


def certificate_row(figures: PictureFigures | None) -> Row:
    from bench.pictures import CERTIFICATE_TARGET_MS

    return _drawing_row("Certificate PDF, one long name", figures, CERTIFICATE_TARGET_MS)


def _drawing_row(name: str, figures: PictureFigures | None, target_ms: float) -> Row:
    target = f"< {target_ms:.0f} ms"
    if figures is None:
        return Row(name, "not measured", target, None)
    return Row(name, f"**{figures.median_ms:.0f} ms** (median of {figures.renders}; the first "
               f"in a process {figures.first_ms:.0f} ms; {figures.size_bytes:,} bytes)",
               target, figures.median_ms < target_ms)


def rows(figures: Figures) -> list[Row]:
    return [
        *latency_rows(figures.latency),
        broadcast_row(figures.broadcast),
        reminder_row(figures.reminders),
        startup_row(figures.startup),
        *memory_rows(figures.memory),
        picture_row(figures.pictures),
        certificate_row(figures.certificates),
    ]


def verdict(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "—"}[met]


def render(table: list[Row]) -> str:
    """A Markdown table (readable as it is in a terminal)."""
    lines = ["| figure | measured | target | result |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.figure} | {r.measured} | {r.target} | {verdict(r.met)} |" for r in table]
    return "\n".join(lines)


def machine() -> str:
    """Where the figures were measured: date, processor, cores, Python, load."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at the start"
    return (f"{dt.date.today().isoformat()}, {model}, {os.cpu_count()} cores, "
            f"Python {sys.version.split()[0]}, {platform.system()}{load}")
