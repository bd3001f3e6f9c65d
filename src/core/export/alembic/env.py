"""Alembic environment, written by plinth.

The database URL comes from the DATABASE_URL environment variable, e.g.
postgresql://user:password@localhost:5432/app (postgres:// works too, and
so does a URL naming its driver, such as postgresql+psycopg://...; without
one, psycopg2 is used when installed, else psycopg 3).

target_metadata comes from the models module named by PLINTH_MODELS or by
`plinth_models` in alembic.ini (default: `models`, a models.py beside
alembic.ini, as `plinth export sqlmodel DESIGN -o models.py` writes it). The
module's `metadata` is used, or SQLModel's when it has none. Without such a
module the migrations still run; only `alembic check` and autogenerate need
the metadata.

Each revision runs in its own transaction; statements that may not run in
one (CREATE INDEX CONCURRENTLY, enum values a revision uses) are in
autocommit blocks inside the revision.
"""

import importlib
import importlib.util
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit(
            "DATABASE_URL is not set; e.g. "
            "DATABASE_URL=postgresql://user:password@localhost:5432/app alembic upgrade head"
        )
    scheme, sep, rest = url.partition("://")
    if sep and scheme in ("postgres", "postgresql"):
        # No driver named: use whichever one is installed (SQLAlchemy 2.1
        # would pick psycopg 3, older versions psycopg2).
        url = f"postgresql+{installed_driver()}://{rest}"
    return url


def installed_driver() -> str:
    for module, driver in (("psycopg2", "psycopg2"), ("psycopg", "psycopg")):
        if importlib.util.find_spec(module) is not None:
            return driver
    return "psycopg2"


def load_target_metadata():
    name = os.environ.get("PLINTH_MODELS") or config.get_main_option(
        "plinth_models", "models"
    )
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        return None
    metadata = getattr(module, "metadata", None)
    if metadata is None:
        from sqlmodel import SQLModel

        metadata = SQLModel.metadata
    return metadata


target_metadata = load_target_metadata()


def run_migrations_offline() -> None:
    """Write the SQL to standard output instead of running it (--sql)."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        transaction_per_migration=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    section = config.get_section(config.config_ini_section, {})
    section["sqlalchemy.url"] = database_url()
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            transaction_per_migration=True,
            compare_server_default=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
