"""Wijkbot's core: configuration, database, programme, services, application and CLI."""

import sys

# httpx imports its own command-line tool (rich, pygments, click: about 5 MB of memory) when
# those packages happen to be installed; the bot never uses it. A None entry in sys.modules
# makes that optional import fail, and httpx carries on without it.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
