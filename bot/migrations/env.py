"""Alembic environment: migrations run on the connection handed over by bot.database."""

from __future__ import annotations

from alembic import context

from bot.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through 'wijkbot db upgrade' (bot.database.Database)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
