"""A throwaway PostgreSQL cluster for the tests (used by the ``pg_cluster`` fixture in conftest).

:func:`start` runs ``initdb`` in a fresh temporary directory, starts the server with
``pg_ctl -w`` listening only on a unix socket in that directory (no TCP; trust authentication;
durability off for speed), creates a ``crosswire`` database and returns a :class:`Cluster`
whose URLs psycopg (libpq) accepts, e.g.
``postgresql://postgres@/crosswire?host=/tmp/crosswire-pg-x1y2&port=54321``.

The server binaries are found as ``tools/ensure_postgres.sh`` finds them (``pg_config
--bindir``, Debian's ``/usr/lib/postgresql/*/bin``, then PATH). initdb and postgres refuse to
run as root, so as root they run as the ``postgres`` system user (through ``runuser``, else
``su``) in a directory that user owns. :class:`Unavailable` says why a cluster cannot be had
here (no binaries, no psycopg, root without a ``postgres`` user...): the fixture turns it into
a skip, or a failure with ``CROSSWIRE_REQUIRE_POSTGRES=1``. A server that is there but fails to
start raises :class:`StartError` (with the end of its log) instead, so breakage is not
skipped silently.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

PROGRAMS = ("initdb", "pg_ctl", "postgres")
SUPERUSER = "postgres"
OS_USER = "postgres"  # the system user the server runs as when we are root
TIMEOUT = 120  # seconds for initdb / pg_ctl; the machine may be busy

# Appended to postgresql.conf; {dir} and {port} are filled in.
SETTINGS = """
# crosswire tests (tests/pgcluster.py): a private, throwaway, fast cluster.
listen_addresses = ''
unix_socket_directories = '{dir}'
port = {port}
fsync = off
synchronous_commit = off
full_page_writes = off
"""


class Unavailable(RuntimeError):  # noqa: N818 - pgcluster.Unavailable reads as meant
    """A PostgreSQL cluster cannot be started here; the message says why and what to do."""


class StartError(RuntimeError):
    """The PostgreSQL binaries are there but initdb, pg_ctl or CREATE DATABASE failed."""


def _has_all(bindir: Path) -> bool:
    return all(os.access(bindir / prog, os.X_OK) for prog in PROGRAMS)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None when they are not installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        # e.g. Debian's /usr/local/bin/initdb symlink: also look where it really lives.
        candidates += [Path(initdb).parent, Path(initdb).resolve().parent]
    return next((path for path in candidates if _has_all(path)), None)


def _clean_env() -> dict[str, str]:
    """The environment without libpq/PG* settings that could redirect our commands."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _free_port() -> int:
    # The server does not listen on TCP: the port only names the socket file (.s.PGSQL.<port>),
    # which is private to our directory anyway; a free one avoids confusing anyone looking.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A running throwaway cluster; :meth:`stop` shuts it down and deletes its directory."""

    def __init__(self, directory: Path, bindir: Path, port: int, run_as: str | None) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "server.log"
        self.bindir = bindir
        self.port = port
        self.run_as = run_as  # the system user running the server, or None for ourselves
        self.dbname = "crosswire"
        self.running = False

    # -- URLs and databases -------------------------------------------------------------

    def url_for(self, dbname: str) -> str:
        """The libpq URL of database ``dbname`` in this cluster."""
        host = quote(str(self.directory), safe="/")
        return f"postgresql://{SUPERUSER}@/{quote(dbname)}?host={host}&port={self.port}"

    @property
    def url(self) -> str:
        """The URL of the ``crosswire`` database created by :func:`start`."""
        return self.url_for(self.dbname)

    def _admin(self, statement: Any) -> None:
        import psycopg

        with psycopg.connect(self.url_for("postgres"), autocommit=True) as conn:
            conn.execute(statement)

    def new_database(self, name: str) -> str:
        """CREATE DATABASE ``name`` (empty, from template1) and return its URL."""
        from psycopg import sql

        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE ``name``, disconnecting whoever is still connected to it."""
        from psycopg import sql

        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    # -- processes ----------------------------------------------------------------------

    def _command(self, args: list[str]) -> list[str]:
        if self.run_as is None:
            return args
        if shutil.which("runuser"):
            return ["runuser", "-u", self.run_as, "--", *args]
        return ["su", self.run_as, "-s", "/bin/sh", "-c", shlex.join(args)]

    def _run(self, what: str, args: list[str]) -> str:
        try:
            result = subprocess.run(
                self._command(args),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                cwd=self.directory,  # readable by the server's user (our cwd may not be)
                env=_clean_env(),
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise StartError(f"{what} failed: {exc}{self._log_tail()}") from exc
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            raise StartError(
                f"{what} failed (exit {result.returncode}): {shlex.join(args)}\n"
                f"{output}{self._log_tail()}"
            )
        return result.stdout

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "\n--- end of server log ---\n" + "\n".join(text) if text else ""

    def _init_and_start(self) -> None:
        self._run(
            "initdb",
            [
                str(self.bindir / "initdb"),
                "--pgdata",
                str(self.data),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
                "--no-instructions",
            ],
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS.format(dir=self.directory, port=self.port))
        self._run(
            "pg_ctl start",
            [
                str(self.bindir / "pg_ctl"),
                "start",
                "--wait",
                "--timeout",
                str(TIMEOUT),
                "--silent",
                "--pgdata",
                str(self.data),
                "--log",
                str(self.log),
            ],
        )
        self.running = True

    def stop(self) -> None:
        """Stop the server at once (no checkpoint: the data is thrown away) and delete it all."""
        if self.running:
            self.running = False
            with contextlib.suppress(StartError):
                self._run(
                    "pg_ctl stop",
                    [
                        str(self.bindir / "pg_ctl"),
                        "stop",
                        "--wait",
                        "--silent",
                        "--mode",
                        "immediate",
                        "--pgdata",
                        str(self.data),
                    ],
                )
        shutil.rmtree(self.directory, ignore_errors=True)


def _check_os_user() -> str | None:
    """The system user to run the server as (None: ourselves); Unavailable if there is none."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        raise Unavailable(
            f"running as root, and PostgreSQL refuses to; no {OS_USER!r} system user to run it "
            "as (Debian's postgresql package creates one: bash tools/ensure_postgres.sh)"
        ) from None
    if not (shutil.which("runuser") or shutil.which("su")):
        raise Unavailable(
            f"running as root and neither runuser nor su is there to become {OS_USER}"
        )
    return OS_USER


