"""How groups are named in texts: the kind of group in Dutch."""

from __future__ import annotations

from bot.catalogue import plain
from bot.services.groups import GroupKind


def group_kind_label(kind: str) -> str:
    return plain(
        "groups.kind_intervisie" if kind == GroupKind.INTERVISIE else "groups.kind_eindopdracht"
    )
