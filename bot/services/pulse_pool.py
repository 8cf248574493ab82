"""Pulse answers wait in memory and reach storage only in batches, so no file pairs one student
with their choices.

Why a pool: SQLite's write-ahead log keeps every committed state until it is checkpointed, and
an operator can copy the database files at any moment. If each answer were one commit (its
"answered" marker and the counters it raised), replaying the log commit by commit, or comparing
two copies, would pair each marker with its choices, and whoever holds the key file can turn a
marker back into a member by hashing the server's member list.

So answers (marker and choices together) wait here, in the bot's memory only, and are written
``BATCH`` or more at a time, chosen at random from the pool, in one commit that writes their
markers and adds their choices to the counters. Any state of the files then shows only which ``BATCH``
or more members answered together and the sum of what they chose.

The rules, with k = :data:`BATCH` (the floor of every server's results threshold), and the
"threshold" below being the run's results threshold for a pulse check, or k for an event
evaluation (whose runs are summed before anything is shown):

* nothing is written until the run has at least its threshold of answers (stored and
  pooled together) and the pool holds at least 2k; then all but k, chosen at random, are
  written (k when answers come one by one, more in a burst, since answers keep joining the
  pool while a batch is written), so the pool always keeps at least k behind;
* at close, the pool is written in one commit if the run reached its threshold (the pool then
  holds at least k, or every answer if none was written yet, which is at least the threshold);
  otherwise only how many answered is stored, never what they chose;
* the one-answer rule checks the pool as well as the stored markers.

What this costs, plainly: answers still in the pool when the process dies are lost, and those
students may answer again (nothing is ever counted twice). The pool is never logged.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

#: k: answers enter storage only in batches of at least this many (MIN_THRESHOLD's value).
BATCH = 5


@dataclass(frozen=True, slots=True)
class Pending:
    """One answer waiting to be written: its one-answer marker, what was chosen, and any free
    text given with it (an evaluation's optional comment), written in the same batch."""

    token: bytes
    choices: tuple[int, ...]
    in_group: bool
    text: str | None = None

    def __repr__(self) -> str:  # never print choices next to a marker, even in a traceback
        return "Pending(<hidden>)"


class AnswerPool:
    """Pending answers per run, in memory only."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._runs: dict[int, list[Pending]] = {}
        self._tokens: dict[int, set[bytes]] = {}
        self._rng = rng or secrets.SystemRandom()

    def size(self, run_id: int) -> int:
        return len(self._runs.get(run_id, ()))

    def holds(self, run_id: int, token: bytes) -> bool:
        return token in self._tokens.get(run_id, ())

    def add(self, run_id: int, pending: Pending) -> None:
        self._runs.setdefault(run_id, []).append(pending)
        self._tokens.setdefault(run_id, set()).add(pending.token)

    def ready(self, run_id: int, stored: int, threshold: int) -> bool:
        """Whether the rules above allow a write now."""
        pooled = len(self._runs.get(run_id, ()))
        return pooled >= 2 * BATCH and stored + pooled >= threshold

    def take_batch(self, run_id: int, stored: int, threshold: int) -> list[Pending]:
        """All but k of the pool's answers, chosen at random, if the rules above allow a write
        now; else nothing."""
        if not self.ready(run_id, stored, threshold):
            return []
        pool = self._runs[run_id]
        chosen = set(self._rng.sample(range(len(pool)), len(pool) - BATCH))
        batch = [p for i, p in enumerate(pool) if i in chosen]
        self._runs[run_id] = [p for i, p in enumerate(pool) if i not in chosen]
        self._tokens[run_id].difference_update(p.token for p in batch)
        return batch

    def put_back(self, run_id: int, batch: Iterable[Pending]) -> None:
        """A batch whose write failed goes back (nothing of it was stored)."""
        for pending in batch:
            self.add(run_id, pending)

    def drain(self, run_id: int) -> list[Pending]:
        """Every answer still waiting for this run (at close, or when the run is deleted)."""
        self._tokens.pop(run_id, None)
        return self._runs.pop(run_id, [])
