"""Every performance figure of the bot, measured in one go and printed as one table.

Run from the repository root:  python bench/run.py [--quick] [--only latency,startup]
(or python -m bench). Takes about five minutes; --quick takes one or two and gives rough
figures from smaller samples. Numbers are printed, never asserted.

- Update handling (bench/latency.py): our bot against a bare python-telegram-bot echo bot
  in the same run, through the same in-process fake Telegram; the ratio ours/echo of the
  median time from update to reply, for /start, a question and a check-in.
- Broadcast and reminder rates (bench/broadcast.py, bench/reminders.py) as fractions of
  Telegram's 30 messages per second, against the fake enforcing that limit.
- Start-up (bench/startup.py): `wijkbot run` as a new process, until its first getUpdates.
- Memory (bench/memory.py): resident memory of `wijkbot run` after 5,000 and 10,000 updates.
- Pictures (bench/pictures.py): drawing the attendance picture of 30 people by 20 sessions,
  and one certificate PDF.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sizes:
    samples: int  # per kind of update
    recipients: int  # of the broadcast
    participants: int  # of the reminder round
    starts: int
    updates: int  # for the memory figure
    people: int  # sending them
    renders: int  # attendance pictures


FULL = Sizes(samples=200, recipients=1500, participants=1500, starts=5, updates=10_000,
             people=2_000, renders=20)
QUICK = Sizes(samples=40, recipients=200, participants=200, starts=2, updates=1_000, people=200,
              renders=5)


def step(name: str, measure: Callable[[], T]) -> T | None:
    """Run one benchmark; on failure say why and go on with the others."""
    print(f"measuring {name} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        result = measure()
    except Exception:
        traceback.print_exc()
        print(f"{name}: FAILED, left out of the table", file=sys.stderr, flush=True)
        return None
    print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench import broadcast, latency, memory, pictures, reminders, startup
    from bench.common import use_repository
    from bench.table import SECTIONS, Figures, machine, render, rows

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples, rough figures")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections of {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    use_repository()
    sizes = QUICK if args.quick else FULL
    where = machine()
    started = time.perf_counter()

    figures = Figures()
    if "latency" in only:
        figures.latency = step("update handling", lambda: latency.measure(sizes.samples))
    if "broadcast" in only:
        figures.broadcast = step("broadcast", lambda: broadcast.measure(sizes.recipients))
    if "reminders" in only:
        figures.reminders = step("reminders", lambda: reminders.measure(sizes.participants))
    if "startup" in only:
        figures.startup = step("start-up", lambda: startup.measure(sizes.starts))
    if "memory" in only:
        figures.memory = step("memory", lambda: memory.measure(sizes.updates, sizes.people))
    if "pictures" in only:
        figures.pictures = step("pictures", lambda: pictures.measure(sizes.renders))
        figures.certificates = step(
            "certificate", lambda: pictures.measure_certificate(sizes.renders)
        )

    table = rows(figures)
    minutes = (time.perf_counter() - started) / 60
    print()
    print(f"Wijkbot performance, {'quick run' if args.quick else 'full run'} "
          f"({minutes:.1f} minutes): {where}")
    print()
    print(render(table))
    print()
    print("Reproduce: .venv/bin/python bench/run.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
