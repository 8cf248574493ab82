"""The data inventory: every column the bot stores, and what it means for a person's privacy.

Every column of every table is classified here, either as personal data (it can hold a member's
id, or text a person wrote or declared) with its purpose and retention, or as not personal
with the reason. ``tests/test_privacy_inventory.py`` reads the live schema after all migrations
and fails on any column not classified here, so the privacy notice (generated from this file)
cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_


class Kind(StrEnum):
    MEMBER_ID = "member id"
    PERSONAL_TEXT = "text a person wrote"
    SENSITIVE = "special category data a person declared"
    PSEUDONYMOUS = "keyed hash (unlinkable without the bot's secret key)"
    LINKED = "a detail about you, stored with your id"


@dataclass(frozen=True, slots=True)
class Personal:
    table: str
    column: str
    kind: Kind
    feature: str
    what: str
    purpose: str
    retention: str
    retention_days: int | None = None  # enforced by the daily retention job with ``purge``
    purge: str | None = None  # SQL removing what is past retention; ``:cutoff`` = now - retention_days


@dataclass(frozen=True, slots=True)
class NotPersonal:
    table: str
    column: str
    why: str


ANON = "anonymous: holds no member id and cannot be linked to one"

# -- not personal ---------------------------------------------------------------------------


def _not_personal(table: str, why: str, *columns: str) -> list[NotPersonal]:
    return [NotPersonal(table, column, why) for column in columns]


NOT_PERSONAL: list[NotPersonal] = [
    *_not_personal("schema_migrations", "bookkeeping", "version", "name", "applied_at"),
    NotPersonal("bot_meta", "key", "bookkeeping"),
    NotPersonal("bot_meta", "value", "bookkeeping (for example the command tree's hash)"),
    NotPersonal("guild_settings", "guild_id", "a server's id"),
    NotPersonal("guild_settings", "organiser_role_id", "a role's id"),
    *_not_personal("guild_settings", "server setting", "timezone", "joined_at", "updated_at"),
    NotPersonal("guild_channels", "guild_id", "a server's id"),
    NotPersonal("guild_channels", "purpose", "server setting"),
    NotPersonal("guild_channels", "channel_id", "a channel's id"),
]


NOT_PERSONAL += [
    *_not_personal(
        "event_settings", "server setting", "guild_id", "lead_times", "remind_maybe", "mirror", "updated_at"
    ),
    *_not_personal(
        "event_series", "schedule of a series", "series_id", "guild_id", "rule", "timezone", "created_at"
    ),
    *_not_personal(
        "events",
        "an event's public details, written by organisers for everyone to read",
        "event_id",
        "guild_id",
        "series_id",
        "kind",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "place",
        "online_link",
        "cost",
        "food",
        "accessibility",
        "facilitators",
        "theme",
        "capacity",
        "community_channel_id",
        "channel_id",
        "message_id",
        "scheduled_event_id",
        "status",
        "created_at",
        "updated_at",
    ),
    *_not_personal(
        "event_rsvps",
        "part of an RSVP, erased with it",
        "event_id",
        "status",
        "seq",
        "updated_at",
        "promoted_at",
        "promotion_dm",
    ),
    *_not_personal(
        "event_reminders",
        "when an event's reminders are due (no member data)",
        "event_id",
        "lead_seconds",
        "due_at",
        "status",
        "done_at",
    ),
    *_not_personal(
        "event_reminder_optouts", "part of a reminder preference, erased with it", "guild_id", "created_at"
    ),
]

NOT_PERSONAL += [
    *_not_personal(
        "signposts",
        "a welfare service's public details, kept by organisers",
        "id",
        "guild_id",
        "name",
        "name_key",
        "categories",
        "description",
        "phone",
        "sms",
        "email",
        "web",
        "in_person",
        "hours",
        "confidential",
        "independent",
        "position",
        "created_at",
        "updated_at",
    ),
    *_not_personal(
        "signpost_seeds_applied",
        "which configured seed contacts a server has received",
        "guild_id",
        "seed_key",
        "applied_at",
    ),
    *_not_personal(
        "signpost_schedules",
        "a scheduled post of the directory (server, channel, rule, pinned message)",
        "id",
        "guild_id",
        "channel_id",
        "category",
        "rule",
        "dates",
        "time_of_day",
        "timezone",
        "anchor",
        "next_run_at",
        "last_run_at",
        "last_message_id",
        "last_error",
        "created_at",
        "cancelled_at",
    ),
    *_not_personal(
        "signpost_unmet_needs",
        ANON + " (counts per server, need and week; nothing finer; deleted after 26 weeks)",
        "guild_id",
        "need",
        "week_start",
        "count",
    ),
]

NOT_PERSONAL += [
    *_not_personal(
        "mentoring_settings",
        "server setting",
        "guild_id",
        "intro_channel_id",
        "schedule_freq",
        "schedule_weekday",
        "schedule_minute",
        "next_run_at",
        "updated_at",
    ),
    *_not_personal(
        "mentoring_experiences", "the server's list of experiences", "guild_id", "key", "label", "position"
    ),
    *_not_personal("mentoring_checkin_counts", ANON, "guild_id", "answer", "count"),
    *_not_personal(
        "mentoring_profiles",
        "part of a mentoring sign-up, erased with it",
        "guild_id",
        "role",
        "capacity",
        "require_shared",
        "paused",
        "created_at",
        "waiting_since",
    ),
    *_not_personal("mentoring_declarations", "part of a declaration, erased with it", "guild_id", "role"),
    *_not_personal(
        "mentoring_matches",
        "part of a pairing, erased with it",
        "id",
        "guild_id",
        "created_at",
        "intro_sent_at",
        "thread_id",
        "checkin_due_at",
        "checkin_sent_at",
        "ended_at",
        "end_reason",
    ),
    *_not_personal("mentoring_pair_history", "part of the pair history, erased with it", "guild_id"),
]

NOT_PERSONAL += [
    *_not_personal(
        "communities",
        "a community's definition, written by organisers; no membership is stored",
        "id",
        "guild_id",
        "name",
        "slug",
        "kind",
        "description",
        "emoji",
        "welcome_note",
        "channel_id",
        "role_id",
        "archived_at",
        "created_at",
        "updated_at",
    ),
    *_not_personal(
        "community_panels",
        "where join panels are posted",
        "message_id",
        "guild_id",
        "channel_id",
        "created_at",
    ),
    *_not_personal(
        "community_health_reports",
        "which setup problems were already reported to organisers",
        "community_id",
        "problem",
        "reported_at",
    ),
    *_not_personal(
        "report_settings",
        "server setting",
        "guild_id",
        "reporting_url",
        "retention_months",
        "next_case_number",
    ),
    *_not_personal(
        "report_cases",
        ANON,
        "id",
        "guild_id",
        "number",
        "reported_on",
        "setting",
        "wants_reply",
        "retention_months",
        "status",
        "closed_at",
        "delete_at",
    ),
    NotPersonal("report_cases", "code_hash", "a keyed hash of a random reply code, not of a person"),
    *_not_personal("report_messages", ANON, "id", "case_id", "author", "written_on"),
    *_not_personal(
        "report_posts", "the bot's own staff-channel messages", "case_id", "channel_id", "message_id"
    ),
]

NOT_PERSONAL += [
    *_not_personal("pulse_settings", "server setting", "guild_id", "min_answers"),
    *_not_personal(
        "pulses",
        "a pulse check's questions and schedule, written by organisers (no creator is stored)",
        "pulse_id",
        "guild_id",
        "title",
        "questions",
        "channel_id",
        "audience_channel_id",
        "breakdown_channel_id",
        "repeat",
        "first_run_local",
        "open_seconds",
        "offer_support",
        "status",
        "next_run_at",
        "runs_made",
        "created_at",
    ),
    *_not_personal(
        "pulse_runs",
        ANON,
        "run_id",
        "pulse_id",
        "guild_id",
        "number",
        "opens_at",
        "closes_at",
        "status",
        "channel_id",
        "message_id",
        "audience_size",
        "answers",
        "group_answers",
    ),
    *_not_personal(
        "pulse_counts", ANON + " (counters per option)", "run_id", "question", "option", "count", "in_group"
    ),
    NotPersonal("pulse_answered", "run_id", "part of a one-answer token, deleted with it"),
]

# -- personal -------------------------------------------------------------------------------

EVENTS = N_("Events")

REPORTS = N_("Anonymous reports (linked to no one)")
AS_THE_CASE = N_("with the case: the server's retention period (default 12 months) after it is closed")
PULSE = N_("Pulse checks (anonymous)")
MENTORING = N_("Peer mentoring")
UNTIL_LEAVE = N_("until you leave mentoring (`/mentor leave`) or ask to be forgotten")

PERSONAL: list[Personal] = [
    Personal(
        "pulse_answered",
        "token",
        Kind.PSEUDONYMOUS,
        PULSE,
        N_("a keyed hash saying that someone answered an open run (not what they answered)"),
        N_("so each person answers a run once"),
        N_("until the run closes (usually 48 hours)"),
    ),
    Personal(
        "report_cases",
        "body",
        Kind.PERSONAL_TEXT,
        REPORTS,
        N_("what happened, in the reporter's words"),
        N_("so the welfare team can act"),
        AS_THE_CASE,
    ),
    Personal(
        "report_cases",
        "happened_when",
        Kind.PERSONAL_TEXT,
        REPORTS,
        N_("roughly when it happened, as the reporter put it"),
        N_("context for the welfare team"),
        AS_THE_CASE,
    ),
    Personal(
        "report_cases",
        "characteristic",
        Kind.SENSITIVE,
        REPORTS,
        N_("the protected characteristic a report relates to, if chosen"),
        N_("equality monitoring and action"),
        AS_THE_CASE,
    ),
    Personal(
        "report_cases",
        "outcome",
        Kind.PERSONAL_TEXT,
        REPORTS,
        N_("the outcome written by staff"),
        N_("to tell the reporter"),
        AS_THE_CASE,
    ),
    Personal(
        "report_messages",
        "body",
        Kind.PERSONAL_TEXT,
        REPORTS,
        N_("staff replies and the reporter's answers"),
        N_("the anonymous conversation"),
        AS_THE_CASE,
    ),
    Personal(
        "mentoring_profiles",
        "member_id",
        Kind.MEMBER_ID,
        MENTORING,
        N_("that you offered or asked for mentoring"),
        N_("to match mentors and mentees"),
        UNTIL_LEAVE,
    ),
    Personal(
        "mentoring_profiles",
        "year",
        Kind.LINKED,
        MENTORING,
        N_("your year of study"),
        N_("mentors are always from an older year; never shown to others"),
        UNTIL_LEAVE,
    ),
    Personal(
        "mentoring_profiles",
        "note",
        Kind.PERSONAL_TEXT,
        MENTORING,
        N_("your hello (mentors) or what you'd like help with (mentees)"),
        N_("shown to your mentoring partner only"),
        UNTIL_LEAVE,
    ),
    Personal(
        "mentoring_declarations",
        "member_id",
        Kind.MEMBER_ID,
        MENTORING,
        N_("whose declared experiences these are"),
        N_("to match on shared experiences"),
        UNTIL_LEAVE,
    ),
    Personal(
        "mentoring_declarations",
        "experience_key",
        Kind.SENSITIVE,
        MENTORING,
        N_("the experiences you chose to declare (for example first in family, LGBTQ+, faith)"),
        N_("matching only; your partner learns only the ones you share; organisers see counts only"),
        UNTIL_LEAVE,
    ),
    Personal(
        "mentoring_matches",
        "mentor_id",
        Kind.MEMBER_ID,
        MENTORING,
        N_("who mentors whom"),
        N_("introductions, check-ins and /mentor status"),
        N_("until either person leaves or is forgotten"),
    ),
    Personal(
        "mentoring_matches",
        "mentee_id",
        Kind.MEMBER_ID,
        MENTORING,
        N_("who is mentored by whom"),
        N_("introductions, check-ins and /mentor status"),
        N_("until either person leaves or is forgotten"),
    ),
    Personal(
        "mentoring_matches",
        "shared",
        Kind.SENSITIVE,
        MENTORING,
        N_("the experiences a pair share"),
        N_("to tell the pair what they have in common"),
        N_("until either person leaves or is forgotten"),
    ),
    Personal(
        "mentoring_matches",
        "mentor_checkin",
        Kind.PERSONAL_TEXT,
        MENTORING,
        N_("a mentor's two-week check-in answer"),
        N_("to follow up on pairings"),
        N_("until either person leaves or is forgotten"),
    ),
    Personal(
        "mentoring_matches",
        "mentee_checkin",
        Kind.PERSONAL_TEXT,
        MENTORING,
        N_("a mentee's two-week check-in answer"),
        N_("to follow up on pairings"),
        N_("until either person leaves or is forgotten"),
    ),
    Personal(
        "mentoring_pair_history",
        "mentor_hash",
        Kind.PSEUDONYMOUS,
        MENTORING,
        N_("a keyed hash of a past mentor"),
        N_("never to pair the same two people twice"),
        N_("until you ask to be forgotten (kept after leaving so a returning pair is not repeated)"),
    ),
    Personal(
        "mentoring_pair_history",
        "mentee_hash",
        Kind.PSEUDONYMOUS,
        MENTORING,
        N_("a keyed hash of a past mentee"),
        N_("never to pair the same two people twice"),
        N_("until you ask to be forgotten (kept after leaving so a returning pair is not repeated)"),
    ),
    Personal(
        "event_rsvps",
        "member_id",
        Kind.MEMBER_ID,
        EVENTS,
        N_("your RSVPs (going, maybe, can't go, waiting list place)"),
        N_("to keep your place, run the waiting list and send your reminders"),
        N_(
            "until 30 days after the event ends; for an event in an identity community's channel, a day "
            "after it ends (who replied to it would show who is in that community)"
        ),
        retention_days=30,
        # :cutoff is 30 days ago; an identity community's event goes 29 days sooner, a day after it ends.
        purge=(
            "DELETE FROM event_rsvps WHERE event_id IN (SELECT event_id FROM events WHERE ends_at < :cutoff"
            " OR (ends_at < :cutoff + 29 * 86400 AND community_channel_id IN"
            " (SELECT channel_id FROM communities WHERE kind = 'identity')))"
        ),
    ),
    Personal(
        "event_rsvps",
        "need",
        Kind.SENSITIVE,
        EVENTS,
        N_("what you chose to tell an event's organisers about your access or dietary needs"),
        N_("so that event's organisers can prepare; shown to them only (attendee list and register)"),
        N_("until 7 days after the event ends, or until you press Can't go"),
        retention_days=7,
        purge=(
            "UPDATE event_rsvps SET need = NULL WHERE need IS NOT NULL AND event_id IN "
            "(SELECT event_id FROM events WHERE ends_at < :cutoff)"
        ),
    ),
    Personal(
        "event_reminder_optouts",
        "member_id",
        Kind.MEMBER_ID,
        EVENTS,
        N_("that you turned event reminders off"),
        N_("so you get no reminder DMs"),
        N_("until you turn reminders back on"),
    ),
    Personal(
        "events",
        "created_by",
        Kind.MEMBER_ID,
        EVENTS,
        N_("which organiser created an event"),
        N_("so organisers can see who set an event up"),
        N_("until 30 days after the event ends"),
        retention_days=30,
        purge="UPDATE events SET created_by = NULL WHERE created_by IS NOT NULL AND ends_at < :cutoff",
    ),
    Personal(
        "event_series",
        "created_by",
        Kind.MEMBER_ID,
        EVENTS,
        N_("which organiser created a series"),
        N_("so organisers can see who set a series up"),
        N_("until 30 days after the series' last event ends"),
        retention_days=30,
        purge=(
            "UPDATE event_series SET created_by = NULL WHERE created_by IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM events e WHERE e.series_id = event_series.series_id AND e.ends_at >= :cutoff)"
        ),
    ),
]

OUTBOX = N_("Messages the bot owes you")

PERSONAL += [
    Personal(
        "outbox",
        "recipient_id",
        Kind.MEMBER_ID,
        OUTBOX,
        N_("who a direct message not yet delivered is for (a reminder, a waiting-list place, a check-in)"),
        N_("to deliver it even if the bot restarts, and to retry when Discord is briefly unavailable"),
        N_(
            "until it is delivered or given up (the id is then cleared); the record of the delivery is "
            "deleted 7 days later"
        ),
        retention_days=7,
        purge="DELETE FROM outbox WHERE ended_at IS NOT NULL AND ended_at < :cutoff",
    ),
    Personal(
        "outbox",
        "item_key",
        Kind.MEMBER_ID,
        OUTBOX,
        N_("a key naming each message, which for a direct message ends with your id"),
        N_("so the same message is never queued twice for you"),
        N_("deleted 7 days after the message is delivered or given up"),
        retention_days=7,
        purge="DELETE FROM outbox WHERE ended_at IS NOT NULL AND ended_at < :cutoff",
    ),
    Personal(
        "outbox",
        "payload",
        Kind.MEMBER_ID,
        OUTBOX,
        N_(
            "what a queued message is about (ids of events, runs, cases, pairings, schedules) and, for a "
            "note to staff on a report case, which organiser replied or closed it; never a pulse answer's "
            "choices, a report's text or anything about who reported"
        ),
        N_("to write the message when it is sent, from what is current then"),
        N_("deleted 7 days after the message is delivered or given up"),
        retention_days=7,
        purge="DELETE FROM outbox WHERE ended_at IS NOT NULL AND ended_at < :cutoff",
    ),
]

NOT_PERSONAL += [
    NotPersonal("events", "revision", "how many times an event was edited (keys its change notices)"),
    NotPersonal(
        "events", "card_attempt", "how many times posting an event's card was refused (keys its next try)"
    ),
    NotPersonal("events", "ask_needs", "whether organisers ask attendees about needs (an event setting)"),
]

NOT_PERSONAL += [
    *_not_personal(
        "outbox",
        "delivery bookkeeping",
        "item_id",
        "guild_id",
        "topic",
        "status",
        "attempts",
        "not_before",
        "not_after",
        "next_attempt_at",
        "created_at",
        "ended_at",
        "outcome",
        "message_id",
    ),
    NotPersonal("outbox", "channel_id", "where a post goes (a channel's id)"),
    NotPersonal("outbox", "marker", "a custom id the posted card carries, to find it after a crash"),
]


# -- find a time (issue #19; bot/services/event_polls.py) ---------------------------------------
PERSONAL += [
    Personal(
        "event_poll_choices",
        "member_id",
        Kind.MEMBER_ID,
        EVENTS,
        N_("that you answered a find-a-time poll"),
        N_("so you can change your answer, and be told if the event is set at a time you can make"),
        N_("until 7 days after the poll closes"),
        retention_days=7,
        purge=(
            "DELETE FROM event_poll_choices WHERE poll_id IN "
            "(SELECT poll_id FROM event_polls WHERE closes_at < :cutoff)"
        ),
    ),
    Personal(
        "event_poll_choices",
        "slots",
        Kind.LINKED,
        EVENTS,
        N_("which of a poll's times you said you could make"),
        N_("to count them (only counts are shown) and tell you if the event is set at one of them"),
        N_("until 7 days after the poll closes"),
    ),
    Personal(
        "event_poll_choices",
        "committed",
        Kind.LINKED,
        EVENTS,
        N_("whether you ticked that caring or work commitments limit when you can come"),
        N_("to count, per time, how many of those who can come have such commitments (counts only)"),
        N_("until 7 days after the poll closes"),
    ),
    Personal(
        "event_polls",
        "created_by",
        Kind.MEMBER_ID,
        EVENTS,
        N_("which organiser started a find-a-time poll"),
        N_("so only organisers act on it, and for accountability"),
        N_("until 30 days after the poll closes"),
        retention_days=30,
        purge="DELETE FROM event_polls WHERE closes_at < :cutoff",
    ),
]

NOT_PERSONAL += [
    *_not_personal(
        "event_polls",
        "a poll's settings and state",
        "poll_id",
        "guild_id",
        "title",
        "community_channel_id",
        "channel_id",
        "message_id",
        "kind",
        "place",
        "online_link",
        "closes_at",
        "status",
        "chosen",
        "created_at",
    ),
    *_not_personal("event_poll_slots", "a poll's candidate times", "poll_id", "slot", "starts_at"),
    *_not_personal("event_poll_choices", "bookkeeping for an answer", "poll_id", "updated_at"),
]

# -- workshop evaluation (issue #19; bot/services/event_evaluations.py) ------------------------
PERSONAL += [
    Personal(
        "event_evaluation_cohort",
        "member_id",
        Kind.MEMBER_ID,
        EVENTS,
        N_(
            "that you went to an evaluated event and are due its follow-up questions (never whether or "
            "what you answered)"
        ),
        N_("to ask you the same questions again some months later"),
        N_(
            "until the follow-up questions are sent (6 months after the event unless its organisers chose "
            "otherwise; at the latest 30 days after they were due), or the evaluation is turned off"
        ),
        retention_days=30,
        purge=(
            "DELETE FROM event_evaluation_cohort WHERE run_id IN (SELECT run_id FROM event_evaluation_runs"
            " WHERE follow_up_at IS NULL OR follow_up_at < :cutoff)"
        ),
    ),
    Personal(
        "event_evaluation_invited",
        "token",
        Kind.PSEUDONYMOUS,
        EVENTS,
        N_("a keyed hash saying you were asked an evaluation's questions (not whether you answered)"),
        N_("so only the people who went can answer"),
        N_("until the questions close (7 days after they are sent)"),
        retention_days=1,
        purge=(
            "DELETE FROM event_evaluation_invited WHERE run_id IN (SELECT run_id FROM pulse_runs"
            " WHERE status = 'closed' OR closes_at < :cutoff)"
        ),
    ),
    Personal(
        "event_evaluation_asked",
        "token",
        Kind.PSEUDONYMOUS,
        EVENTS,
        N_("a keyed hash saying you were already asked about a session of an evaluated series"),
        N_("so a series asks you after the first session you attend, not after every one"),
        N_("until no session of the series is left to ask about"),
        retention_days=30,
        purge=(
            "DELETE FROM event_evaluation_asked WHERE NOT EXISTS (SELECT 1 FROM event_evaluation_events t"
            " JOIN events e ON e.event_id = t.event_id"
            " WHERE t.evaluation_id = event_evaluation_asked.evaluation_id"
            " AND t.state = 'pending' AND e.ends_at >= :cutoff)"
        ),
    ),
    Personal(
        "pulse_texts",
        "text",
        Kind.PERSONAL_TEXT,
        EVENTS,
        N_("what you chose to write in an evaluation's optional comment box, stored with no link to you"),
        N_("shown to the organisers in a shuffled list, only once enough people have answered"),
        N_("12 months after the questions closed"),
        retention_days=365,
        purge=(
            "DELETE FROM pulse_texts WHERE run_id IN (SELECT run_id FROM pulse_runs"
            " WHERE status = 'closed' AND closes_at < :cutoff)"
        ),
    ),
]

NOT_PERSONAL += [
    NotPersonal("pulses", "kind", "whether a pulse is a pulse check or an event evaluation's questions"),
    *_not_personal(
        "pulse_texts", "part of an anonymous comment (a random key; no order, no member)", "run_id", "nonce"
    ),
    *_not_personal(
        "event_evaluations",
        "an evaluation's settings (no organiser is recorded)",
        "evaluation_id",
        "guild_id",
        "pulse_id",
        "free_text",
        "follow_up_months",
        "status",
        "created_at",
    ),
    *_not_personal(
        "event_evaluation_events",
        "which events an evaluation asks about",
        "event_id",
        "evaluation_id",
        "state",
    ),
    *_not_personal(
        "event_evaluation_runs",
        ANON + " (when attendees were asked, and how many could not be reached)",
        "run_id",
        "evaluation_id",
        "event_id",
        "stage",
        "after_run_id",
        "follow_up_at",
        "unreachable",
    ),
    NotPersonal("event_evaluation_cohort", "run_id", "part of a follow-up due, deleted with it"),
    NotPersonal("event_evaluation_invited", "run_id", "part of a who-may-answer token, deleted with it"),
    NotPersonal("event_evaluation_asked", "evaluation_id", "part of an asked-before token, deleted with it"),
]

# -- languages (issue #18; bot/services/language.py, /language, /setup language) ---------------
LANGUAGE = N_("Language")
UNTIL_DEFAULT = N_("until you choose the server's language again with `/language`, or ask to be forgotten")

PERSONAL += [
    Personal(
        "member_languages",
        "member_id",
        Kind.MEMBER_ID,
        LANGUAGE,
        N_("that you chose a language of your own with `/language`"),
        N_("to answer you in it"),
        UNTIL_DEFAULT,
    ),
    Personal(
        "member_languages",
        "locale",
        Kind.LINKED,
        LANGUAGE,
        N_("the language you chose (Welsh or English)"),
        N_("to answer you in it"),
        UNTIL_DEFAULT,
    ),
]

NOT_PERSONAL += [
    *_not_personal("member_languages", "part of a language choice, erased with it", "guild_id", "updated_at"),
    *_not_personal("guild_languages", "server setting", "guild_id", "language", "updated_at"),
]


def classified() -> dict[tuple[str, str], Personal | NotPersonal]:
    entries: dict[tuple[str, str], Personal | NotPersonal] = {}
    everything: list[Personal | NotPersonal] = [*NOT_PERSONAL, *PERSONAL]
    for entry in everything:
        key = (entry.table, entry.column)
        if key in entries:
            raise ValueError(f"{entry.table}.{entry.column} is classified twice")
        entries[key] = entry
    return entries


def unclassified(columns: list[tuple[str, str]]) -> list[str]:
    """The ``table.column`` names in ``columns`` that the inventory does not classify."""
    known = classified()
    return [f"{table}.{column}" for table, column in columns if (table, column) not in known]


def inventory_markdown() -> str:
    """The inventory as a Markdown table (the block between the markers in docs/privacy.md)."""
    rows = [
        "| feature | table.column | kind | what | why | kept |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for item in sorted(PERSONAL, key=lambda i: (i.feature, i.table, i.column)):
        rows.append(
            f"| {item.feature} | `{item.table}.{item.column}` | {item.kind.value} | {item.what} "
            f"| {item.purpose} | {item.retention} |"
        )
    if not PERSONAL:
        rows.append("| (none) | | | | | |")
    return "\n".join(rows)


MARK_START = "<!-- inventory:start (generated by `python -m bot.privacy`; do not edit by hand) -->"
MARK_END = "<!-- inventory:end -->"


def render_into(document: str) -> str:
    """``document`` with the generated inventory between its markers."""
    head, _, rest = document.partition(MARK_START)
    _, _, tail = rest.partition(MARK_END)
    return f"{head}{MARK_START}\n{inventory_markdown()}\n{MARK_END}{tail}"


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    import pathlib
    import sys

    target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/privacy.md")
    target.write_text(render_into(target.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"Updated the inventory in {target}")
