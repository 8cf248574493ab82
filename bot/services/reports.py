"""Anonymous reports: cases, an anonymous two-way conversation by code, retention, a rate limit.

What anonymity means here
-------------------------
The bot keeps nothing that says who reported. A case holds what the student wrote, the day
(never a time) and their choices; if they asked for a reply, a random code of 160 bits is shown
to them once and only a keyed hash of it (HMAC-SHA256 with the bot's key file, kept outside the
database) is stored. Whoever holds the code can read replies and answer; the bot never learns
which member that is. The only per-member state is the rate limit, held in memory for an hour
under a keyed hash of the member id, and never written to the database.

Privacy inventory (for the privacy feature, issue 9)
----------------------------------------------------
No table of this feature holds a member id. Tables and columns with free text:

* ``report_cases.body``, ``.happened_when``, ``.outcome``: what the reporter wrote, and the
  outcome staff recorded. Anonymous: not linked to any member. Kept until
  ``retention_months`` (the value told to the reporter) after the case is closed, then deleted
  by a scheduled job (``delete_at``); open cases are kept until staff close them.
  ``code_hash`` is a keyed hash of the reply code. ``reported_on`` is a day, never a time.
* ``report_cases.characteristic``, ``.setting``: the reporter's choices (a protected
  characteristic would be special category data if it were linked to someone; here it isn't).
  Same retention as the case.
* ``report_messages.body``: staff replies and reporter answers on a case. Anonymous; deleted
  with their case (ON DELETE CASCADE).
* ``report_settings``: per-server reporting page URL and retention period (no personal data).
* ``report_posts``: ids of the bot's own messages in the staff channel, deleted (in Discord
  too) with their case.

Because nothing is linked to a member, :meth:`ReportService.export_member` returns nothing and
:meth:`ReportService.forget_member` erases nothing: there is no way (by design) to find a
member's reports, so there is nothing to export or forget. A reporter who wants a case gone
can ask staff, with the case number, to close it.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit

from dateutil.relativedelta import relativedelta

from bot.clock import Clock, from_timestamp, to_timestamp
from bot.db import Database, Tx
from bot.errors import NotFound, UserError
from bot.i18n import N_, Message
from bot.secrets import keyed_hash
from bot.services.outbox import enqueue
from bot.services.recurrence import localise, to_local
from bot.services.rows import from_row, optional_time
from bot.text import clean_text

# -- the form ----------------------------------------------------------------------------

# The labels are catalogue strings (marked with N_), translated where they are shown.
SETTINGS: Final[dict[str, Message]] = {
    "placement": N_("Placement or clinical setting"),
    "teaching": N_("Teaching (lecture, seminar, tutorial, lab)"),
    "campus": N_("Campus (library, societies, sport, other spaces)"),
    "accommodation": N_("Accommodation"),
    "online": N_("Online (chats, social media, email)"),
    "other": N_("Somewhere else"),
}

# The protected characteristics of the Equality Act 2010, and honest ways of not choosing one.
CHARACTERISTICS: Final[dict[str, Message]] = {
    "age": N_("Age"),
    "disability": N_("Disability (including mental health and neurodivergence)"),
    "gender_reassignment": N_("Gender reassignment (trans or non-binary)"),
    "marriage": N_("Marriage or civil partnership"),
    "pregnancy": N_("Pregnancy or maternity"),
    "race": N_("Race (ethnicity, colour, nationality)"),
    "religion": N_("Religion or belief"),
    "sex": N_("Sex"),
    "sexual_orientation": N_("Sexual orientation"),
    "several": N_("More than one of these"),
    "not_sure": N_("Not sure"),
    "none": N_("No, or I'd rather not say"),
}

WISHES: Final[dict[str, Message]] = {
    "record": N_("Just record it"),
    "reply": N_("I'd like a reply (you get a private code)"),
}

BODY_MAX: Final = 3000
WHEN_MAX: Final = 100
MESSAGE_MAX: Final = 1800
OUTCOME_MAX: Final = 1000
URL_MAX: Final = 300
DEFAULT_RETENTION_MONTHS: Final = 12
RETENTION_MIN: Final = 1
RETENTION_MAX: Final = 120
REPORTS_PER_HOUR: Final = 3  # per member, counted in memory only (ReportRateLimiter)

# -- codes -------------------------------------------------------------------------------

CODE_BYTES: Final = 20  # 160 bits
_CODE_GROUP: Final = 4
_CODE_LENGTH: Final = 32  # base32 characters for 20 bytes, no padding
# Letters people mistype for base32 look-alikes (base32 has no 0, 1 or 8).
_LOOKALIKES: Final = str.maketrans({"0": "O", "1": "I", "8": "B"})

WRONG_CODE: Final = N_(
    "That code doesn't open a case here. Check that you copied it exactly (capitals, dashes and "
    "spaces don't matter) and that you're on the server where you reported. Codes also stop "
    "working when a case reaches the end of its retention period."
)


def new_code() -> str:
    """A fresh random reply code, grouped for reading: ``ABCD-EFGH-…`` (160 bits)."""
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").rstrip("=")
    return "-".join(raw[i : i + _CODE_GROUP] for i in range(0, len(raw), _CODE_GROUP))


def normalise_code(text: str) -> str:
    """The code as stored for hashing: capitals, without separators; "" if it can't be one."""
    cleaned = re.sub(r"[\s\-_.]", "", text).upper().translate(_LOOKALIKES)
    if len(cleaned) != _CODE_LENGTH or not re.fullmatch(r"[A-Z2-7]+", cleaned):
        return ""
    return cleaned


