"""Search: the port (``core.search.port``), its engines, and the outbox that keeps the
index following the database."""
