"""KPI values polled from a database: SQLite files through sqlite-utils, others through SQLAlchemy."""

from connectors.sql.connector import SqlConfig, SqlConnector

__all__ = ["SqlConfig", "SqlConnector"]
