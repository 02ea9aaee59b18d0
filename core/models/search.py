"""The search index's transactional outbox.

A mentor-profile change adds a row here in the transaction that makes it, so the row
commits if and only if the change does; the indexer (``core.search.outbox.drain``) reads
the rows in ``id`` order, indexes the mentors as they are then, and deletes the rows it
handled. No foreign key: a row must outlive whatever happens to the profile (its
deletion is a change the index must hear about too).
"""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from core.models.base import created_at_field


class SearchOutbox(SQLModel, table=True):
    __tablename__ = "search_outbox"
    # SQLite would otherwise reuse the ids of a table drained empty.
    __table_args__ = {"sqlite_autoincrement": True}

    # Autoincremented, so rows are drained in the order they were written.
    id: int | None = Field(default=None, primary_key=True, sa_column_kwargs={"autoincrement": True})
    mentor_id: uuid.UUID = Field(index=True)
    created_at: datetime = created_at_field()