def start(base_dir: str | os.PathLike[str] | None = None) -> Cluster:
    """initdb and start a throwaway cluster in a new directory under ``base_dir`` (default: the
    system temporary directory; keep it short, unix socket paths are limited to ~100 bytes).

    Raises :class:`Unavailable` when it cannot be done here, :class:`StartError` when it fails.
    """
    bindir = find_bindir()
    if bindir is None:
        raise Unavailable(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found via pg_config "
            "--bindir, /usr/lib/postgresql/*/bin or PATH; run bash tools/ensure_postgres.sh "
            "(as root) or install Debian's postgresql"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable(
            "psycopg is not installed (it comes with the postgres extra / requirements/dev.lock)"
        ) from None
    run_as = _check_os_user()

    directory = Path(tempfile.mkdtemp(prefix="crosswire-pg-", dir=base_dir))
    cluster = Cluster(directory, bindir, _free_port(), run_as)
    try:
        if run_as is not None:
            entry = pwd.getpwnam(run_as)
            os.chown(directory, entry.pw_uid, entry.pw_gid)
            probe = subprocess.run(
                cluster._command(["test", "-w", str(directory)]),
                capture_output=True,
                timeout=TIMEOUT,
                cwd="/",
                check=False,
            )
            if probe.returncode != 0:
                raise Unavailable(
                    f"the {run_as} user cannot write to {directory} (is a parent directory "
                    f"closed to it?); pass another base_dir or set TMPDIR"
                )
        cluster._init_and_start()
        atexit.register(cluster.stop)  # a backstop: the fixture stops it first
        cluster.new_database(cluster.dbname)
    except BaseException:
        cluster.stop()
        raise
    return cluster
