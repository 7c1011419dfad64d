"""A real PostgreSQL server for the test session, started from the installed binaries."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["pg_bin", "postgres_server"]


def pg_bin() -> str | None:
    """The folder with initdb/pg_ctl, newest version first; None when PostgreSQL is not installed."""
    explicit = os.environ.get("LYDHOR_PG_BIN")
    candidates = [explicit] if explicit else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and os.path.exists(os.path.join(folder, "initdb")):
            return folder
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_server(bin_dir: str) -> Iterator[str]:
    """Start a throwaway server on a free loopback port; yields the admin DSN (user postgres, trust auth)."""

    def run(*cmd: str) -> None:
        argv = [os.path.join(bin_dir, cmd[0]), *cmd[1:]]
        if os.geteuid() == 0:  # initdb and pg_ctl refuse to run as root
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    root = tempfile.mkdtemp(prefix="lydhor-pg-")  # outside pytest's tmp_path, whose parents are root-only
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = os.path.join(root, "data")
    port = _free_port()
    run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
    run(
        "pg_ctl", "-D", data, "-l", os.path.join(root, "server.log"), "-w", "-t", "30", "start", "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -F -c synchronous_commit=off -c full_page_writes=off "
        "-c max_connections=200",
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run("pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
