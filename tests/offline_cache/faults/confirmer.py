"""The R3 child: confirms actions as fast as it can until it is killed with SIGKILL.

Started once as ``python -m tests.offline_cache.faults.confirmer``, it pays the imports once and then
forks one confirming child per ``fork OUTBOX TERMINAL`` line on stdin (a zygote: a fresh interpreter
per kill would spend its time importing). It prints ``pid <n>`` for each child and, once the child
is dead, ``reaped <n>``. Each child opens the outbox, prints ``ready``, then for each action opens a
draft, submits it (one durable commit) and only then prints ``confirmed <action_id>``: the way the
UI confirms to the associate after the outbox commit.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

from offline_cache.outbox import Outbox


def _say(line: str) -> None:
    # One write per line: a pipe write under PIPE_BUF is atomic, so a kill never leaves half a line.
    os.write(1, (line + "\n").encode())


def confirm_forever(path: Path, terminal_id: str) -> None:
    outbox = Outbox.open(path, terminal_id)
    _say("ready")
    n = 0
    while True:
        n += 1
        draft = outbox.open_draft("cart", {"n": n})
        order = {"order_id": str(uuid.uuid4()), "lines": [{"sku": "SKU-1", "qty": 1, "location_id": "S"}]}
        action = outbox.submit(draft, "order.create", order, None, "kiosk:r3")
        _say(f"confirmed {action.action_id}")


def main() -> None:
    for command in sys.stdin:
        verb, path, terminal_id = command.split()
        if verb != "fork":
            raise SystemExit(f"unknown command {verb!r}")
        # The child starts once its pid is said: else its "ready" could come first on the shared stdout.
        said, say_go = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(say_go)
                os.read(said, 1)
                confirm_forever(Path(path), terminal_id)
            finally:
                os._exit(1)
        os.close(said)
        _say(f"pid {pid}")
        os.write(say_go, b"!")
        os.close(say_go)
        os.waitpid(pid, 0)
        _say(f"reaped {pid}")


if __name__ == "__main__":
    main()
