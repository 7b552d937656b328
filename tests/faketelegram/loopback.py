"""Serve the fake on a real 127.0.0.1 port, for a bot running in another process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from .server import FakeTelegram


@asynccontextmanager
async def serve_on_loopback(fake: FakeTelegram, port: int = 0) -> AsyncIterator[str]:
    """Run uvicorn in this event loop; yields the base_url "http://127.0.0.1:<port>/bot".

    With port=0 the system picks a free port. On exit, waiting getUpdates long polls are
    released and the server shuts down cleanly.
    """
    config = uvicorn.Config(
        fake.app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    config.load()
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    bound = server.servers[0].sockets[0].getsockname()[1]
    main_loop = asyncio.create_task(server.main_loop())
    try:
        yield f"http://127.0.0.1:{bound}/bot"
    finally:
        fake.release_polls()
        server.should_exit = True
        await main_loop
        await server.shutdown()
