"""The database: a writer and a reader connection, forward-only migrations, online backups.

The database is the source of truth for everything the bot remembers. Two aiosqlite
connections are shared by every service, each behind its own :class:`asyncio.Lock` so that one
coroutine's transaction never interleaves with another's statements:

* the **writer** runs every write: ``db.transaction()`` opens ``BEGIN IMMEDIATE`` and yields a
  :class:`Tx` to run statements on; it commits on success and rolls back on any exception.
  ``db.execute`` is a one-statement write. Migrations, backups and checkpoints use it too.
* the **reader** is opened read-only (``mode=ro``) and runs ``db.fetchone`` / ``db.fetchall`` /
  ``db.fetchval`` and ``db.read()``. In WAL mode a reader keeps reading the last committed state
  while a write commits (and waits for its fsync), so a student's read never queues behind a
  burst of writes. Each read starts after the previous one finished, on a connection with no
  open statement between reads, so it sees every write committed before it began.
* the **loop reader** (:class:`_LoopReader`), a third connection, read-only too, runs the quick
  reads of ``fetch*`` and ``read_many`` on the event loop's own thread: a trip to aiosqlite's
  thread costs about half a millisecond of hand-offs, several times a small query. A read that
  uses ``LOOP_READ_BUDGET_S`` of CPU (or ``LOOP_READ_WALL_S`` by the clock) is interrupted and
  finishes on the reader's thread, so a read holds up the loop little longer than that (SQLite
  checks every ``_PROGRESS_STEPS`` steps); a statement interrupted for its CPU three times
  running goes to the thread from then on.

Never call the one-statement shortcuts while holding a transaction (use the ``Tx``): they would
read the state from before the transaction.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.resources
import logging
import os
import re
import sqlite3
import stat
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.errors import MigrationError
from bot.secrets import make_private_dir

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
BUSY_TIMEOUT_MS = 5000

Params = Sequence[Any] | dict[str, Any]

# The database and the files SQLite keeps beside it; all hold personal data, so all are 0600.
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")
_warned_wide: set[Path] = set()


# -- files only the bot can read ---------------------------------------------------------------


def create_private_file(path: Path) -> bool:
    """Create an empty ``path`` with mode 0600 unless it exists; True if this call created it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def tighten_database_files(path: Path) -> list[Path]:
    """Make the database and its ``-wal``/``-shm``/``-journal`` files 0600 where they are wider.

    Returns the files changed. Logs one warning naming them (once per file per process), and one
    naming any it could not change (for example, owned by another user).
    """
    path = Path(path)
    changed: list[Path] = []
    stuck: list[str] = []
    for suffix in DATABASE_SUFFIXES:
        file = path.with_name(path.name + suffix)
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if not mode & 0o077:
            continue
        try:
            os.chmod(file, 0o600)
        except OSError as error:
            stuck.append(f"{file} ({oct(mode)}: {error.strerror})")
        else:
            changed.append(file)
    fresh = [file for file in changed if file not in _warned_wide]
    if fresh:
        _warned_wide.update(fresh)
        log.warning(
            "Database files were readable by other users of this computer; they are now 0600 "
            "(only the bot's user): %s",
            ", ".join(str(file) for file in fresh),
        )
    if stuck:
        log.warning(
            "Database files are readable by other users and could not be made private: %s. "
            "Run `chmod 600` on them as their owner.",
            ", ".join(stuck),
        )
    return changed


