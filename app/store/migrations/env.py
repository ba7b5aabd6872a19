"""Alembic's environment: migrations run on the connection the caller hands over (see tact.store.migrate)."""
from alembic import context

from tact.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `tact db upgrade`, which connects to TACT_DATABASE_URL")
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
