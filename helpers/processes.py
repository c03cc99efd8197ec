"""Local processes and ports: what a notebook needs to run several workers on one machine (notebook 10's ring)
and what the tests need to start a local server. Only 127.0.0.1 is ever used."""

from __future__ import annotations

import socket

__all__ = ["free_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the caller binds it soon after; races are retried)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