def prepare_database_path(path: Path) -> None:
    """Before opening: the data directory exists (created 0700), the database file exists (created
    0600, so SQLite gives its ``-wal`` and ``-shm`` files the same mode), and files from before
    are tightened to 0600."""
    path = Path(path)
    if str(path) == ":memory:":
        return
    make_private_dir(path.parent)
    create_private_file(path)
    tighten_database_files(path)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def load_migrations(directory: Path | None = None) -> list[Migration]:
    """Migrations from ``directory``, or the ones shipped in the ``migrations`` package."""
    found: list[Migration] = []
    if directory is None:
        files: Iterable[Any] = importlib.resources.files("migrations").iterdir()
    else:
        files = Path(directory).iterdir()
    for entry in files:
        match = MIGRATION_NAME.match(entry.name)
        if match is None:
            continue
        found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"Two migration files share a version number: {versions}")
    return found


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (trigger bodies stay whole).

    ``sqlite3.Connection.executescript`` would be simpler, but it COMMITs any open transaction
    before it starts, so a migration run through it could be left half-applied.
    """
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if _has_sql(statement):
                statements.append(statement)
            buffer = ""
    if _has_sql(buffer):
        raise MigrationError(f"Incomplete SQL statement at the end of a migration: {buffer.strip()[:80]!r}")
    return statements


def _has_sql(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("--") and stripped != ";":
            return True
    return False


T = TypeVar("T")


async def _on_worker(conn: aiosqlite.Connection, work: Callable[[], T]) -> T:
    """Run ``work`` on ``conn``'s worker thread, in one trip: aiosqlite's own ``_execute``, which
    every one of its calls goes through (it has no public way to run several statements at once;
    ``tests/test_performance.py`` fails if a release changes it)."""
    result: T = await conn._execute(work)  # type: ignore[no-untyped-call]
    return result


def _read_snapshot(
    raw: sqlite3.Connection,
    statements: Sequence[tuple[str, Params]],
    *,
    ending: Callable[[], None] | None = None,
) -> list[list[sqlite3.Row]]:
    """Each statement's rows, on the connection's own thread: one statement alone (consistent on
    its own), several in one snapshot (BEGIN, the statements, COMMIT; ``ending`` runs before
    COMMIT)."""
    if len(statements) == 1:
        sql, params = statements[0]
        return [raw.execute(sql, params).fetchall()]
    raw.execute("BEGIN")
    try:
        return [raw.execute(sql, params).fetchall() for sql, params in statements]
    finally:
        if ending is not None:
            ending()
        raw.execute("COMMIT")


def _each(
    conn: aiosqlite.Connection, statements: list[tuple[str, Params]]
) -> list[tuple[list[sqlite3.Row], Exception | None]]:
    """On the worker thread: each statement's rows, or its error (one read's mistake is its own)."""
    raw = conn._conn
    outcomes: list[tuple[list[sqlite3.Row], Exception | None]] = []
    for sql, params in statements:
        try:
            outcomes.append((raw.execute(sql, params).fetchall(), None))
        except Exception as error:
            outcomes.append(([], error))
    return outcomes


def _connection_pragmas(*, busy_timeout_ms: int) -> tuple[str, ...]:
    """Every connection's settings (the writer's and the readers', so a read behaves the same on
    any of them), each with its own wait for a lock.

    ``synchronous = FULL``, not NORMAL: in WAL mode NORMAL can lose the last commits on power
    loss. Our writes are few and each one is a promise to a person (an RSVP kept, a reminder
    marked sent, a pulse answer counted once), so we pay one fsync per commit to keep every
    promise. ``secure_delete``: erased rows are overwritten with zeros, so deleted personal data
    does not linger.
    """
    return (
        "foreign_keys = ON",
        f"busy_timeout = {busy_timeout_ms}",
        "synchronous = FULL",
        "secure_delete = ON",
    )


#: How much CPU a read may take on the event loop's thread before it is interrupted and sent to
#: the reader's thread instead (a statement that needed more goes there from then on).
LOOP_READ_BUDGET_S = 0.002
#: How long a read may hold the loop by the clock (the process descheduled, a cold disk) before
#: it is interrupted and sent to the thread, this time only.
LOOP_READ_WALL_S = 0.010
#: SQLite calls the budget check every this many virtual-machine steps (a few microseconds).
_PROGRESS_STEPS = 2000
#: At most this many statements are remembered as slow (statement texts are the code's own).
_SLOW_KEPT = 1000
#: A statement interrupted for its CPU this many times running is slow.
_SLOW_AFTER = 3


class _LoopReader:
    """A read-only connection used on the event loop's own thread, for reads that are quick.

    A quick read (a member's events, a page of a list) takes tens of microseconds in SQLite and
    half a millisecond in hand-offs to and from aiosqlite's thread, so here it runs in place.
    SQLite's progress handler interrupts a statement that used :data:`LOOP_READ_BUDGET_S` of the
    thread's CPU or held the loop :data:`LOOP_READ_WALL_S` by the clock; that read goes to the
    reader's thread. A statement interrupted for its CPU :data:`_SLOW_AFTER` times running goes
    there from then on (once could be a garbage collection that ran inside the read, and the
    clock alone a busy machine). ``busy_timeout`` is 0: a read that would wait (a WAL recovery)
    goes to the thread rather than wait on the loop.
    """

    def __init__(self, uri: str) -> None:
        self.conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        # The reader's settings, but for busy_timeout: a read that would wait goes to the thread.
        for pragma in (*_connection_pragmas(busy_timeout_ms=0), "query_only = ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.slow: set[str] = set()
        self._strikes: dict[str, int] = {}  # CPU interruptions running, by statement
        self._cpu_deadline = self._wall_deadline = 0.0
        self.conn.set_progress_handler(self._over_budget, _PROGRESS_STEPS)

    def _no_deadline(self) -> None:
        """Ending a snapshot (COMMIT) is never interrupted."""
        self._cpu_deadline = self._wall_deadline = float("inf")

    def _over_budget(self) -> bool:
        return time.thread_time() > self._cpu_deadline or time.perf_counter() > self._wall_deadline

    def run(self, statements: Sequence[tuple[str, Params]]) -> list[list[sqlite3.Row]] | None:
        """Each statement's rows (several in one snapshot), or None: run them on the thread."""
        if any(sql in self.slow for sql, _ in statements):
            return None
        raw = self.conn
        self._cpu_deadline = cpu_deadline = time.thread_time() + LOOP_READ_BUDGET_S
        self._wall_deadline = time.perf_counter() + LOOP_READ_WALL_S
        try:
            rows = _read_snapshot(raw, statements, ending=self._no_deadline)
        except sqlite3.OperationalError as error:
            if str(error) == "interrupted":
                if time.thread_time() > cpu_deadline:
                    self._strike([sql for sql, _ in statements])
                return None
            if "locked" in str(error) or "busy" in str(error):
                return None
            raise
        if self._strikes:
            for sql, _ in statements:
                self._strikes.pop(sql, None)
        return rows

    def _strike(self, statements: list[str]) -> None:
        for sql in statements:
            strikes = self._strikes[sql] = self._strikes.get(sql, 0) + 1
            if strikes >= _SLOW_AFTER and len(self.slow) < _SLOW_KEPT:
                self.slow.add(sql)
                del self._strikes[sql]

    async def set_trace_callback(self, callback: Callable[[str], object] | None) -> None:
        """As aiosqlite's, so a test traces every connection the same way."""
        self.conn.set_trace_callback(callback)


@dataclass(frozen=True, slots=True)
class Result:
    rowcount: int
    lastrowid: int | None


def _result(cursor: sqlite3.Cursor) -> Result:
    return Result(cursor.rowcount, cursor.lastrowid)


class Tx:
    """Statements inside one open transaction.

    Each call is one trip to aiosqlite's worker thread (``execute_fetchall``, not execute +
    fetch + close, which is three): on the hot paths the trips cost more than the queries. The
    transaction's BEGIN (``begin``) goes with its first statement, in the same trip; a
    transaction that runs no statement never begins (:attr:`begun`).
    """

    def __init__(self, conn: aiosqlite.Connection, *, begin: str | None = None) -> None:
        self._conn = conn
        self._begin = begin

    @property
    def begun(self) -> bool:
        """Whether the transaction is open (its BEGIN ran): then it must end in COMMIT or ROLLBACK."""
        return self._begin is None

    async def _first(self, run: Callable[[sqlite3.Connection], T]) -> T:
        """BEGIN, then ``run`` on the raw connection, in one trip. If BEGIN fails, nothing began."""
        begin = self._begin
        assert begin is not None

        def work() -> T:
            raw = self._conn._conn
            raw.execute(begin)
            self._begin = None
            return run(raw)

        return await _on_worker(self._conn, work)

    async def execute(self, sql: str, params: Params = ()) -> Result:
        if self._begin is not None:
            return await self._first(lambda raw: _result(raw.execute(sql, params)))
        # The sqlite3 cursor is closed when it is collected; closing it here would be a second trip.
        cursor = await self._conn.execute(sql, params)
        return Result(cursor.rowcount, cursor.lastrowid)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        if self._begin is not None:
            await self._first(lambda raw: raw.executemany(sql, rows))
            return
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        for row in await self.fetchall(sql, params):
            return row
        return None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        if self._begin is not None:
            return await self._first(lambda raw: raw.execute(sql, params).fetchall())
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


#: How many grouped writes share one transaction at most (a bound on how long one holds the lock).
GROUP_MAX = 200


async def _in_savepoint(tx: Tx, work: Callable[[Tx], Awaitable[Any]]) -> tuple[Any, Exception | None]:
    """Run one grouped write in its own savepoint: (its result, None), or (None, its error) with
    only its own changes undone."""
    await tx.execute("SAVEPOINT grouped")
    try:
        result = await work(tx)
    except Exception as refused:
        await tx.execute("ROLLBACK TO grouped")
        await tx.execute("RELEASE grouped")
        return None, refused
    await tx.execute("RELEASE grouped")
    return result, None


class Database:
    def __init__(
        self, path: Path | str, *, migrations_dir: Path | None = None, loop_reads: bool = True
    ) -> None:
        self.path = Path(path)
        self.migrations_dir = migrations_dir
        #: Whether quick reads run on the loop's thread (:class:`_LoopReader`); False sends every
        #: read to the reader's thread.
        self.loop_reads = loop_reads
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        # The read-only connection (None for ``:memory:``, where reads use the writer).
        self._reader: aiosqlite.Connection | None = None
        self._read_lock = asyncio.Lock()
        # Writes waiting for the next group commit (see grouped), and the task committing them.
        self._queued: list[tuple[Callable[[Tx], Awaitable[Any]], asyncio.Future[Any]]] = []
        self._committer: asyncio.Task[None] | None = None
        # Whether a grouped write is being committed (by its caller, or by the committer task).
        self._committing = False
        # Single reads waiting for the reader's next trip (see _rows), and the task making it.
        self._reads: list[tuple[str, Params, asyncio.Future[list[sqlite3.Row]]]] = []
        self._read_trips: asyncio.Task[None] | None = None
        # Quick reads on the loop's own thread (None for ``:memory:``); off during a checkpoint.
        self._loop_reader: _LoopReader | None = None
        self._checkpointing = False

    # -- lifecycle ---------------------------------------------------------------------

    async def open(self) -> None:
        if self._conn is not None:
            return
        prepare_database_path(self.path)
        # isolation_level=None: no implicit transactions; we issue BEGIN/COMMIT ourselves.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute_fetchall("PRAGMA journal_mode = WAL")
        for pragma in _connection_pragmas(busy_timeout_ms=BUSY_TIMEOUT_MS):
            await conn.execute_fetchall(f"PRAGMA {pragma}")
        self._conn = conn
        if str(self.path) != ":memory:":
            try:
                self._reader = await self._open_reader()
                if self.loop_reads:
                    self._loop_reader = _LoopReader(self._reader_uri())
            except BaseException:
                if self._reader is not None:
                    await self._reader.close()
                    self._reader = None
                self._conn = None
                await conn.close()
                raise

    def _reader_uri(self) -> str:
        return f"file:{urllib.parse.quote(str(self.path.resolve()))}?mode=ro"

    async def _open_reader(self) -> aiosqlite.Connection:
        """The read-only connection: ``mode=ro`` on the file the writer has already put in WAL mode
        (its ``-wal`` and ``-shm`` exist, created 0600 like the database, so this creates nothing)."""
        reader = await aiosqlite.connect(self._reader_uri(), uri=True, isolation_level=None)
        try:
            reader.row_factory = sqlite3.Row
            for pragma in _connection_pragmas(busy_timeout_ms=BUSY_TIMEOUT_MS):
                await reader.execute_fetchall(f"PRAGMA {pragma}")
        except BaseException:
            await reader.close()
            raise
        return reader

    async def close(self) -> None:
        if self._conn is None:
            return
        if self._committer is not None and not self._committer.done():
            await self._committer  # writes already queued are answered before the file closes
        conn, self._conn = self._conn, None
        reader, self._reader = self._reader, None
        loop_reader, self._loop_reader = self._loop_reader, None
        if loop_reader is not None:
            loop_reader.conn.close()
        # The reader first: the writer, closing last, checkpoints and removes the -wal and -shm.
        if reader is not None:
            async with self._read_lock:
                await reader.close()
        async with self._lock:
            await conn.close()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def connections(self) -> list[aiosqlite.Connection | _LoopReader]:
        """Every open connection (for tracing statements in tests and benchmarks): the writer,
        the reader, and the loop reader (which traces through the same awaitable call)."""
        return [conn for conn in (self._conn, self._reader, self._loop_reader) if conn is not None]

    def _reading(self) -> tuple[aiosqlite.Connection, asyncio.Lock]:
        """The connection reads use, and its lock."""
        conn = self._require()
        if self._reader is None:
            return conn, self._lock
        return self._reader, self._read_lock

    def _require(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("Database is not open; call open() first")
        return self._conn

    # -- access ------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        conn = self._require()
        async with self._lock:
            tx = Tx(conn, begin="BEGIN IMMEDIATE")  # with the first statement: one trip fewer
            try:
                yield tx
            except BaseException:
                if tx.begun:
                    await conn.execute("ROLLBACK")
                raise
            else:
                if tx.begun:
                    await conn.execute("COMMIT")

    async def grouped(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """Run ``work`` in a write transaction it may share with writes queued meanwhile.

        Group commit: while one transaction commits, the writes that arrive queue up, and the next
        transaction runs them all, in the order they were queued, with one COMMIT (one fsync) for
        the lot instead of one each. A burst of presses is then bounded by the disk's fsyncs per
        second times the group, not by one fsync per press. Each ``work`` runs in its own
        SAVEPOINT: if it raises, only its own changes are undone and its caller gets the error;
        the others commit. The result is returned only after the COMMIT, so an answer always
        means the change is on disk. The queue position is taken when this is called (before
        any await), so concurrent callers are served in call order. A write that finds nothing
        in flight is not queued: it commits at once, alone.
        """
        if not self._committing:
            # Nothing in flight: this write commits at once, in the caller's own task (a task and
            # a future fewer); whatever queues meanwhile is committed next, as a group.
            self._committing = True
            try:
                async with self.transaction() as tx:
                    return await work(tx)
            finally:
                if self._queued:
                    self._committer = asyncio.create_task(self._commit_groups(), name="db-group-commit")
                else:
                    self._committing = False
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queued.append((work, future))
        return await future

    async def _commit_groups(self) -> None:
        try:
            await self._commit_queued()
        finally:
            self._committing = False

    async def _commit_queued(self) -> None:
        while self._queued:
            batch, self._queued = self._queued[:GROUP_MAX], self._queued[GROUP_MAX:]
            outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
            try:
                async with self.transaction() as tx:
                    if len(batch) == 1:  # alone: no savepoint, its error rolls the transaction back
                        [(work, future)] = batch
                        outcomes.append((future, await work(tx), None))
                    else:
                        for work, future in batch:
                            outcomes.append((future, *await _in_savepoint(tx, work)))
            except BaseException as failure:  # the transaction was rolled back: nobody's write holds
                stopping = not isinstance(failure, Exception)  # a crash or cancellation
                if stopping:  # nobody queued may wait for a committer that is gone
                    batch, self._queued = batch + self._queued, []
                for _, future in batch:
                    if future.done():
                        continue
                    if isinstance(failure, asyncio.CancelledError):
                        future.cancel()
                    else:
                        future.set_exception(failure)
                if stopping:
                    return
                continue
            for future, result, error in outcomes:
                if future.done():  # the caller went away (cancelled); its write stands
                    continue
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(result)

    @asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[Tx]:
        """Several reads that must see one consistent state (one snapshot, on the reader).

        ``snapshot=False`` for code that runs one statement (each statement is consistent on its
        own): the same reader and lock without BEGIN and COMMIT, a trip fewer.
        """
        conn, lock = self._reading()
        async with lock:
            if not snapshot:
                yield Tx(conn)
                return
            tx = Tx(conn, begin="BEGIN")  # with the first statement: one trip fewer
            try:
                yield tx
            finally:
                if tx.begun:
                    await conn.execute("COMMIT")

    async def read_many(self, *statements: tuple[str, Params]) -> list[list[sqlite3.Row]]:
        """Several reads in one snapshot and ONE trip to the reader's thread: the rows of each
        statement, in order.

        :meth:`read` costs a trip per statement plus two (BEGIN, COMMIT); on a student's command
        the trips, each a wake-up of the event loop, cost more than the queries. Here BEGIN, the
        statements and COMMIT run together on aiosqlite's worker thread, through its internal
        ``_execute``: the one function every aiosqlite call goes through
        (``tests/test_performance.py`` fails if a release changes it). Quick ones take no trip
        at all (the loop reader).
        """
        if not statements:
            return []
        quick = self._quick(statements)
        if quick is not None:
            return quick
        conn, lock = self._reading()
        async with lock:
            return await _on_worker(conn, functools.partial(_read_snapshot, conn._conn, statements))

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own transaction; returns the rows it changed."""
        async with self.transaction() as tx:
            cursor = await tx.execute(sql, params)
            return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        for row in await self._rows(sql, params):
            return row
        return None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return await self._rows(sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def _rows(self, sql: str, params: Params) -> list[sqlite3.Row]:
        """One read statement. When the reader is busy, it waits with every other read issued
        meanwhile (as the features of ``/privacy my-data`` do, gathered) and they share the next
        trip, like a group commit for reads: each trip wakes the loop, and the trips cost more
        than the queries. Each statement runs on its own, as before (its own implicit snapshot,
        its own error)."""
        if self._reader is None:  # ``:memory:``: reads share the writer, and its transactions
            async with self._lock:
                return await Tx(self._require()).fetchall(sql, params)
        quick = self._quick([(sql, params)])
        if quick is not None:
            return quick[0]
        if self._read_trips is None and not self._read_lock.locked():
            # The reader is idle: go at once, with no hand-off to the task (each hand-off is a
            # turn of the loop). Reads issued meanwhile queue for the task, which waits its turn.
            async with self._read_lock:
                return await Tx(self._reader).fetchall(sql, params)
        future: asyncio.Future[list[sqlite3.Row]] = asyncio.get_running_loop().create_future()
        self._reads.append((sql, params, future))
        if self._read_trips is None:
            self._read_trips = asyncio.ensure_future(self._make_read_trips(self._reader))
        return await future

    def _quick(self, statements: Sequence[tuple[str, Params]]) -> list[list[sqlite3.Row]] | None:
        """The rows of quick reads, read on the loop's thread; None if they must go to the reader."""
        if self._loop_reader is None or self._checkpointing:
            return None
        return self._loop_reader.run(statements)

    async def _make_read_trips(self, reader: aiosqlite.Connection) -> None:
        """Run the waiting reads, a trip for all that wait, until none are left. A failure of the
        trip itself (the connection closed) reaches every read in it; nothing waits forever."""
        batch: list[tuple[str, Params, asyncio.Future[list[sqlite3.Row]]]] = []
        try:
            async with self._read_lock:
                while self._reads:
                    batch, self._reads = self._reads, []
                    statements = [(sql, params) for sql, params, _ in batch]
                    outcomes = await _on_worker(reader, functools.partial(_each, reader, statements))
                    for (_, _, future), (rows, error) in zip(batch, outcomes, strict=True):
                        if future.done():  # its caller gave up waiting
                            continue
                        if error is not None:
                            future.set_exception(error)
                        else:
                            future.set_result(rows)
                    batch = []
        except BaseException as failed:
            for _, _, future in [*batch, *self._reads]:
                if not future.done():
                    future.set_exception(failed if isinstance(failed, Exception) else RuntimeError("closed"))
            self._reads = []
            if not isinstance(failed, Exception):
                raise
        finally:
            self._read_trips = None

    # -- migrations --------------------------------------------------------------------

    async def schema_version(self) -> int:
        conn = self._require()
        await self._ensure_migrations_table(conn)
        async with conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _ensure_migrations_table(self, conn: aiosqlite.Connection) -> None:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY,"
            " name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL)"
        )

    async def migrate(self) -> list[Migration]:
        """Apply every pending migration in order, each in its own transaction.

        Returns the migrations applied (empty when the schema was already current). Refuses a
        database whose schema is newer than this code knows.
        """
        migrations = load_migrations(self.migrations_dir)
        conn = self._require()
        applied: list[Migration] = []
        async with self._lock:
            await self._ensure_migrations_table(conn)
            async with conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") as cursor:
                row = await cursor.fetchone()
            current = int(row[0]) if row else 0
            newest_known = migrations[-1].version if migrations else 0
            if current > newest_known:
                raise MigrationError(
                    f"The database at {self.path} is at schema version {current}, newer than this "
                    f"version of Common Room understands (up to {newest_known}). Upgrade Common Room, "
                    "or restore a backup made with this version."
                )
            for migration in migrations:
                if migration.version <= current:
                    continue
                await self._apply(conn, migration)
                applied.append(migration)
        for migration in applied:
            log.info("Applied migration %s", migration.label)
        return applied

    async def _apply(self, conn: aiosqlite.Connection, migration: Migration) -> None:
        statements = split_statements(migration.sql)
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                await conn.execute_fetchall(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        except sqlite3.Error as error:
            await conn.execute("ROLLBACK")
            raise MigrationError(
                f"Migration {migration.label} failed: {error}. "
                "Nothing from it was applied; the database is as it was."
            ) from error
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")

    # -- the write-ahead log -----------------------------------------------------------

    async def truncate_wal(self) -> bool:
        """Copy the write-ahead log into the database file and empty it, without waiting.

        Returns False when a reader (a backup, another process) still holds an older snapshot,
        so old page versions stay in the log for now; the caller retries later. Waiting here
        would hold every other database user behind the lock. Our own reader is held idle for
        the checkpoint (its lock taken after the writer's, the one order both are ever taken in),
        so a read of ours in flight never makes the checkpoint give up; the loop reader reads
        nothing meanwhile (its reads go to the reader, and wait).
        """
        conn = self._require()
        async with self._lock, self._read_lock:
            self._checkpointing = True
            await conn.execute_fetchall("PRAGMA busy_timeout = 0")
            try:
                rows = list(await conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
            except sqlite3.OperationalError:
                return False
            finally:
                self._checkpointing = False
                await conn.execute_fetchall(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return bool(rows) and rows[0][0] == 0

    # -- backup ------------------------------------------------------------------------

    async def backup(self, dest: Path) -> str:
        """Copy the live database to ``dest`` (online) and verify the copy.

        ``dest`` must not exist (FileExistsError); it is created 0600, in a folder created 0700
        if missing. Returns the copy's ``PRAGMA integrity_check`` verdict (``"ok"`` when sound).
        """
        conn = self._require()
        dest = Path(dest)
        make_private_dir(dest.parent)
        if not create_private_file(dest):
            raise FileExistsError(f"{dest} already exists")
        async with self._lock:
            target = await aiosqlite.connect(dest)
            try:
                await conn.backup(target)
                # One self-contained file: no -wal/-shm beside the copy to lose or leave readable.
                await target.execute_fetchall("PRAGMA journal_mode = DELETE")
            finally:
                await target.close()
        return await asyncio.to_thread(integrity_check, dest)


def integrity_check(path: Path) -> str:
    check = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = check.execute("PRAGMA integrity_check").fetchall()
    finally:
        check.close()
    return "; ".join(str(row[0]) for row in rows)
