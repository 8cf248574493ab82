"""What mentoring shows: the service's records as embeds and text. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from bot.clock import discord_time, from_timestamp
from bot.services.mentoring_model import ExperienceChange, Match, MemberStatus, Overview, Profile, Schedule
from bot.services.mentoring_schedule import WEEKDAYS
from bot.ui import EMBED_FIELD_VALUE_LIMIT, MESSAGE_LIMIT, clip

COLOUR = discord.Colour.teal()
ICEBREAKERS = (
    "What's one thing you wish someone had told you in your first term?",
    "What's a place on or near campus where you feel at ease?",
    "What has surprised you most about studying medicine so far?",
    "What do you do to switch off after a long day?",
    "What's one small win from this week?",
    "Which part of the course are you most looking forward to, or most unsure about?",
)
WAITING_REASONS = {
    "no_older": (
        "There isn't a mentor in a year above yours yet. Mentors are always from an older year, so "
        "I'll keep your request and match you as soon as one signs up."
    ),
    "no_shared": (
        "None of the mentors in older years with space right now shares an experience you chose. "
        "I'll keep your request and match you as soon as someone does. If you'd be happy with any "
        "older-year mentor, run `/mentor request` again and choose that."
    ),
    "full": (
        "Every mentor in an older year is full or was already paired with you before. I'll keep your "
        "request and match you as soon as a place opens."
    ),
    "paused": "Your request is paused, so I won't match you. Run `/mentor pause` again to resume.",
}
ANSWER_REPLIES = {
    "met": "Wonderful, thank you for letting me know. I hope the conversations keep going well.",
    "not_yet": (
        "No rush, and no pressure. A short hello in your introduction is a good start; suggesting one "
        "time to talk often helps. If it doesn't work out, you can ask for a change any time with "
        "`/mentor rematch`."
    ),
}
#: A mentee's "not yet": the same reply, and a word that one follow-up will come.
NOT_YET_MENTEE = ANSWER_REPLIES["not_yet"] + " I'll look in once more in a week, in case a nudge helps."
CHECKIN_TOTALS = {
    "met": "we've met",
    "not_yet": "not yet",
    "different": "asked for a change",
    "wrong": "something's wrong",
}
SOMETHING_WRONG = (
    "I'm sorry something's wrong. You don't have to explain it to me. Here is who can help. "
    "To tell the welfare team what happened, anonymously, use `/report new`. To end the pairing, "
    "use `/mentor rematch`: the other person isn't told why."
)
NOT_SIGNED_UP = (
    "You haven't signed up for mentoring. `/mentor request` asks for a mentor from an older year; "
    "`/mentor offer` offers to mentor a younger student."
)


def experience_list(keys: tuple[str, ...] | list[str], labels: Mapping[str, str]) -> str:
    return ", ".join(labels.get(k, k.replace("-", " ")) for k in keys)


def explain(shared: tuple[str, ...], labels: Mapping[str, str]) -> str:
    if shared:
        return f"You both said: **{experience_list(shared, labels)}**."
    return "You didn't name an experience in common; you were paired across years, as you asked."


def where(place: str | None) -> str:
    """Where an introduction was made: a thread mention, or "dm"/None for a DM."""
    if place is None or place == "dm":
        return "by DM (check your messages)"
    return f"in a private thread: {place}"


def waiting(reason: str | None) -> str:
    return WAITING_REASONS[reason or "full"]


# -- signing up ---------------------------------------------------------------------------


def signup_intro(role: str, existing: Profile | None) -> str:
    if role == "offer":
        intro = (
            "**Offer to mentor a student in a younger year.**\n"
            "Choose your year, the experiences you're willing to share (only the ones you have in common "
            "with a mentee are ever shown to them), and how many students you could mentor. Then press "
            "Continue to write a short hello."
        )
    else:
        intro = (
            "**Ask for a mentor from an older year.**\n"
            "Choose your year and, if you like, experiences that matter to you: a mentor who shares them "
            "is preferred. Your mentor only learns the experiences you have in common. Then press "
            "Continue to say what you'd like help with."
        )
    if existing is not None:
        intro += "\nYou've signed up before: your choices are filled in, and saving replaces them."
    return intro


def offer_saved(capacity: int | None, places: list[str | None]) -> str:
    """After an offer: how many mentees were paired straight away, and where they were introduced."""
    n = len(places)
    return (
        f"Thank you for offering to mentor (up to {capacity}). "
        + (
            f"You've been paired with {n} student{'s' if n > 1 else ''} already: "
            + ", ".join(where(place) for place in places)
            + "."
            if places
            else "I'll introduce you privately as soon as a student in a younger year asks for a mentor."
        )
        + " `/mentor status` shows where things are; `/mentor pause` takes a break."
    )


def request_saved(matched: bool, place: str | None, reason: str | None) -> str:
    if matched:
        return f"Good news: you have a mentor. I've introduced you {where(place)}."
    return "Your request is saved. " + waiting(reason)


def experiences_saved(change: ExperienceChange) -> str:
    lines = [f"Saved. Students now choose from {len(change.experiences)} experiences."]
    if change.added:
        lines.append(f"Added: {', '.join(change.added)}.")
    if change.removed:
        lines.append(
            f"Removed: {', '.join(change.removed)}. Anyone who had declared a removed experience "
            "no longer has it on their sign-up; current pairings are not changed."
        )
    return "\n".join(lines)


# -- introductions and check-ins ----------------------------------------------------------------


def intro_embed(
    m: Match, role: str, name: str, labels: Mapping[str, str], note: str, icebreaker: str
) -> discord.Embed:
    """The DM introduction for ``role`` (mentor or mentee); ``note`` is the partner's words."""
    partner = m.mentee_id if role == "mentor" else m.mentor_id
    embed = discord.Embed(
        title="Mentoring: meet your " + ("mentee" if role == "mentor" else "mentor"),
        description=(
            f"You've been paired with **{discord.utils.escape_markdown(name)}** (<@{partner}>)"
            + (
                " who asked for a mentor from an older year."
                if role == "mentor"
                else " from an older year, who offered to mentor."
            )
            + f"\n\n{explain(m.shared, labels)}\nNothing else either of you declared is shared."
        ),
        colour=COLOUR,
    )
    if note:
        embed.add_field(
            name="What they'd like help with" if role == "mentor" else "Their hello",
            value=clip(note, EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
    embed.add_field(name="To get started", value=icebreaker, inline=False)
    embed.set_footer(text="Send them a message to say hello. In two weeks I'll check in with you privately.")
    return embed


#: In every thread introduction, once: how the outbox finds one already posted after a crash
#: (a private thread holds one introduction from the bot).
THREAD_MARKER = "This thread is private to the two of you."


def thread_intro(m: Match, labels: Mapping[str, str], hello: str, help_with: str, icebreaker: str) -> str:
    lines = [
        f"<@{m.mentee_id}>, meet <@{m.mentor_id}>: they're from an older year and offered to mentor. "
        f"<@{m.mentor_id}>, <@{m.mentee_id}> asked for a mentor.",
        "",
        explain(m.shared, labels) + " Nothing else either of you declared is shared.",
    ]
    if hello:
        lines += ["", f"**Hello from your mentor:** {hello}"]
    if help_with:
        lines += ["", f"**What they'd like help with:** {help_with}"]
    lines += [
        "",
        f"**To get started:** {icebreaker}",
        "",
        THREAD_MARKER + " In two weeks I'll check in with each of you by DM.",
    ]
    return clip("\n".join(lines), MESSAGE_LIMIT)


def checkin_embed(m: Match, role: str, labels: Mapping[str, str]) -> discord.Embed:
    partner = m.mentee_id if role == "mentor" else m.mentor_id
    embed = discord.Embed(
        title="Mentoring: a quick, private check-in",
        description=(
            f"It's been two weeks since you were introduced to <@{partner}> "
            f"as your {'mentee' if role == 'mentor' else 'mentor'}. How is it going? "
            "Only you see your answer; organisers only ever see totals."
        ),
        colour=COLOUR,
    )
    embed.add_field(name="What you share", value=explain(m.shared, labels), inline=False)
    return embed


# -- the follow-up nudge, a week after a mentee's "not yet" ------------------------------------


def nudge_embed(m: Match) -> discord.Embed:
    """The mentee's gentle follow-up; its three options are the buttons below it."""
    place = f" Your private thread with them is <#{m.thread_id}>." if m.thread_id else ""
    embed = discord.Embed(
        title="Mentoring: a gentle follow-up",
        description=(
            f"A week ago you said you and your mentor, <@{m.mentor_id}>, hadn't met yet.{place} "
            "That's completely fine: getting started can feel awkward, and nothing is expected of "
            "you. If it helps, here are three options. Only you see this; organisers only ever see "
            "totals."
        ),
        colour=COLOUR,
    )
    embed.add_field(
        name="Your options",
        value=(
            "**Message my mentor**: where to find them, and an easy first line.\n"
            "**Ask for a different mentor**: ends this pairing gently, without a reason given, "
            "and I look for someone new.\n"
            "**Pause mentoring for now**: no new pairings or nudges until you run `/mentor pause` "
            "again; this pairing stays open."
        ),
        inline=False,
    )
    embed.set_footer(text="If you've met since, that's wonderful: you can ignore this message.")
    return embed


FIRST_LINE = "“Hi! Sorry it's taken a while. Would a 20-minute chat this week suit you?”"


def nudge_message(m: Match, mentor_name: str, mentor_left: bool) -> str:
    """Where the mentee finds their mentor (``mentor_name``: escaped plain text), and an easy
    first line; or, if the mentor has left the server, how to find someone new."""
    if not m.active:
        return (
            "That pairing has ended, so there's no one to message here. `/mentor status` shows where you are."
        )
    if mentor_left:
        return (
            "It looks like your mentor has left this server, so a message may not reach them. "
            "That isn't about you. Press “Ask for a different mentor” (or use `/mentor rematch`) "
            "and I'll look for someone new."
        )
    who = f"**{mentor_name}** (<@{m.mentor_id}>)" if mentor_name else f"<@{m.mentor_id}>"
    if m.thread_id:
        return (
            f"Your private thread with {who} is <#{m.thread_id}>: only the two of you are in it. "
            f"A short message is plenty, for example: {FIRST_LINE}"
        )
    return (
        f"You can message your mentor, {who}, directly: press their name and choose Message. "
        f"A short message is plenty, for example: {FIRST_LINE}\n"
        "If Discord won't let you message them, `/mentor rematch` finds you someone else."
    )


NUDGE_PAUSED = (
    "Paused. I won't pair you with anyone new or send you more nudges until you run `/mentor pause` "
    "again. Your pairing stays open, so you can message your mentor whenever you feel ready; "
    "`/mentor rematch` or `/mentor leave` if you'd rather end it. Take care of yourself."
)


def partner_ended(m: Match, by_member_id: int) -> str:
    """What the other person is told when ``by_member_id`` ends, leaves or is forgotten."""
    if m.partner_of(by_member_id) == m.mentee_id:
        return (
            f"Your mentoring pairing with <@{by_member_id}> has come to an end. Nothing you did caused "
            "this on our side, and it happens. I'll look for another mentor for you and introduce you "
            "privately; `/mentor status` shows where things are."
        )
    return (
        f"Your mentoring pairing with <@{by_member_id}> has come to an end. Thank you for your time "
        "with them. Your place is free again for someone new."
    )


def partner_gone(to_mentee: bool) -> str:
    """What the other person is told when someone left mentoring or was erased (no name kept)."""
    if to_mentee:
        return (
            "Your mentoring pairing with your mentor has come to an end. Nothing you did caused this "
            "on our side, and it happens. I'll look for another mentor for you and introduce you "
            "privately; `/mentor status` shows where things are."
        )
    return (
        "Your mentoring pairing with one of your mentees has come to an end. Thank you for your time "
        "with them. Your place is free again for someone new."
    )


# -- status, leave ----------------------------------------------------------------------------


def status_embed(
    status: MemberStatus, me: int, labels: Mapping[str, str]
) -> tuple[discord.Embed, tuple[Match, str] | None]:
    """The member's mentoring, and the first pairing whose two-week check-in awaits their answer."""
    embed = discord.Embed(title="Your mentoring (only you can see this)", colour=COLOUR)
    for role, profile in status.profiles.items():
        lines = [f"Year {profile.year}"]
        if profile.experiences:
            lines.append(f"Experiences: {experience_list(profile.experiences, labels)}")
        if role == "mentor":
            taking = sum(1 for m in status.matches if m.mentor_id == me)
            lines.append(f"Mentees: {taking} of {profile.capacity}")
        elif not any(m.mentee_id == me for m in status.matches):
            if profile.waiting_since and not profile.paused:
                lines.append(f"Waiting since {discord_time(from_timestamp(profile.waiting_since), 'D')}")
            if status.waiting_reason:
                lines.append(WAITING_REASONS[status.waiting_reason])
        if profile.paused:
            lines.append("⏸️ Paused: `/mentor pause` resumes.")
        embed.add_field(
            name="Mentoring others" if role == "mentor" else "Your request for a mentor",
            value=clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
    due: list[tuple[Match, str]] = []
    for m in status.matches:
        role = m.role_of(me)
        place = f" · <#{m.thread_id}>" if m.thread_id else ""
        embed.add_field(
            name="Your mentor" if role == "mentee" else "Your mentee",
            value=clip(
                f"<@{m.partner_of(me)}>, since {discord_time(from_timestamp(m.created_at), 'D')}{place}\n"
                + explain(m.shared, labels),
                EMBED_FIELD_VALUE_LIMIT,
            ),
            inline=False,
        )
        if (
            m.checkin_sent_at is not None
            and (m.mentor_checkin if role == "mentor" else m.mentee_checkin) is None
        ):
            due.append((m, role))
    if due:
        embed.set_footer(text="Your two-week check-in is waiting: answer with the buttons below.")
    return embed, (due[0] if due else None)


def leave_prompt(pairings: int) -> str:
    active = f" ({pairings} active now; each person is told gently that it has ended)" if pairings else ""
    return (
        "This deletes your mentoring sign-ups, the experiences you declared, your notes and your "
        f"pairings{active}. "
        "Only an unreadable fingerprint stays, so you're never paired with the same person twice. "
        "You can sign up again any time."
    )


def left(total: int) -> str:
    return (
        f"Done: your mentoring data is deleted ({total} record{'s' if total != 1 else ''}). "
        "Thank you for taking part. `/mentor request` or `/mentor offer` if you'd ever like to "
        "come back."
    )


# -- organisers ------------------------------------------------------------------------------


def schedule_saved(frequency: str, time: str, timezone: str, schedule: Schedule) -> str:
    if schedule.next_run_at is None:
        return (
            "Scheduled matching is off. Matching still runs whenever a student asks for a mentor "
            "or a mentor signs up."
        )
    return (
        f"Matching will run {frequency} at {time} ({timezone})"
        + (f" on {WEEKDAYS[schedule.weekday or 0]}s" if frequency == "weekly" else "")
        + f". Next run: {discord_time(from_timestamp(schedule.next_run_at))}."
    )


def overview_embed(o: Overview, schedule: Schedule) -> discord.Embed:
    embed = discord.Embed(
        title="Mentoring overview",
        description="Counts only: who declared what is never shown, to anyone.",
        colour=COLOUR,
    )
    embed.add_field(
        name="Mentors",
        value=f"{o.mentors_active} active, {o.mentors_paused} paused\n"
        f"Places: {o.capacity_total} in all, {o.capacity_used} taken, {o.capacity_free} free",
        inline=False,
    )
    bands = ", ".join(f"{label}: {n}" for label, n in o.waiting_bands.items())
    asking = f"{o.mentees_waiting} waiting ({bands})"
    if o.longest_wait_days is not None:
        asking += f"\nLongest wait: {o.longest_wait_days} day{'s' if o.longest_wait_days != 1 else ''}"
    if o.waiting_without_older_mentor:
        asking += (
            f"\n{o.waiting_without_older_mentor} have no mentor in an older year yet: recruit older mentors"
        )
    asking += f"\n{o.mentees_paused} paused"
    embed.add_field(name="Students asking for a mentor", value=asking, inline=False)
    embed.add_field(
        name="Pairings", value=f"{o.pairings_active} active, {o.pairings_ended} ended", inline=False
    )
    answers = ", ".join(f"{o.checkins.get(k, 0)} {label}" for k, label in CHECKIN_TOTALS.items())
    embed.add_field(name="Two-week check-ins", value=answers, inline=False)
    embed.add_field(name="Stalled pairings", value=stalled_text(o), inline=False)
    when = (
        discord_time(from_timestamp(schedule.next_run_at))
        if schedule.next_run_at
        else "off (runs when someone signs up)"
    )
    intros = f"private threads in <#{schedule.intro_channel_id}>" if schedule.intro_channel_id else "DMs"
    embed.add_field(
        name="Settings", value=f"Next scheduled matching: {when}\nIntroductions: {intros}", inline=False
    )
    return embed


def stalled_text(o: Overview) -> str:
    """Active pairings past their check-in with no "we've met": counts only, never who."""
    if not o.stalled and not o.stalled_resting:
        return "None right now."
    text = (
        f"{o.stalled} stalled: {o.stalled_not_yet} answered “not yet” with no “we've met” since, "
        f"{o.stalled_no_answer} with no answer a week after the check-in"
    )
    if o.stalled_resting:
        text += f"\n{o.stalled_resting} more resting (the mentee paused)"
    return text + "\nEach mentee who says “not yet” gets one gentle nudge a week later."


def ending_done(mentee: bool, rematched: bool, place: str | None, reason: str | None) -> str:
    """After someone ends a pairing: a mentee hears whether a new mentor was found."""
    if not mentee:
        return "Done: that pairing has ended, and your place is free for someone new."
    if rematched:
        return f"Done. I've found you a different mentor and introduced you {where(place)}."
    return "Done: that pairing has ended. " + waiting(reason)
