"""ruff and mypy are part of the test command: a lint or type error fails the build."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_finds_nothing() -> None:
    result = run_tool("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing() -> None:
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


# -- import direction -------------------------------------------------------------------------
#
# handlers/ (Telegram updates) may use bot/ and scheduling/; never the other way round, so
# the timed jobs and the services work without the handlers. bot/views/ (texts, keyboards,
# callback data) is shared by both sides and so imports neither. bot/app.py is the one
# composition root: it builds the Application and registers the handlers and the jobs.

COMPOSITION_ROOTS = {"bot/app.py"}
FORBIDDEN = {
    "bot": ("handlers",),
    "scheduling": ("handlers",),
    "bot/views": ("handlers", "scheduling"),
}


def imported(source: str) -> set[str]:
    """Every absolute module an ``import`` or ``from … import`` names, anywhere in the file
    (also inside functions and ``if TYPE_CHECKING:``); ``from a import b`` gives a and a.b."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def violations(source: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        name
        for name in imported(source)
        if any(name == top or name.startswith(f"{top}.") for top in forbidden)
    )


def layer_violations() -> list[str]:
    problems = []
    for folder, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in COMPOSITION_ROOTS:
                continue
            for name in violations(path.read_text(encoding="utf-8"), forbidden):
                problems.append(f"{relative} imports {name}")
    return problems


def test_bot_and_scheduling_do_not_import_handlers() -> None:
    assert layer_violations() == []


def test_the_layer_check_finds_every_kind_of_import() -> None:
    wrong = [
        "import handlers",
        "import handlers.checkin as checkin",
        "from handlers import checkin",
        "from handlers.context import Context, services",
        "def later() -> None:\n    from handlers.checkin import here_markup\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import handlers.context\n",
    ]
    for source in wrong:
        assert violations(source, ("handlers",)), source
    fine = [
        "import handlers_extra",
        "from bot.handlers import x",
        "from bot.views.checkin import here_markup",
        "from . import handlers",
    ]
    for source in fine:
        assert violations(source, ("handlers",)) == [], source
    assert violations("from scheduling.changes import Notice", ("handlers", "scheduling"))