# -- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportSettings:
    guild_id: int
    reporting_url: str | None
    retention_months: int


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    guild_id: int
    number: int
    reported_on: str
    setting: str
    happened_when: str | None
    characteristic: str | None
    wants_reply: bool
    body: str
    retention_months: int
    status: str
    outcome: str | None
    closed_at: datetime | None
    delete_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def setting_label(self) -> str:
        return SETTINGS.get(self.setting, self.setting)

    @property
    def characteristic_label(self) -> str | None:
        return (
            None
            if self.characteristic is None
            else CHARACTERISTICS.get(self.characteristic, self.characteristic)
        )


@dataclass(frozen=True, slots=True)
class CaseMessage:
    author: str  # "reporter" or "staff"
    body: str
    written_on: str


@dataclass(frozen=True, slots=True)
class CaseThread:
    case: Case
    messages: list[CaseMessage]
    answer_tag: str | None = None  # only when opened with its code: lets the holder answer


@dataclass(frozen=True, slots=True)
class NewCase:
    case: Case
    code: str | None  # shown once, never stored


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case: Case
    message_count: int
    awaiting_staff: bool  # the reporter wrote last (or wrote and nobody has replied yet)


@dataclass(frozen=True, slots=True)
class Purged:
    case_id: int
    guild_id: int
    number: int
    posts: list[tuple[int, int]]


_CASE_COLUMNS = (
    "id, guild_id, number, reported_on, setting, happened_when, characteristic, wants_reply, body, "
    "retention_months, status, outcome, closed_at, delete_at"
)

_MESSAGES = "SELECT author, body, written_on FROM report_messages"


def _case_messages(rows: Any) -> list[CaseMessage]:
    return [CaseMessage(author, body, written_on) for author, body, written_on in rows]


def _why_no_reply(case: Case, *, trying: bool = False) -> UserError | None:
    """Why staff can't reply on ``case`` now (the reporter couldn't read it); None if they can.
    ``trying``: a reply was already written, so the message says nothing was sent."""
    if not case.wants_reply:
        if trying:
            return UserError(
                "The reporter of case {number} asked for it to be recorded only, so they have no code "
                "and can't read replies. Nothing was sent.",
                number=case.number,
            )
        return UserError(
            "The reporter of case {number} asked for it to be recorded only, so they have no code "
            "and can't read replies.",
            number=case.number,
        )
    if not case.is_open:
        if trying:
            return UserError(
                "Case {number} is closed, so it can't take new replies. Reopen it first. Nothing was sent.",
                number=case.number,
            )
        return UserError(
            "Case {number} is closed, so it can't take new replies. Reopen it first.", number=case.number
        )
    return None


def _case(row: Any) -> Case:
    return from_row(
        Case,
        row,
        wants_reply=bool(row["wants_reply"]),
        closed_at=optional_time(row["closed_at"]),
        delete_at=optional_time(row["delete_at"]),
    )


def _clean_text(value: str | None, *, what: str, limit: int, required: bool) -> str | None:
    """What a person typed, cleaned (:func:`bot.text.clean_text`); None when empty and optional."""
    return clean_text(value or "", field=what, limit=limit, required=required) or None


