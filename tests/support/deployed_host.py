"""Root on a deployed test host over SSH, as an operator reaches it, for the tests of deployed hosts
(tests/deployed) and the faults-and-load benchmark (benchmarks/faults_load.py)."""

from __future__ import annotations

import json
import secrets
import subprocess
from dataclasses import dataclass
from typing import Any

# ella-cli reads the users file as the ELLA user: a scratch place that user owns (ella_fixtures creates it)
USERS_WORK_DIR = "/var/lib/ella/fixtures-work"


class RemoteCommandError(RuntimeError):
    """A command on the host exited non-zero."""


@dataclass
class DeployedHost:
    address: str
    key: str
    timeout: float = 600

    def argv(self, command: str) -> list[str]:
        return [
            "ssh",
            "-i",
            self.key,
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            f"root@{self.address}",
            command,
        ]

    def run(self, command: str, stdin: str | bytes | None = None, check: bool = True) -> str:
        """The command's standard output; RemoteCommandError when it fails (unless check is False). stdin
        may be text or bytes (an archive)."""
        data = stdin.encode() if isinstance(stdin, str) else stdin
        done = subprocess.run(self.argv(command), input=data, capture_output=True, timeout=self.timeout, check=False)
        if check and done.returncode != 0:
            raise RemoteCommandError(f"{command}: exit {done.returncode}\n{done.stderr.decode(errors='replace')}")
        return done.stdout.decode()

    def cli_json(self, *args: str, stdin: str | None = None) -> Any:
        """`ella-cli ARGS --json` through the admin wrapper; its last output line parsed."""
        return json.loads(self.run("ella-cli " + " ".join(args) + " --json", stdin).strip().splitlines()[-1])

    def add_user(self, prefix: str, first_name: str, last_name: str, group: str = "testgroup01") -> tuple[str, str]:
        """A user nobody has seen before, deposited the production way (a users.json and `ella-cli users
        add_many` on the host); returns its name and the one-time password from the command's JSON."""
        username = f"{prefix}{secrets.token_hex(3)}"
        entry = [
            {
                "username": username,
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
                "group": group,
            }
        ]
        path = f"{USERS_WORK_DIR}/{username}.json"
        self.run(f"install -o ella -g ella -m 0600 /dev/stdin {path}", stdin=json.dumps(entry))
        try:
            result = self.cli_json("users", "add_many", path)
        finally:
            self.run(f"rm -f {path}")
        if result.get("created") != 1:
            raise RemoteCommandError(f"users add_many did not create {username}: {result}")
        return username, result["passwords"][username]
