"""Database access: one engine, one session factory, migrations applied at start-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, DateTime, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, with_loader_criteria
from sqlalchemy.types import TypeDecorator

from bot.schema_version import schema_is_current

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig


class TZDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that refuses naive datetimes, is stored in UTC and read back aware (UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; attach a timezone")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"unexpected timestamp value {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Where a session of an edition's view keeps the edition (Session.info).
EDITION_KEY = "edition_id"


class Database:
    """The engine and session factory. Services open one short transaction per operation.

    :meth:`scoped` gives the view of one edition: the same engine, with sessions that see
    only that edition's rows of every edition-scoped table and stamp new rows with it (see
    :func:`_only_this_edition` and :func:`_stamp_new_rows`).
    """

    edition_id: int | None = None

    def __init__(self, url: str, *, echo: bool = False, lock_timeout: float = 8.0) -> None:
        self.url = url
        self._root = self
        self.engine: AsyncEngine = create_async_engine(
            url, echo=echo, **_engine_options(url, lock_timeout)
        )
        if self.engine.dialect.name == "sqlite":
            milliseconds = round(lock_timeout * 1000)

            def pragmas(dbapi_connection: Any, _record: Any) -> None:
                _sqlite_pragmas(dbapi_connection, milliseconds)

            event.listen(self.engine.sync_engine, "connect", pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def scoped(self, edition_id: int) -> Database:
        """This database as one edition sees it (shares the engine; closing it does nothing)."""
        view = object.__new__(Database)
        view.url, view.engine, view._root = self.url, self.engine, self._root
        view.edition_id = edition_id
        view.sessions = async_sessionmaker(self.engine, expire_on_commit=False,
                                           info={EDITION_KEY: edition_id})
        return view

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside a transaction: committed on success, rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration (creates it on an empty database).

        On SQLite, foreign keys are off while migrating: a migration that alters a table
        copies it (batch mode), and dropping the old copy with foreign keys on would cascade
        into every row that refers to it. The keys are checked before they go back on.
        """
        async with self.engine.connect() as connection:
            if await connection.run_sync(schema_is_current):
                return  # the usual case; Alembic is not even imported
        async with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # only possible outside a transaction
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                await connection.commit()
            try:
                async with connection.begin():
                    await connection.run_sync(_upgrade_to_head)
                    if sqlite:
                        broken = await connection.exec_driver_sql("PRAGMA foreign_key_check")
                        if broken.first() is not None:
                            raise RuntimeError("a migration left rows with broken references")
            finally:
                if sqlite:
                    await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    await connection.commit()

    async def close(self) -> None:
        if self._root is self:
            await self.engine.dispose()


@event.listens_for(Session, "do_orm_execute")
def _only_this_edition(state: ORMExecuteState) -> None:
    """In an edition's view, every query, update and delete sees that edition's rows only
    (also through joins, and for ``session.get``)."""
    edition_id = state.session.info.get(EDITION_KEY)
    if edition_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    from bot.models import EditionScoped

    state.statement = state.statement.options(with_loader_criteria(
        EditionScoped, lambda cls: cls.edition_id == edition_id, include_aliases=True,
        track_closure_variables=False,
    ))


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session: Session, _context: UOWTransaction, _instances: object) -> None:
    """New rows of edition-scoped tables belong to the view's edition."""
    edition_id = session.info.get(EDITION_KEY)
    if edition_id is None:
        return
    from bot.models import EditionScoped

    for row in session.new:
        if isinstance(row, EditionScoped) and getattr(row, "edition_id", None) is None:
            row.edition_id = edition_id


def _engine_options(url: str, lock_timeout: float) -> dict[str, Any]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": lock_timeout}}
    options: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_driver_name() == "asyncpg":
        milliseconds = str(round(lock_timeout * 1000))
        options["connect_args"] = {
            "server_settings": {"lock_timeout": milliseconds},
            "timeout": max(lock_timeout, 1.0),  # connecting to a server that is down
        }
    return options


def _sqlite_pragmas(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL this never corrupts the file and survives a killed process; only a power cut
    # can lose the last commits. It spares an fsync per transaction (/start, check-in).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig  # imported when needed: it is slow

    config = AlembicConfig()
    config.set_main_option("script_location", str(resources.files("bot").joinpath("migrations")))
    return config


def _upgrade_to_head(connection: Connection) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