def validate_url(value: str) -> str:
    url = clean_text(value, field=N_("The reporting page"), multiline=False)
    try:
        parts = urlsplit(url)
        usable = parts.scheme == "https" and bool(parts.hostname) and parts.port != 0
    except ValueError:  # "https://[", "https://a:b", "https://a:99999": not an address
        usable = False
    if len(url) > URL_MAX or not usable or " " in url:
        raise UserError(
            "The reporting page must be a full https:// address of at most {limit} characters, for "
            "example `https://report.example.ac.uk/`.",
            limit=URL_MAX,
        )
    return url


# -- the service -------------------------------------------------------------------------


#: The outbox topic of the bot's posts about cases in the staff channel
#: (key ``reports.staff:{case_id}:{kind}:{message_id}``, kind: new, answer, reply, closed,
#: reopened; for closed and reopened the "message id" is a random number, since a case can be
#: closed, reopened and closed again, each its own post).
STAFF_TOPIC = "reports.staff"


def _nonce() -> int:
    """Tells apart the closings (and reopenings) of one case; the state change itself is guarded."""
    return secrets.randbelow(10**9) + 1


def staff_marker(case_id: int, kind: str, message_id: int) -> str:
    """What a staff-channel post carries in its footer, unique to it: ids of the case and its
    message, nothing about the reporter. Language-neutral: the footer shows it after a translated
    "Ref." (a post made before this read "Ref. C…", which still carries it)."""
    return f"C{case_id}-{kind}-{message_id}"


@dataclass(frozen=True, slots=True)
class StaffPost:
    """The post telling staff about a change to a case: the channel it goes to, and the organiser
    who made the change (named in it; None for the reporter's changes, which name nobody)."""

    channel_id: int
    by: int | None = None


