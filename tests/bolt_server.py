"""A real Bolt server for the tests: ArcadeDB from the installed ``arcadedb_embedded`` wheel.

No package registry reachable from these machines ships Neo4j itself, but the pip package
``arcadedb-embedded`` bundles ArcadeDB's server, its Neo4j Bolt protocol plugin, its openCypher
engine and a Java runtime. :class:`BoltServer` starts it as a plain subprocess, bound to the
loopback interface only, in a temporary folder, and stops it again.

When ``NEO4J_URI`` is set the tests use that server instead (a real Neo4j 5 or Aura), see
:func:`bolt_settings_from_env`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
DATABASE = "graph"
USER = "root"
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"


@dataclass(frozen=True)
class BoltSettings:
    """Connection settings of a Bolt server.

    Attributes
    ----------
    uri : str
        Bolt URI, e.g. ``bolt://127.0.0.1:7687``.
    user, password : str
        Credentials for basic authentication.
    database : str
        Database name to pass as ``database_`` / ``database=``.
    """

    uri: str
    user: str
    password: str
    database: str


def bolt_settings_from_env() -> tuple[str, str, str, str] | None:
    """Read an external Bolt server's settings from the environment.

    Returns
    -------
    tuple of (str, str, str, str) or None
        ``(uri, user, password, database)`` from ``NEO4J_URI``, ``NEO4J_USER`` (default
        ``"neo4j"``), ``NEO4J_PASSWORD`` (default ``""``) and ``NEO4J_DATABASE`` (default
        ``"neo4j"``) when ``NEO4J_URI`` is set and not empty; otherwise ``None``.
    """
    uri = os.environ.get("NEO4J_URI", "").strip()
    if not uri:
        return None
    return (
        uri,
        os.environ.get("NEO4J_USER") or "neo4j",
        os.environ.get("NEO4J_PASSWORD", ""),
        os.environ.get("NEO4J_DATABASE") or "neo4j",
    )


def bolt_env(server) -> dict:
    """This process's environment with ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``
    and ``NEO4J_DATABASE`` set to ``server``'s (anything with ``uri``, ``user``,
    ``password`` and ``database``: a :class:`BoltServer`, a ``Neo4jSettings``): what a child
    process reads with :func:`bolt_settings_from_env`.

    >>> from types import SimpleNamespace
    >>> env = bolt_env(SimpleNamespace(uri="bolt://h:1", user="u", password="p", database="d"))
    >>> env["NEO4J_URI"], env["NEO4J_DATABASE"]
    ('bolt://h:1', 'd')
    """
    return dict(
        os.environ,
        NEO4J_URI=server.uri,
        NEO4J_USER=server.user,
        NEO4J_PASSWORD=server.password,
        NEO4J_DATABASE=server.database,
    )


def arcadedb_package_dir() -> Path:
    """Locate the installed ``arcadedb_embedded`` package without importing it.

    Returns
    -------
    pathlib.Path
        The package folder, which holds ``jre/bin/java`` and ``jars/``.

    Raises
    ------
    RuntimeError
        If the package is not installed or lacks its Java runtime or jars.
    """
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "The 'arcadedb-embedded' package is not installed; install the test extras "
            "(pip install -e '.[test]') or set NEO4J_URI to an existing server."
        )
    pkg = Path(spec.origin).parent
    if not (pkg / "jre" / "bin" / "java").is_file() or not (pkg / "jars").is_dir():
        raise RuntimeError(f"{pkg} has no bundled jre/bin/java or jars/ folder")
    return pkg


def free_port(host: str = LOOPBACK) -> int:
    """Ask the OS for a TCP port that is free on ``host`` right now.

    Parameters
    ----------
    host : str
        Interface to probe, loopback by default.

    Returns
    -------
    int
        A port number; another process could still take it before it is bound.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class BoltServer:
    """ArcadeDB with its Bolt plugin, as a subprocess on loopback, for the duration of a ``with``.

    Parameters
    ----------
    startup_timeout : float
        Seconds to wait for the driver's ``verify_connectivity()`` to succeed.
    heap : str
        JVM maximum heap (``-Xmx``), modest by default.
    database : str
        Name of the database created at start-up.
    allow_file_urls : bool
        Let ``LOAD CSV`` read ``file:`` URLs, as a default ArcadeDB does (the console's
        attack tests run so); off by default.
    command_timeout_ms : int
        ``arcadedb.command.timeout``: the server aborts a command that runs longer (0, the
        server's own default, never does).
    extra : dict, optional
        More ``-D`` settings for the server.

    Attributes
    ----------
    uri, user, password, database : str
        Connection settings, valid inside the ``with`` block.
    bolt_port, http_port : int
        The loopback ports the server listens on.
    root : pathlib.Path
        The temporary server root (databases, config, log); removed on exit.

    Notes
    -----
    Typical use::

        with BoltServer() as server:
            driver = GraphDatabase.driver(server.uri, auth=(server.user, server.password))
            driver.execute_query("RETURN 1", database_=server.database)
    """

    def __init__(
        self,
        startup_timeout: float = 60.0,
        heap: str = "768m",
        database: str = DATABASE,
        *,
        allow_file_urls: bool = False,
        command_timeout_ms: int = 0,
        extra: dict | None = None,
    ) -> None:
        self.startup_timeout = startup_timeout
        self.heap = heap
        self.database = database
        self.allow_file_urls = allow_file_urls
        self.command_timeout_ms = command_timeout_ms
        self.extra = dict(extra or {})
        self.user = USER
        self.password = secrets.token_urlsafe(18)
        self.bolt_port = 0
        self.http_port = 0
        self.root: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file = None

    @property
    def uri(self) -> str:
        """Bolt URI of the running server (``bolt://127.0.0.1:<port>``)."""
        return f"bolt://{LOOPBACK}:{self.bolt_port}"

    @property
    def log_path(self) -> Path:
        """File that receives the server's stdout and stderr."""
        assert self.root is not None
        return self.root / "server.log"

    def settings(self) -> BoltSettings:
        """Return the connection settings as a :class:`BoltSettings`."""
        return BoltSettings(self.uri, self.user, self.password, self.database)

    def command(self) -> list[str]:
        """Build the ``java`` command line that starts the server.

        Every listener is bound to loopback: HTTP (``httpIncomingHost``) and Bolt
        (``bolt.host``, whose engine default is ``0.0.0.0``). High availability, LOAD CSV of
        remote or local files and support registration are switched off, and outbound
        HTTP(S) from the JVM goes to a closed loopback proxy port, so the server neither
        listens nor reaches beyond this machine.

        Returns
        -------
        list of str
            The argument vector for :class:`subprocess.Popen`.
        """
        assert self.root is not None
        pkg = arcadedb_package_dir()
        props = {
            "arcadedb.server.rootPath": str(self.root),
            "arcadedb.server.rootPassword": self.password,
            "arcadedb.server.mode": "development",
            "arcadedb.server.plugins": BOLT_PLUGIN,
            "arcadedb.server.httpIncomingHost": LOOPBACK,
            "arcadedb.server.httpIncomingPort": str(self.http_port),
            "arcadedb.server.defaultDatabases": f"{self.database}[{self.user}]",
            "arcadedb.bolt.host": LOOPBACK,
            "arcadedb.bolt.port": str(self.bolt_port),
            "arcadedb.bolt.defaultDatabase": self.database,
            "arcadedb.postgres.host": LOOPBACK,
            "arcadedb.redis.host": LOOPBACK,
            "arcadedb.grpc.host": LOOPBACK,
            "arcadedb.mongo.host": LOOPBACK,
            "arcadedb.ha.enabled": "false",
            "arcadedb.support.autoRegister": "false",
            "arcadedb.opencypher.loadCsv.allowRemoteUrls": "false",
            # a default ArcadeDB allows file URLs: the console's tests run with them allowed
            "arcadedb.opencypher.loadCsv.allowFileUrls": str(self.allow_file_urls).lower(),
            # 0 (ArcadeDB's default) lets a command run for ever
            "arcadedb.command.timeout": str(int(self.command_timeout_ms)),
            # Any outbound HTTP(S) the JVM attempts goes to a closed loopback port.
            "http.proxyHost": LOOPBACK,
            "http.proxyPort": "9",
            "https.proxyHost": LOOPBACK,
            "https.proxyPort": "9",
            "java.net.preferIPv4Stack": "true",
            "java.awt.headless": "true",
            **self.extra,
        }
        return [
            str(pkg / "jre" / "bin" / "java"),
            f"-Xmx{self.heap}",
            "-Xss1m",
            "-XX:+UseSerialGC",
            *(f"-D{key}={value}" for key, value in props.items()),
            "-cp",
            str(pkg / "jars" / "*"),
            "com.arcadedb.server.ArcadeDBServer",
        ]

    def log_tail(self, lines: int = 40) -> str:
        """Return the last ``lines`` lines of the server log (empty if there is none)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except (OSError, AssertionError):
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def start(self) -> BoltServer:
        """Start the server and wait until the neo4j driver can connect and query.

        Ready means ``verify_connectivity()`` succeeds and ``RETURN 1`` runs in
        :attr:`database`: the Bolt listener opens before the default database is created.

        Returns
        -------
        BoltServer
            ``self``, running.

        Raises
        ------
        RuntimeError
            If the process exits or the driver cannot connect within ``startup_timeout``;
            the message carries the tail of the server log. The server is stopped first.
        """
        from neo4j import GraphDatabase

        self.root = Path(tempfile.mkdtemp(prefix="arcadedb-bolt-"))
        self.bolt_port = free_port()
        self.http_port = free_port()
        while self.http_port == self.bolt_port:
            self.http_port = free_port()
        self._log_file = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        try:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=self._log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.monotonic() + self.startup_timeout
            last_error: Exception | None = None
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"ArcadeDB Bolt server exited with code {self.process.returncode} "
                        f"during start-up.\n--- tail of {self.log_path} ---\n{self.log_tail()}"
                    )
                try:
                    with GraphDatabase.driver(
                        self.uri, auth=(self.user, self.password), connection_timeout=2
                    ) as driver:
                        driver.verify_connectivity()
                        # Bolt listens before the default database exists: wait for both.
                        driver.execute_query("RETURN 1 AS ok", database_=self.database)
                    return self
                except Exception as exc:  # noqa: BLE001 - retried until the deadline
                    last_error = exc
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"ArcadeDB Bolt server did not answer on {self.uri} within "
                        f"{self.startup_timeout:g} s (last error: {last_error!r}).\n"
                        f"--- tail of {self.log_path} ---\n{self.log_tail()}"
                    )
                time.sleep(0.25)
        except BaseException:
            self.stop()
            raise

    def stop(self, grace: float = 10.0) -> None:
        """Terminate the server (kill it after ``grace`` seconds) and remove its folder.

        Parameters
        ----------
        grace : float
            Seconds to wait after SIGTERM before SIGKILL.
        """
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=grace)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> BoltServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            if self.process is not None and self.process.poll() is None:
                self.process.kill()
