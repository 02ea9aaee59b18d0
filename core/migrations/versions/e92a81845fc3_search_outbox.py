"""Search outbox: mentor-profile changes waiting for the search index.

Each row names a mentor whose profile changed, written in the transaction that changed
it; the indexer drains the rows in ``id`` order. On SQLite the key is declared
AUTOINCREMENT so that an id is never reused once the table has been emptied. Existing
profiles reach the index through ``tremplin search reindex``.

Revision ID: e92a81845fc3
Revises: ce8f4634d776
Create Date: 2026-11-30 02:13:23.451084
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = "e92a81845fc3"
down_revision: str | None = "ce8f4634d776"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_outbox_mentor_id"), ["mentor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_outbox_mentor_id"))
    op.drop_table("search_outbox")
