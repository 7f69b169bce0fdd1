"""The local store, outbox and sync engine: standard library and sqlite-utils only, usable headless.

- ``outbox``: durable ``outbox.db`` (drafts, queued actions with per-install seq, audit chain).
- ``cache_store``: disposable ``cache.db`` (pulled streams, cursors, reads with the outbox overlay).
- ``remote`` / ``protocol``: the central API as a Protocol, and the pure wire parsing both transports use.
- ``puller`` / ``pusher`` / ``engine``: asyncio sync; ``http_remote`` + ``cli``: the ``kiosk-sync`` daemon.
- ``bulk_writer``: the child process that reads and writes a full load's pages off the app's process.
- ``search``: the catalog search index in ``cache.db`` and its as-you-type reads.
"""
