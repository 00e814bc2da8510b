"""Command-line entry points for consortium admins and members (the `bcmlp` CLI grows here)."""
