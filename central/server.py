"""Running the API under uvicorn: in the foreground (CLI) or on a background thread (tests)."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import uvicorn

from central.app import create_app
from central.db import Database


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves, so port 0 gives a free port we can report.

    Made as a TCP socket by name (not protocol 0): connections accepted from it inherit that, and
    asyncio turns Nagle's algorithm off only for those. Left on, a response whose headers and body
    go out in two writes waited for the client's delayed acknowledgement: 40 ms on every small answer.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    db: Database, host: str, port: int, *, port_file: Path | None = None, heartbeat_seconds: float = 15.0
) -> None:
    """Serve until interrupted; with ``port_file``, write the URL there once listening."""
    sock = bind(host, port)
    config = uvicorn.Config(
        create_app(db, heartbeat_seconds=heartbeat_seconds), log_level="info", access_log=False
    )
    server = uvicorn.Server(config)
    if port_file is not None:
        tmp = port_file.with_suffix(".tmp")
        tmp.write_text(url_of(sock))
        os.replace(tmp, port_file)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        db.dispose()


class ServerThread:
    """The real server on a loopback port in a background thread (tests, benchmarks)."""

    def __init__(
        self, db: Database, host: str = "127.0.0.1", heartbeat_seconds: float = 15.0, port: int = 0
    ) -> None:
        self.db = db
        self._sock = bind(host, port)  # a given port lets a test stop a server and bring it back there
        self.url = url_of(self._sock)
        config = uvicorn.Config(
            create_app(db, heartbeat_seconds=heartbeat_seconds),
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> ServerThread:
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server thread died while starting")
            threading.Event().wait(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
