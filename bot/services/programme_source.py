"""The programme in force of one edition: read from the configured file (the first edition,
and /herladen reads it again) or from the edition's stored text (a later edition, or a
programme file a coordinator sent; bot/services/programme_uploads.py)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot.programme import Programme, load_programme, parse_programme


class ProgrammeSource:
    """Holds the current programme; services that need it get :meth:`current` to call."""

    def __init__(
        self, path: Path | None, timezone: ZoneInfo, *, key_prefix: str = "",
        text: str | None = None, name: str = "",
    ) -> None:
        self._path = path
        self._timezone = timezone
        self._prefix = key_prefix
        self._programme = (
            load_programme(path, timezone, key_prefix) if text is None
            else parse_programme(text, name, timezone, key_prefix)
        )

    @property
    def timezone(self) -> ZoneInfo:
        return self._timezone

    @property
    def key_prefix(self) -> str:
        return self._prefix

    def current(self) -> Programme:
        return self._programme

    def use(self, programme: Programme) -> None:
        """Put a programme that was checked elsewhere (an applied upload) in force."""
        self._programme = programme

    def reload(self) -> Programme:
        """Read the configured file again; raises ProgrammeError and keeps the old programme
        if invalid."""
        self._programme = load_programme(self._path, self._timezone, self._prefix)
        return self._programme
