"""Local full-text search over captured messages and contacts (SQLite FTS5, in memory)."""
