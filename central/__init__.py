"""The reference central API server: contract v1 on FastAPI, SQLite or PostgreSQL."""

__version__ = "0.1.0"