class ReportService:
    def __init__(self, db: Database, clock: Clock, key: bytes) -> None:
        self.db = db
        self.clock = clock
        self._key = key

    # settings -------------------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> ReportSettings:
        row = await self.db.fetchone(
            "SELECT reporting_url, retention_months FROM report_settings WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return ReportSettings(guild_id, None, DEFAULT_RETENTION_MONTHS)
        return ReportSettings(guild_id, row["reporting_url"], row["retention_months"])

    async def update_settings(
        self,
        guild_id: int,
        *,
        reporting_url: str | None = None,
        clear_url: bool = False,
        retention_months: int | None = None,
    ) -> ReportSettings:
        """Change the reporting page and/or the retention (for cases reported from now on)."""
        url = validate_url(reporting_url) if reporting_url is not None else None
        if retention_months is not None and not RETENTION_MIN <= retention_months <= RETENTION_MAX:
            raise UserError(
                "Retention must be between {low} and {high} months.", low=RETENTION_MIN, high=RETENTION_MAX
            )
        async with self.db.transaction() as tx:
            await self._ensure_settings(tx, guild_id)
            if url is not None or clear_url:
                await tx.execute(
                    "UPDATE report_settings SET reporting_url = ? WHERE guild_id = ?", (url, guild_id)
                )
            if retention_months is not None:
                await tx.execute(
                    "UPDATE report_settings SET retention_months = ? WHERE guild_id = ?",
                    (retention_months, guild_id),
                )
        return await self.get_settings(guild_id)

    async def _ensure_settings(self, tx: Tx, guild_id: int) -> None:
        await tx.execute(
            "INSERT INTO report_settings (guild_id) VALUES (?) ON CONFLICT (guild_id) DO NOTHING", (guild_id,)
        )

    # reporting ------------------------------------------------------------------------

    def _day(self, timezone: str) -> str:
        return to_local(self.clock.now(), timezone).date().isoformat()

    def _code_hash(self, guild_id: int, normalised: str) -> str:
        return keyed_hash(self._key, "report-code", guild_id, normalised)

    async def create_case(
        self,
        guild_id: int,
        *,
        timezone: str,
        setting: str,
        body: str,
        happened_when: str | None,
        characteristic: str | None,
        wants_reply: bool,
        staff: StaffPost | None = None,
    ) -> NewCase:
        """Record a report. Takes no member: there is nothing to link it to anyone.

        With ``staff``, the post telling staff about it is promised in the same transaction (the
        outbox delivers it; it carries the case, never the reporter), as with every change below.
        """
        text = _clean_text(body, what="What happened", limit=BODY_MAX, required=True)
        assert text is not None
        when = _clean_text(happened_when, what="Roughly when", limit=WHEN_MAX, required=False)
        if setting not in SETTINGS:
            raise UserError("Please choose where it happened from the list.")
        if characteristic is not None and characteristic not in CHARACTERISTICS:
            raise UserError("Please choose a protected characteristic from the list, or leave it empty.")
        code = new_code() if wants_reply else None
        code_hash = self._code_hash(guild_id, normalise_code(code)) if code else None
        async with self.db.transaction() as tx:
            await self._ensure_settings(tx, guild_id)
            settings = await tx.fetchone(
                "SELECT next_case_number, retention_months FROM report_settings WHERE guild_id = ?",
                (guild_id,),
            )
            assert settings is not None
            number = int(settings["next_case_number"])
            await tx.execute(
                "UPDATE report_settings SET next_case_number = ? WHERE guild_id = ?", (number + 1, guild_id)
            )
            result = await tx.execute(
                "INSERT INTO report_cases (guild_id, number, reported_on, setting, happened_when,"
                " characteristic, wants_reply, body, code_hash, retention_months)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    number,
                    self._day(timezone),
                    setting,
                    when,
                    characteristic,
                    int(wants_reply),
                    text,
                    code_hash,
                    settings["retention_months"],
                ),
            )
            row = await tx.fetchone(
                f"SELECT {_CASE_COLUMNS} FROM report_cases WHERE id = ?", (result.lastrowid,)
            )
            assert row is not None
            await self._promise_staff_post(tx, guild_id, row["id"], "new", 0, staff)
        return NewCase(_case(row), code)

    # the reporter's side, by code -------------------------------------------------------

    async def open_with_code(self, guild_id: int, code: str) -> CaseThread:
        """The case a code opens. A wrong, malformed or expired code all get :data:`WRONG_CODE`."""
        normalised = normalise_code(code)
        # Look up even a malformed code, so every wrong code takes the same path.
        digest = self._code_hash(guild_id, normalised or code)
        # The case and its messages in one snapshot and one trip; a wrong code runs both too.
        by_code = "FROM report_cases WHERE guild_id = ? AND code_hash = ?"
        cases, messages = await self.db.read_many(
            (f"SELECT {_CASE_COLUMNS} {by_code}", (guild_id, digest)),
            (f"{_MESSAGES} WHERE case_id = (SELECT id {by_code}) ORDER BY id", (guild_id, digest)),
        )
        if not cases or not normalised:
            raise UserError(WRONG_CODE)
        row = cases[0]
        return CaseThread(_case(row), _case_messages(messages), self._answer_tag(row["id"], digest))

    def _answer_tag(self, case_id: int, code_hash: str) -> str:
        """A capability for answering one case, put on a button shown only to the code holder.

        It is derived with the bot's key from the case and its code hash, so it can't be made
        without opening the case with its code, and it says nothing about the code or the member.
        """
        # 128 bits written in decimal: metrics labels drop all-digit parts of a custom id, so the
        # tag never reaches them.
        return str(int(keyed_hash(self._key, "report-answer", case_id, code_hash)[:32], 16))

    async def check_answerable(self, guild_id: int, case_id: int, tag: str) -> Case:
        """The open case of this server that ``tag`` lets its holder answer; a kind UserError if not.

        For the "Write a message" button, whose custom id (case and tag) is untrusted: a forged,
        stale or other server's id gets :data:`WRONG_CODE` before any form opens.
        """
        async with self.db.read(snapshot=False) as tx:  # a check, not a write: no lock, no fsync
            return await self._answerable(tx, guild_id, case_id, tag)

    async def _answerable(self, tx: Tx, guild_id: int, case_id: int, tag: str) -> Case:
        row = None
        if 0 < case_id < 2**63:
            row = await tx.fetchone(
                f"SELECT {_CASE_COLUMNS}, code_hash FROM report_cases WHERE id = ? AND guild_id = ?",
                (case_id, guild_id),
            )
        code_hash = None if row is None else row["code_hash"]
        expected = "" if code_hash is None else self._answer_tag(case_id, code_hash)
        if not expected or not hmac.compare_digest(tag.encode(), expected.encode()):
            raise UserError(WRONG_CODE)
        case = _case(row)
        if not case.is_open:
            raise UserError(
                "Case {number} has been closed, so it can't take new messages. Thank you for "
                "what you shared. If something new has happened, you can start a new report with "
                "`/report new`.",
                number=case.number,
            )
        return case

    async def answer(
        self,
        guild_id: int,
        case_id: int,
        tag: str,
        body: str,
        *,
        timezone: str,
        staff: StaffPost | None = None,
    ) -> Case:
        """Add the reporter's answer to their case (the tag proves they opened it with the code)."""
        text = _clean_text(body, what="Your message", limit=MESSAGE_MAX, required=True)
        assert text is not None
        async with self.db.transaction() as tx:
            case = await self._answerable(tx, guild_id, case_id, tag)
            added = await tx.execute(
                "INSERT INTO report_messages (case_id, author, body, written_on)"
                " VALUES (?, 'reporter', ?, ?)",
                (case_id, text, self._day(timezone)),
            )
            await self._promise_staff_post(tx, guild_id, case_id, "answer", added.lastrowid, staff)
        return case

    # the staff's side -----------------------------------------------------------------

    async def _messages(self, tx: Tx, case_id: int) -> list[CaseMessage]:
        return _case_messages(await tx.fetchall(f"{_MESSAGES} WHERE case_id = ? ORDER BY id", (case_id,)))

    async def list_cases(self, guild_id: int, *, include_closed: bool = False) -> list[CaseSummary]:
        status = "" if include_closed else " AND c.status = 'open'"
        rows = await self.db.fetchall(
            f"SELECT {', '.join('c.' + c.strip() for c in _CASE_COLUMNS.split(','))},"
            " (SELECT COUNT(*) FROM report_messages m WHERE m.case_id = c.id) AS message_count,"
            " (SELECT m.author FROM report_messages m WHERE m.case_id = c.id"
            "  ORDER BY m.id DESC LIMIT 1) AS last_author"
            f" FROM report_cases c WHERE c.guild_id = ?{status} ORDER BY c.status = 'closed', c.number DESC",
            (guild_id,),
        )
        return [
            CaseSummary(
                _case(r), r["message_count"], r["last_author"] == "reporter" and r["status"] == "open"
            )
            for r in rows
        ]

    async def _case_by_number(self, tx: Tx, guild_id: int, number: int) -> Case:
        row = await tx.fetchone(
            f"SELECT {_CASE_COLUMNS} FROM report_cases WHERE guild_id = ? AND number = ?",
            (guild_id, number),
        )
        if row is None:
            raise NotFound(
                "There is no case {number} on this server. `/cases list` shows the open ones.", number=number
            )
        return _case(row)

    async def get_case(self, guild_id: int, number: int) -> CaseThread:
        async with self.db.read() as tx:
            case = await self._case_by_number(tx, guild_id, number)
            return CaseThread(case, await self._messages(tx, case.id))

    async def check_repliable(self, guild_id: int, number: int) -> None:
        """Before the reply form opens: say now, not after typing, if no reply can be sent."""
        why = _why_no_reply((await self.get_case(guild_id, number)).case)
        if why is not None:
            raise why

    async def reply(
        self, guild_id: int, number: int, body: str, *, timezone: str, staff: StaffPost | None = None
    ) -> Case:
        """Staff reply on a case; the reporter reads it with their code. With ``staff``, the post
        naming the organiser is promised in the same transaction."""
        text = _clean_text(body, what="The reply", limit=MESSAGE_MAX, required=True)
        async with self.db.transaction() as tx:
            case = await self._case_by_number(tx, guild_id, number)
            why = _why_no_reply(case, trying=True)
            if why is not None:
                raise why
            added = await tx.execute(
                "INSERT INTO report_messages (case_id, author, body, written_on) VALUES (?, 'staff', ?, ?)",
                (case.id, text, self._day(timezone)),
            )
            await self._promise_staff_post(tx, guild_id, case.id, "reply", added.lastrowid, staff)
        return case

    async def close(
        self, guild_id: int, number: int, outcome: str, *, timezone: str, staff: StaffPost | None = None
    ) -> Case:
        """Close a case with an outcome the reporter can read; it is deleted after its retention.

        The retention is counted in the server's calendar (``timezone``): a case closed at 10:00
        local time is deleted at 10:00 local time, whether or not the clocks changed meanwhile.
        """
        text = _clean_text(outcome, what="The outcome", limit=OUTCOME_MAX, required=True)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            case = await self._case_by_number(tx, guild_id, number)
            if case.status == "closed":
                raise UserError("Case {number} is already closed.", number=number)
            kept = relativedelta(months=case.retention_months)
            delete_at = localise(to_local(now, timezone) + kept, timezone)
            await tx.execute(
                "UPDATE report_cases SET status = 'closed', outcome = ?, closed_at = ?, delete_at = ?"
                " WHERE id = ?",
                (text, to_timestamp(now), to_timestamp(delete_at), case.id),
            )
            updated = await tx.fetchone(f"SELECT {_CASE_COLUMNS} FROM report_cases WHERE id = ?", (case.id,))
            # A case can be closed again after a reopening: each closing is its own post.
            await self._promise_staff_post(tx, guild_id, case.id, "closed", _nonce(), staff)
        return _case(updated)

    async def reopen(self, guild_id: int, number: int, *, staff: StaffPost | None = None) -> Case:
        """Open a closed case again: its deletion date and outcome are cleared (the reporter's
        retention clock stops until it is closed again) and it can take messages again."""
        async with self.db.transaction() as tx:
            case = await self._case_by_number(tx, guild_id, number)
            if case.is_open:
                raise UserError("Case {number} is already open.", number=number)
            await tx.execute(
                "UPDATE report_cases SET status = 'open', outcome = NULL, closed_at = NULL,"
                " delete_at = NULL WHERE id = ?",
                (case.id,),
            )
            updated = await tx.fetchone(f"SELECT {_CASE_COLUMNS} FROM report_cases WHERE id = ?", (case.id,))
            await self._promise_staff_post(tx, guild_id, case.id, "reopened", _nonce(), staff)
        return _case(updated)

    # staff-channel posts -------------------------------------------------------------

    async def _promise_staff_post(
        self, tx: Tx, guild_id: int, case_id: int, kind: str, message_id: int | None, staff: StaffPost | None
    ) -> None:
        """Promise a post about a case to the staff channel (the outbox delivers it).

        The payload holds ids only (the case, its message, the organiser who acted), never the
        report's text and never anything about the reporter, which the bot doesn't know.
        """
        if staff is None:
            return
        payload: dict[str, Any] = {"case_id": case_id, "kind": kind, "message_id": message_id or 0}
        if staff.by is not None:
            payload["by"] = staff.by
        await enqueue(
            tx,
            self.clock.now(),
            guild_id=guild_id,
            key=f"{STAFF_TOPIC}:{case_id}:{kind}:{message_id or 0}",
            topic=STAFF_TOPIC,
            channel_id=staff.channel_id,
            payload=payload,
            marker=staff_marker(case_id, kind, message_id or 0),
        )

    async def case_by_id(self, case_id: int) -> Case | None:
        """A case by its id (None once deleted), for a post about it."""
        row = await self.db.fetchone(f"SELECT {_CASE_COLUMNS} FROM report_cases WHERE id = ?", (case_id,))
        return None if row is None else _case(row)

    async def message_body(self, case_id: int, message_id: int) -> str | None:
        """The text of one message of a case (None once deleted)."""
        body = await self.db.fetchval(
            "SELECT body FROM report_messages WHERE case_id = ? AND id = ?", (case_id, message_id)
        )
        return None if body is None else str(body)

    async def add_post(self, case_id: int, channel_id: int, message_id: int) -> bool:
        """Remember a bot message about a case, so it is deleted with the case.

        Returns False, storing nothing, if the case was deleted meanwhile (the caller then
        deletes the message).
        """
        stored = await self.db.execute(
            "INSERT INTO report_posts (case_id, channel_id, message_id)"
            " SELECT id, ?, ? FROM report_cases WHERE id = ? ON CONFLICT DO NOTHING",
            (channel_id, message_id, case_id),
        )
        if stored > 0:
            return True
        # Already remembered (a post found again after a crash) counts as stored.
        known = await self.db.fetchval(
            "SELECT 1 FROM report_posts WHERE case_id = ? AND channel_id = ? AND message_id = ?",
            (case_id, channel_id, message_id),
        )
        return known is not None

    # retention ------------------------------------------------------------------------

    async def due_deletions(self) -> list[tuple[int, datetime]]:
        """Every case waiting for deletion, with when (for re-arming jobs at start)."""
        rows = await self.db.fetchall(
            "SELECT id, delete_at FROM report_cases WHERE delete_at IS NOT NULL ORDER BY delete_at"
        )
        return [(r["id"], from_timestamp(r["delete_at"])) for r in rows]

    async def is_due(self, case_id: int) -> bool:
        """Whether a case has reached the end of its retention (and still exists)."""
        due = await self.db.fetchval(
            "SELECT 1 FROM report_cases WHERE id = ? AND delete_at IS NOT NULL AND delete_at <= ?",
            (case_id, to_timestamp(self.clock.now())),
        )
        return due is not None

    async def posts_for(self, case_id: int) -> list[tuple[int, int]]:
        rows = await self.db.fetchall(
            "SELECT channel_id, message_id FROM report_posts WHERE case_id = ? ORDER BY message_id",
            (case_id,),
        )
        return [(r["channel_id"], r["message_id"]) for r in rows]

    async def purge(self, case_id: int) -> Purged | None:
        """Delete a case, its messages and its post records if it is due; None if not (yet)."""
        now = to_timestamp(self.clock.now())
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT guild_id, number FROM report_cases"
                " WHERE id = ? AND delete_at IS NOT NULL AND delete_at <= ?",
                (case_id, now),
            )
            if row is None:
                return None
            posts = await tx.fetchall(
                "SELECT channel_id, message_id FROM report_posts WHERE case_id = ?", (case_id,)
            )
            await tx.execute("DELETE FROM report_cases WHERE id = ?", (case_id,))
        return Purged(
            case_id, row["guild_id"], row["number"], [(p["channel_id"], p["message_id"]) for p in posts]
        )

    # privacy (issue 9) ---------------------------------------------------------------

    async def export_member(self, member_id: int) -> dict[str, Any]:
        """Nothing: reports are not linked to any member, by design.

        No table of this feature stores a member id, and a case cannot be traced back to who
        made it, so there is no member data here to export. (A reporter can still read their
        own case with their code: ``/report check``.)
        """
        return {}

    async def forget_member(self, member_id: int) -> dict[str, int]:
        """Nothing to erase: reports hold no member id and can't be matched to anyone.

        Deleting "this member's reports" would require knowing who reported, which the bot
        never records. Cases go when their retention period ends.
        """
        return {}


