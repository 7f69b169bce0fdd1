"""Async use cases of the app, free of Qt and HTTP: they talk to the central API through Protocols."""
