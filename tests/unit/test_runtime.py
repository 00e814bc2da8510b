"""bcmlp's processes run their coroutines on uvloop's event loop (gateway/runtime.py)."""

import asyncio

import uvloop

from gateway import runtime


def test_run_runs_the_coroutine_on_uvloop_and_returns_its_result() -> None:
    async def loop_type() -> type:
        return type(asyncio.get_running_loop())

    assert runtime.run(loop_type()) is uvloop.Loop
