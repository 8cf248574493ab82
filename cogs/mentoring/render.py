"""What mentoring shows: the service's records as embeds and text. Pure functions, no I/O.

Every function takes the reader's :class:`~bot.i18n.Translator` ``t`` (English by default): the
member's own language for replies and DMs; the introduction posted in a private thread speaks
in the server's :class:`~bot.i18n.Voice`. Experience labels are the server's own words, shown as
its organisers wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping

import discord

from bot.clock import discord_time, from_timestamp
from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator, Voice
from bot.services.mentoring_model import ExperienceChange, Match, MemberStatus, Overview, Profile, Schedule
from bot.services.mentoring_schedule import WEEKDAYS
from bot.ui import EMBED_FIELD_VALUE_LIMIT, MESSAGE_LIMIT, clip

COLOUR = discord.Colour.teal()
ICEBREAKERS = (
    N_("What's one thing you wish someone had told you in your first term?"),
    N_("What's a place on or near campus where you feel at ease?"),
    N_("What has surprised you most about studying medicine so far?"),
    N_("What do you do to switch off after a long day?"),
    N_("What's one small win from this week?"),
    N_("Which part of the course are you most looking forward to, or most unsure about?"),
)
WAITING_REASONS: dict[str, Message] = {
    "no_older": N_(
        "There isn't a mentor in a year above yours yet. Mentors are always from an older year, so "
        "I'll keep your request and match you as soon as one signs up."
    ),
    "no_shared": N_(
        "None of the mentors in older years with space right now shares an experience you chose. "
        "I'll keep your request and match you as soon as someone does. If you'd be happy with any "
        "older-year mentor, run `/mentor request` again and choose that."
    ),
    "full": N_(
        "Every mentor in an older year is full or was already paired with you before. I'll keep your "
        "request and match you as soon as a place opens."
    ),
    "paused": N_("Your request is paused, so I won't match you. Run `/mentor pause` again to resume."),
}
ANSWER_REPLIES: dict[str, Message] = {
    "met": N_("Wonderful, thank you for letting me know. I hope the conversations keep going well."),
    "not_yet": N_(
        "No rush, and no pressure. A short hello in your introduction is a good start; suggesting one "
        "time to talk often helps. If it doesn't work out, you can ask for a change any time with "
        "`/mentor rematch`."
    ),
}
#: A mentee's "not yet": the same reply, and a word that one follow-up will come.
NOT_YET_MORE = N_("I'll look in once more in a week, in case a nudge helps.")
CHECKIN_TOTALS: dict[str, Message] = {
    "met": N_("we've met"),
    "not_yet": N_("not yet"),
    "different": N_("asked for a change"),
    "wrong": N_("something's wrong"),
}
SOMETHING_WRONG = N_(
    "I'm sorry something's wrong. You don't have to explain it to me. Here is who can help. "
    "To tell the welfare team what happened, anonymously, use `/report new`. To end the pairing, "
    "use `/mentor rematch`: the other person isn't told why."
)
NOTHING_ELSE = N_("Nothing else either of you declared is shared.")
NOT_SIGNED_UP = N_(
    "You haven't signed up for mentoring. `/mentor request` asks for a mentor from an older year; "
    "`/mentor offer` offers to mentor a younger student."
)
#: "on Mondays" and so on, for the weekly schedule (WEEKDAYS' order).
ON_WEEKDAYS = (
    N_("on Mondays"),
    N_("on Tuesdays"),
    N_("on Wednesdays"),
    N_("on Thursdays"),
    N_("on Fridays"),
    N_("on Saturdays"),
    N_("on Sundays"),
)
assert len(ON_WEEKDAYS) == len(WEEKDAYS)


def not_yet_mentee(t: Translator = SOURCE_TRANSLATOR) -> str:
    return f"{t(ANSWER_REPLIES['not_yet'])} {t(NOT_YET_MORE)}"


def experience_list(keys: tuple[str, ...] | list[str], labels: Mapping[str, str]) -> str:
    return ", ".join(labels.get(k, k.replace("-", " ")) for k in keys)


def explain(shared: tuple[str, ...], labels: Mapping[str, str], t: Translator = SOURCE_TRANSLATOR) -> str:
    if shared:
        return t("You both said: **{experiences}**.", experiences=experience_list(shared, labels))
    return t("You didn't name an experience in common; you were paired across years, as you asked.")


def where(place: str | None, t: Translator = SOURCE_TRANSLATOR) -> str:
    """Where an introduction was made: a thread mention, or "dm"/None for a DM."""
    if place is None or place == "dm":
        return t("by DM (check your messages)")
    return t("in a private thread: {place}", place=place)


def waiting(reason: str | None, t: Translator = SOURCE_TRANSLATOR) -> str:
    return t(WAITING_REASONS[reason or "full"])


# -- signing up ---------------------------------------------------------------------------


def signup_intro(role: str, existing: Profile | None, t: Translator = SOURCE_TRANSLATOR) -> str:
    if role == "offer":
        intro = t(
            "**Offer to mentor a student in a younger year.**\n"
            "Choose your year, the experiences you're willing to share (only the ones you have in common "
            "with a mentee are ever shown to them), and how many students you could mentor. Then press "
            "Continue to write a short hello."
        )
    else:
        intro = t(
            "**Ask for a mentor from an older year.**\n"
            "Choose your year and, if you like, experiences that matter to you: a mentor who shares them "
            "is preferred. Your mentor only learns the experiences you have in common. Then press "
            "Continue to say what you'd like help with."
        )
    if existing is not None:
        intro += "\n" + t("You've signed up before: your choices are filled in, and saving replaces them.")
    return intro


def offer_saved(capacity: int | None, places: list[str | None], t: Translator = SOURCE_TRANSLATOR) -> str:
    """After an offer: how many mentees were paired straight away, and where they were introduced."""
    n, introduced = len(places), ", ".join(where(place, t) for place in places)
    paired = (
        t.ngettext(
            "You've been paired with {n} student already: {places}.",
            "You've been paired with {n} students already: {places}.",
            n,
            places=introduced,
        )
        if places
        else t("I'll introduce you privately as soon as a student in a younger year asks for a mentor.")
    )
    return " ".join(
        [
            t("Thank you for offering to mentor (up to {capacity}).", capacity=capacity),
            paired,
            t("`/mentor status` shows where things are; `/mentor pause` takes a break."),
        ]
    )


def request_saved(
    matched: bool, place: str | None, reason: str | None, t: Translator = SOURCE_TRANSLATOR
) -> str:
    if matched:
        if place is None or place == "dm":
            return t("Good news: you have a mentor. I've introduced you by DM (check your messages).")
        return t(
            "Good news: you have a mentor. I've introduced you in a private thread: {place}.", place=place
        )
    saved = t("Your request is saved.")
    return f"{saved} {waiting(reason, t)}"


def experiences_saved(change: ExperienceChange, t: Translator = SOURCE_TRANSLATOR) -> str:
    lines = [
        t.ngettext(
            "Saved. Students now choose from {n} experience.",
            "Saved. Students now choose from {n} experiences.",
            len(change.experiences),
        )
    ]
    if change.added:
        lines.append(t("Added: {experiences}.", experiences=", ".join(change.added)))
    if change.removed:
        lines.append(
            t(
                "Removed: {experiences}. Anyone who had declared a removed experience no longer has it "
                "on their sign-up; current pairings are not changed.",
                experiences=", ".join(change.removed),
            )
        )
    return "\n".join(lines)


# -- introductions and check-ins ----------------------------------------------------------------


def intro_embed(
    m: Match,
    role: str,
    name: str,
    labels: Mapping[str, str],
    note: str,
    icebreaker: str,
    t: Translator = SOURCE_TRANSLATOR,
) -> discord.Embed:
    """The DM introduction for ``role`` (mentor or mentee); ``note`` is the partner's words."""
    partner = m.mentee_id if role == "mentor" else m.mentor_id
    values = {"name": discord.utils.escape_markdown(name), "mention": f"<@{partner}>"}
    if role == "mentor":
        title = t("Mentoring: meet your mentee")
        paired = t(
            "You've been paired with **{name}** ({mention}) who asked for a mentor from an older year.",
            **values,
        )
    else:
        title = t("Mentoring: meet your mentor")
        paired = t(
            "You've been paired with **{name}** ({mention}) from an older year, who offered to mentor.",
            **values,
        )
    shared = explain(m.shared, labels, t)
    only = t(NOTHING_ELSE)
    embed = discord.Embed(title=title, description=f"{paired}\n\n{shared}\n{only}", colour=COLOUR)
    if note:
        embed.add_field(
            name=t("What they'd like help with") if role == "mentor" else t("Their hello"),
            value=clip(note, EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
    embed.add_field(name=t("To get started"), value=t(icebreaker), inline=False)
    embed.set_footer(
        text=t("Send them a message to say hello. In two weeks I'll check in with you privately.")
    )
    return embed


#: In every thread introduction, once: how the outbox finds one already posted after a crash
#: (a private thread holds one introduction from the bot). Use :func:`thread_marker`.
THREAD_MARKER = N_("This thread is private to the two of you.")
THREAD_NAME = N_("Mentoring introduction")
HELLO_HEADING = N_("Hello from your mentor:")
HELP_HEADING = N_("What they'd like help with:")


def thread_marker(voice: Voice) -> str:
    """The marker as the introduction in ``voice`` writes it (its first language's)."""
    return voice.primary(THREAD_MARKER)


def thread_intro(
    m: Match, labels: Mapping[str, str], hello: str, help_with: str, icebreaker: str, voice: Voice
) -> str:
    """The introduction in the pair's private thread, in the server's voice (Welsh, then English,
    when bilingual); what the two wrote is shown once, and the marker is never clipped off."""

    def head(t: Translator) -> str:
        meet = t(
            "{mentee}, meet {mentor}: they're from an older year and offered to mentor. "
            "{mentor}, {mentee} asked for a mentor.",
            mentee=f"<@{m.mentee_id}>",
            mentor=f"<@{m.mentor_id}>",
        )
        shared, only = explain(m.shared, labels, t), t(NOTHING_ELSE)
        return f"{meet}\n\n{shared} {only}"

    def tail(t: Translator) -> str:
        started = t("**To get started:** {icebreaker}", icebreaker=t(icebreaker))
        marker, later = t(THREAD_MARKER), t("In two weeks I'll check in with each of you by DM.")
        return f"{started}\n\n{marker} {later}"

    first, last = voice.text(head, MESSAGE_LIMIT // 2), voice.text(tail, MESSAGE_LIMIT // 3)
    notes = []
    if hello:
        notes.append(f"**{voice.label(HELLO_HEADING)}** {hello}")
    if help_with:
        notes.append(f"**{voice.label(HELP_HEADING)}** {help_with}")
    room = MESSAGE_LIMIT - len(first) - len(last) - 4
    middle = clip("\n\n".join(notes), max(room, 1)) if notes else ""
    return "\n\n".join(part for part in (first, middle, last) if part)


def checkin_embed(
    m: Match, role: str, labels: Mapping[str, str], t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    partner = f"<@{m.mentee_id if role == 'mentor' else m.mentor_id}>"
    asked = (
        t(
            "It's been two weeks since you were introduced to {partner} as your mentee. How is it going? "
            "Only you see your answer; organisers only ever see totals.",
            partner=partner,
        )
        if role == "mentor"
        else t(
            "It's been two weeks since you were introduced to {partner} as your mentor. How is it going? "
            "Only you see your answer; organisers only ever see totals.",
            partner=partner,
        )
    )
    embed = discord.Embed(title=t("Mentoring: a quick, private check-in"), description=asked, colour=COLOUR)
    embed.add_field(name=t("What you share"), value=explain(m.shared, labels, t), inline=False)
    return embed


# -- the follow-up nudge, a week after a mentee's "not yet" ------------------------------------


def nudge_embed(m: Match, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    """The mentee's gentle follow-up; its three options are the buttons below it."""
    said = t("A week ago you said you and your mentor, {mentor}, hadn't met yet.", mentor=f"<@{m.mentor_id}>")
    place = (
        " " + t("Your private thread with them is {thread}.", thread=f"<#{m.thread_id}>")
        if m.thread_id
        else ""
    )
    fine = t(
        "That's completely fine: getting started can feel awkward, and nothing is expected of "
        "you. If it helps, here are three options. Only you see this; organisers only ever see "
        "totals."
    )
    embed = discord.Embed(
        title=t("Mentoring: a gentle follow-up"), description=f"{said}{place} {fine}", colour=COLOUR
    )
    embed.add_field(
        name=t("Your options"),
        value=t(
            "**Message my mentor**: where to find them, and an easy first line.\n"
            "**Ask for a different mentor**: ends this pairing gently, without a reason given, "
            "and I look for someone new.\n"
            "**Pause mentoring for now**: no new pairings or nudges until you run `/mentor pause` "
            "again; this pairing stays open."
        ),
        inline=False,
    )
    embed.set_footer(text=t("If you've met since, that's wonderful: you can ignore this message."))
    return embed


FIRST_LINE = N_("“Hi! Sorry it's taken a while. Would a 20-minute chat this week suit you?”")


def nudge_message(m: Match, mentor_name: str, mentor_left: bool, t: Translator = SOURCE_TRANSLATOR) -> str:
    """Where the mentee finds their mentor (``mentor_name``: escaped plain text), and an easy
    first line; or, if the mentor has left the server, how to find someone new."""
    if not m.active:
        return t(
            "That pairing has ended, so there's no one to message here. `/mentor status` shows where you are."
        )
    if mentor_left:
        return t(
            "It looks like your mentor has left this server, so a message may not reach them. "
            "That isn't about you. Press “Ask for a different mentor” (or use `/mentor rematch`) "
            "and I'll look for someone new."
        )
    mention = f"<@{m.mentor_id}>"
    who = f"**{mentor_name}** ({mention})" if mentor_name else mention
    if m.thread_id:
        return t(
            "Your private thread with {who} is {thread}: only the two of you are in it. "
            "A short message is plenty, for example: {first_line}",
            who=who,
            thread=f"<#{m.thread_id}>",
            first_line=t(FIRST_LINE),
        )
    return t(
        "You can message your mentor, {who}, directly: press their name and choose Message. "
        "A short message is plenty, for example: {first_line}\n"
        "If Discord won't let you message them, `/mentor rematch` finds you someone else.",
        who=who,
        first_line=t(FIRST_LINE),
    )


NUDGE_PAUSED = N_(
    "Paused. I won't pair you with anyone new or send you more nudges until you run `/mentor pause` "
    "again. Your pairing stays open, so you can message your mentor whenever you feel ready; "
    "`/mentor rematch` or `/mentor leave` if you'd rather end it. Take care of yourself."
)


def partner_ended(m: Match, by_member_id: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    """What the other person is told when ``by_member_id`` ends, leaves or is forgotten."""
    if m.partner_of(by_member_id) == m.mentee_id:
        return t(
            "Your mentoring pairing with {partner} has come to an end. Nothing you did caused "
            "this on our side, and it happens. I'll look for another mentor for you and introduce you "
            "privately; `/mentor status` shows where things are.",
            partner=f"<@{by_member_id}>",
        )
    return t(
        "Your mentoring pairing with {partner} has come to an end. Thank you for your time "
        "with them. Your place is free again for someone new.",
        partner=f"<@{by_member_id}>",
    )


def partner_gone(to_mentee: bool, t: Translator = SOURCE_TRANSLATOR) -> str:
    """What the other person is told when someone left mentoring or was erased (no name kept)."""
    if to_mentee:
        return t(
            "Your mentoring pairing with your mentor has come to an end. Nothing you did caused this "
            "on our side, and it happens. I'll look for another mentor for you and introduce you "
            "privately; `/mentor status` shows where things are."
        )
    return t(
        "Your mentoring pairing with one of your mentees has come to an end. Thank you for your time "
        "with them. Your place is free again for someone new."
    )


# -- status, leave ----------------------------------------------------------------------------


def status_embed(
    status: MemberStatus, me: int, labels: Mapping[str, str], t: Translator = SOURCE_TRANSLATOR
) -> tuple[discord.Embed, tuple[Match, str] | None]:
    """The member's mentoring, and the first pairing whose two-week check-in awaits their answer."""
    embed = discord.Embed(title=t("Your mentoring (only you can see this)"), colour=COLOUR)
    for role, profile in status.profiles.items():
        lines = [t("Year {year}", year=profile.year)]
        if profile.experiences:
            lines.append(
                t("Experiences: {experiences}", experiences=experience_list(profile.experiences, labels))
            )
        if role == "mentor":
            taking = sum(1 for m in status.matches if m.mentor_id == me)
            lines.append(t("Mentees: {taking} of {capacity}", taking=taking, capacity=profile.capacity))
        elif not any(m.mentee_id == me for m in status.matches):
            if profile.waiting_since and not profile.paused:
                since = discord_time(from_timestamp(profile.waiting_since), "D")
                lines.append(t("Waiting since {date}", date=since))
            if status.waiting_reason:
                lines.append(t(WAITING_REASONS[status.waiting_reason]))
        if profile.paused:
            lines.append("⏸️ " + t("Paused: `/mentor pause` resumes."))
        embed.add_field(
            name=t("Mentoring others") if role == "mentor" else t("Your request for a mentor"),
            value=clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
    due: list[tuple[Match, str]] = []
    for m in status.matches:
        role = m.role_of(me)
        since = t(
            "{partner}, since {date}",
            partner=f"<@{m.partner_of(me)}>",
            date=discord_time(from_timestamp(m.created_at), "D"),
        )
        place = f" · <#{m.thread_id}>" if m.thread_id else ""
        embed.add_field(
            name=t("Your mentor") if role == "mentee" else t("Your mentee"),
            value=clip(f"{since}{place}\n{explain(m.shared, labels, t)}", EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
        if (
            m.checkin_sent_at is not None
            and (m.mentor_checkin if role == "mentor" else m.mentee_checkin) is None
        ):
            due.append((m, role))
    if due:
        embed.set_footer(text=t("Your two-week check-in is waiting: answer with the buttons below."))
    return embed, (due[0] if due else None)


def leave_prompt(pairings: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    if pairings:
        deletes = t.ngettext(
            "This deletes your mentoring sign-ups, the experiences you declared, your notes and your "
            "pairings ({n} active now; each person is told gently that it has ended).",
            "This deletes your mentoring sign-ups, the experiences you declared, your notes and your "
            "pairings ({n} active now; each person is told gently that it has ended).",
            pairings,
        )
    else:
        deletes = t(
            "This deletes your mentoring sign-ups, the experiences you declared, your notes and your "
            "pairings."
        )
    stays = t(
        "Only an unreadable fingerprint stays, so you're never paired with the same person twice. "
        "You can sign up again any time."
    )
    return f"{deletes} {stays}"


def left(total: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    return t.ngettext(
        "Done: your mentoring data is deleted ({n} record). Thank you for taking part. "
        "`/mentor request` or `/mentor offer` if you'd ever like to come back.",
        "Done: your mentoring data is deleted ({n} records). Thank you for taking part. "
        "`/mentor request` or `/mentor offer` if you'd ever like to come back.",
        total,
    )


# -- organisers ------------------------------------------------------------------------------


def schedule_saved(
    frequency: str, time: str, timezone: str, schedule: Schedule, t: Translator = SOURCE_TRANSLATOR
) -> str:
    if schedule.next_run_at is None:
        return t(
            "Scheduled matching is off. Matching still runs whenever a student asks for a mentor "
            "or a mentor signs up."
        )
    values = {"time": time, "timezone": timezone, "next": discord_time(from_timestamp(schedule.next_run_at))}
    if frequency == "weekly":
        return t(
            "Matching will run weekly at {time} ({timezone}) {on_day}. Next run: {next}.",
            on_day=t(ON_WEEKDAYS[schedule.weekday or 0]),
            **values,
        )
    return t("Matching will run daily at {time} ({timezone}). Next run: {next}.", **values)


def overview_embed(o: Overview, schedule: Schedule, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    embed = discord.Embed(
        title=t("Mentoring overview"),
        description=t("Counts only: who declared what is never shown, to anyone."),
        colour=COLOUR,
    )
    mentors = t("{active} active, {paused} paused", active=o.mentors_active, paused=o.mentors_paused)
    places = t(
        "Places: {total} in all, {taken} taken, {free} free",
        total=o.capacity_total,
        taken=o.capacity_used,
        free=o.capacity_free,
    )
    embed.add_field(name=t("Mentors"), value=f"{mentors}\n{places}", inline=False)
    bands = ", ".join(t("{band}: {n}", band=t(label), n=n) for label, n in o.waiting_bands.items())
    asking = [t("{n} waiting ({bands})", n=o.mentees_waiting, bands=bands)]
    if o.longest_wait_days is not None:
        asking.append(t.ngettext("Longest wait: {n} day", "Longest wait: {n} days", o.longest_wait_days))
    if o.waiting_without_older_mentor:
        asking.append(
            t(
                "{n} have no mentor in an older year yet: recruit older mentors",
                n=o.waiting_without_older_mentor,
            )
        )
    asking.append(t("{n} paused", n=o.mentees_paused))
    embed.add_field(name=t("Students asking for a mentor"), value="\n".join(asking), inline=False)
    embed.add_field(
        name=t("Pairings"),
        value=t("{active} active, {ended} ended", active=o.pairings_active, ended=o.pairings_ended),
        inline=False,
    )
    answers = ", ".join(
        t("{n} {answer}", n=o.checkins.get(k, 0), answer=t(label)) for k, label in CHECKIN_TOTALS.items()
    )
    embed.add_field(name=t("Two-week check-ins"), value=answers, inline=False)
    embed.add_field(name=t("Stalled pairings"), value=stalled_text(o, t), inline=False)
    when = (
        t("Next scheduled matching: {date}", date=discord_time(from_timestamp(schedule.next_run_at)))
        if schedule.next_run_at
        else t("Next scheduled matching: off (runs when someone signs up)")
    )
    intros = (
        t("Introductions: private threads in {channel}", channel=f"<#{schedule.intro_channel_id}>")
        if schedule.intro_channel_id
        else t("Introductions: DMs")
    )
    embed.add_field(name=t("Settings"), value=f"{when}\n{intros}", inline=False)
    return embed


def stalled_text(o: Overview, t: Translator = SOURCE_TRANSLATOR) -> str:
    """Active pairings past their check-in with no "we've met": counts only, never who."""
    if not o.stalled and not o.stalled_resting:
        return t("None right now.")
    lines = [
        t(
            "{n} stalled: {not_yet} answered “not yet” with no “we've met” since, "
            "{no_answer} with no answer a week after the check-in",
            n=o.stalled,
            not_yet=o.stalled_not_yet,
            no_answer=o.stalled_no_answer,
        )
    ]
    if o.stalled_resting:
        lines.append(t("{n} more resting (the mentee paused)", n=o.stalled_resting))
    lines.append(t("Each mentee who says “not yet” gets one gentle nudge a week later."))
    return "\n".join(lines)


def ending_done(
    mentee: bool, rematched: bool, place: str | None, reason: str | None, t: Translator = SOURCE_TRANSLATOR
) -> str:
    """After someone ends a pairing: a mentee hears whether a new mentor was found."""
    if not mentee:
        return t("Done: that pairing has ended, and your place is free for someone new.")
    if rematched:
        if place is None or place == "dm":
            return t(
                "Done. I've found you a different mentor and introduced you by DM (check your messages)."
            )
        return t(
            "Done. I've found you a different mentor and introduced you in a private thread: {place}.",
            place=place,
        )
    ended = t("Done: that pairing has ended.")
    return f"{ended} {waiting(reason, t)}"
