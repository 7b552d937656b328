"""Plain Dutch sentences for programme-file problems (CLI and /herladen share them)."""

from __future__ import annotations

from bot.catalogue import plain
from bot.programme import ProgrammeError


def describe_problems(error: ProgrammeError) -> list[str]:
    lines = []
    for problem in error.problems:
        sentence = plain(f"programme_check.{problem.code}", **problem.detail)
        lines.append(plain("programme_check.at", where=problem.where, sentence=sentence)
                     if problem.where else sentence)
    return lines
