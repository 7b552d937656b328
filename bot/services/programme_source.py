"""The programme in force: read from the file at start-up, read again by /herladen, or
replaced by a programme file a coordinator sent (bot/services/programme_uploads.py)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot.programme import Programme, load_programme


class ProgrammeSource:
    """Holds the current programme; services that need it get :meth:`current` to call."""

    def __init__(self, path: Path | None, timezone: ZoneInfo) -> None:
        self._path = path
        self._timezone = timezone
        self._programme = load_programme(path, timezone)

    def current(self) -> Programme:
        return self._programme

    def use(self, programme: Programme) -> None:
        """Put a programme that was checked elsewhere (an applied upload) in force."""
        self._programme = programme

    def reload(self) -> Programme:
        """Read the file again; raises ProgrammeError and keeps the old programme if invalid."""
        self._programme = load_programme(self._path, self._timezone)
        return self._programme
