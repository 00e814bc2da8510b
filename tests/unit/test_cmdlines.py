"""The command-line watcher of tests/cmdlines.py sees a short-lived process and reports its secret."""

from __future__ import annotations

import subprocess
import time

from tests.cmdlines import watch_command_lines


def test_watch_sees_a_short_lived_process_and_reports_the_secret_masked() -> None:
    secret = f"not-a-secret-{time.monotonic_ns()}"
    with watch_command_lines() as seen:
        subprocess.run(["sh", "-c", "sleep 0.1", secret], check=True)
    assert seen.samples >= 3
    leaks = seen.leaks([secret, "absent-value-0123"])
    assert leaks == [f"sh -c sleep 0.1 {secret[:4]}****"]
