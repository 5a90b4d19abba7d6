"""Sync with the platform's central PostgreSQL (optional): outbox push, policy pull, key rollout.

No Qt here. `central/` holds the centre's own Alembic migrations (a set apart from the local
ones in aidesk.storage); psycopg is imported only when a sync actually runs.
"""
