"""No secret reaches a process command line, which any local user can read in /proc/PID/cmdline.

The session's network was watched while it was made (tests/integration/conftest.py): the CAs' bootstrap
secrets travel at init, enrolment secrets at register and enroll, the Kubo nodes' bearer tokens when their
repos are configured, and the ledger's identities, channels and chaincode servers are made then too.
"""

from __future__ import annotations

from tests.cmdlines import run_dir_secrets
from tests.integration.conftest import RunningNetwork


def test_no_secret_reaches_a_command_line(network: RunningNetwork) -> None:
    seen = network.command_lines
    secrets = run_dir_secrets(network.run_dir)
    # CA bootstraps, node, admin and chaincode-server identities, API tokens, swarm key
    assert len(secrets) >= 5 + 12 + 4 + 4 + 1
    assert seen.leaks(secrets) == []
    # Sampling can miss a process shorter than its interval: these tools, which used to carry the
    # secrets or start with the ledger, were seen, so a leak of theirs would have been caught.
    for tool in (
        "fabric-ca-server init",
        "fabric-ca-client register",
        "fabric-ca-client enroll",
        "ipfs config",
        "peer node start",
        "osnadmin channel join",
    ):
        assert seen.containing(tool), f"no '{tool}' seen in {seen.samples} samples"
