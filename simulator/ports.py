"""A free TCP port on 127.0.0.1, for whoever starts a server of its own.

The one copy in the project: the simulator's harness (:mod:`simulator.testing`), the demo driver,
the load test and the tests all take their ports here. It lives in the simulator package because
that package imports nothing of the project, so every layer may use it.
"""

from __future__ import annotations

import socket


def free_port(preferred: int = 0) -> int:
    """``preferred`` when nothing listens there, else a port the system hands out.

    The port is only known to be free when this returns: a server started right after takes it
    (good enough on one machine; nothing else here hands out ports at random).
    """
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port on 127.0.0.1")
