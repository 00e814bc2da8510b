"""The event loop every bcmlp process runs its coroutines on: uvloop's, not asyncio's own.

Measured against a real peer, 64 calls in flight, client process CPU: a Gateway evaluate (build, sign,
call) costs 635 microseconds on asyncio's loop and 385 on uvloop's, a bare gRPC call 284 and 230: the
loop's own work per task, future and cross-thread wake-up (gRPC's completion thread wakes the loop for
every call). A whole submitted transaction (three calls, three signatures) at 64 in flight took 1.62,
2.16 and 1.64 ms of CPU on asyncio's loop and 1.34, 1.82 and 1.66 on uvloop's, runs alternating. On the
2-core machines the network shares, client CPU is throughput taken from the peers and orderers.

The tests' own coroutines run on asyncio's loop (pytest-asyncio's default); the processes they start (the
gateway services, the command line, the demo) run on this one. Putting the tests on uvloop through
pytest-asyncio's loop-factory hook parametrised the async tests, and a session fixture shared by sync and
async tests was then set up twice; overriding its event_loop_policy fixture is deprecated.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """run runs main to completion on a new uvloop event loop, as asyncio.run does on asyncio's."""
    return uvloop.run(main)