# -- the rate limit ------------------------------------------------------------------------


class ReportRateLimiter:
    """At most ``limit`` reports per ``window`` seconds per member, in memory only.

    Members are keyed by a keyed hash of their id (so even a memory dump doesn't list who
    reported), entries hold clock instants and expire with the window. Nothing is written to
    the database, and a restart forgets everything (an accepted trade-off).
    """

    def __init__(
        self, clock: Clock, key: bytes, *, limit: int = REPORTS_PER_HOUR, window: float = 3600.0
    ) -> None:
        self.clock = clock
        self._key = key
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}

    def _who(self, guild_id: int, member_id: int) -> str:
        return keyed_hash(self._key, "report-rate", guild_id, member_id)

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _prune(self, now: float) -> None:
        for who in list(self._hits):
            hits = self._hits[who]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if not hits:
                del self._hits[who]

    def retry_after(self, guild_id: int, member_id: int) -> float:
        """Seconds until this member may report again (0 when they may now)."""
        now = self._now()
        self._prune(now)
        hits = self._hits.get(self._who(guild_id, member_id))
        if hits is None or len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[0] + self.window - now)

    def acquire(self, guild_id: int, member_id: int) -> float:
        """Count one report if allowed (returns 0), else the seconds to wait (nothing counted)."""
        wait = self.retry_after(guild_id, member_id)
        if wait > 0:
            return wait
        self._hits.setdefault(self._who(guild_id, member_id), deque()).append(self._now())
        return 0.0

    def release(self, guild_id: int, member_id: int) -> None:
        """Give back the last counted report (when saving it failed)."""
        hits = self._hits.get(self._who(guild_id, member_id))
        if hits:
            hits.pop()

    @property
    def tracked(self) -> int:
        """How many members are being counted right now (for tests and metrics)."""
        self._prune(self._now())
        return len(self._hits)


def wait_words(seconds: float) -> str:
    minutes = max(1, int(-(-seconds // 60)))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


__all__ = [
    "CHARACTERISTICS",
    "REPORTS_PER_HOUR",
    "SETTINGS",
    "WISHES",
    "WRONG_CODE",
    "Case",
    "CaseMessage",
    "CaseSummary",
    "CaseThread",
    "NewCase",
    "Purged",
    "ReportRateLimiter",
    "ReportService",
    "ReportSettings",
    "new_code",
    "normalise_code",
    "wait_words",
]
