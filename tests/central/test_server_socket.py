"""The central's listening socket: what connections accepted from it get."""

from __future__ import annotations

import asyncio
import socket

from central.server import bind


def test_accepted_connections_send_small_answers_at_once() -> None:
    """asyncio switches Nagle's algorithm off on what it accepts from our socket: a small answer
    written in two parts is not held back for the client's delayed acknowledgement (~40 ms)."""

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Record(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        listening = bind("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Record, sock=listening)
        try:
            _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
            value = await asyncio.wait_for(seen, 5)
            writer.close()
            return value
        finally:
            server.close()
            await server.wait_closed()

    assert asyncio.run(accepted_nodelay()) == 1
