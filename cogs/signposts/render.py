"""How the directory looks: contacts as cards and lines, within Discord's limits. Pure functions."""

from __future__ import annotations

from datetime import date

import discord

from bot.clock import discord_time
from bot.services.signposts_contacts import CATEGORIES, Contact, ContactDraft
from bot.services.signposts_gaps import RETAIN_WEEKS, UnmetNeed, advice_centre, fitting_lines
from bot.services.signposts_schedule import Schedule
from bot.support import crisis_fields, urgent_help
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_TOTAL_LIMIT,
    SELECT_LABEL_LIMIT,
    clip,
)

INDEPENDENT_MARK = "🛡️ independent of your medical school"
NOT_INDEPENDENT_MARK = "🏫 run by your university or medical school"
PRIVACY_LINE = "Only you can see this, and Common Room keeps no record of who looks."
URGENT_COLOUR = discord.Colour.red()
CARD_COLOUR = discord.Colour.teal()
BUTTON_TEXT = (
    "Press the button to see who can help: urgent help, wellbeing, reporting discrimination, "
    "money, disability, faith and more. Only you will see it, and nobody is told you looked."
)


def reach_lines(contact: ContactDraft) -> list[str]:
    lines = []
    # Every emoji sits beside words that say the same (screen readers read both; some skip emoji).
    talk = [
        f"📞 Call {contact.phone}" if contact.phone else "",
        f"💬 Text {contact.text}" if contact.text else "",
    ]
    online = [
        f"✉️ Email {contact.email}" if contact.email else "",
        f"🌐 Web {contact.web}" if contact.web else "",
    ]
    for group in (talk, online):
        joined = " · ".join(part for part in group if part)
        if joined:
            lines.append(joined)
    if contact.in_person:
        lines.append(f"📍 In person: {contact.in_person}")
    return lines


def card(contact: ContactDraft) -> tuple[str, str]:
    """A contact as an embed field: (name, value), within Discord's limits."""
    lines = [contact.description] if contact.description else []
    lines += reach_lines(contact)
    status = [f"🕒 Open {contact.hours}"]
    if contact.confidential:
        status.append("🔒 confidential")
    lines.append(" · ".join(status))
    lines.append(INDEPENDENT_MARK if contact.independent else NOT_INDEPENDENT_MARK)
    return clip(contact.name, 256), clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT)


def compact_line(contact: ContactDraft, *, mark: bool = True) -> str:
    """A contact on one line, for the urgent block and public posts."""
    parts = [f"**{contact.name}**" + (" (🛡️ independent)" if mark and contact.independent else "")]
    if contact.phone:
        parts.append(f"📞 call {contact.phone}")
    if contact.text:
        parts.append(f"💬 text {contact.text}")
    if not contact.phone and not contact.text:
        if contact.web:
            parts.append(f"🌐 web {contact.web}")
        elif contact.email:
            parts.append(f"✉️ email {contact.email}")
        elif contact.in_person:
            parts.append(f"📍 in person: {contact.in_person}")
    parts.append(f"🕒 open {contact.hours}")
    return clip(" · ".join(parts), 400)


def urgent_embed(contacts: list[Contact], *, full: bool = False) -> discord.Embed:
    """Urgent help: the directory's urgent contacts (as cards when ``full``), or the national lines."""
    urgent = [c for c in contacts if "urgent" in c.categories]
    embed = discord.Embed(title="🆘 Urgent help", colour=URGENT_COLOUR)
    lines = urgent_help([compact_line(c, mark=False) for c in urgent]).split("\n")
    if full and urgent:
        embed.description = lines[0]  # the emergency line urgent_help puts above the contacts
        _add_cards(embed, urgent, budget=EMBED_TOTAL_LIMIT // 2)
    else:
        embed.description = lines_within(lines, EMBED_DESCRIPTION_LIMIT)
    return embed


def lines_within(lines: list[str], limit: int, more: str = "…and {n} more.") -> str:
    out: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        note = more.format(n=len(lines) - index)
        if used + len(line) + 1 + len(note) + 1 > limit:
            out.append(note)
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def _add_cards(embed: discord.Embed, contacts: list[Contact], *, budget: int) -> None:
    used = len(embed)
    for index, contact in enumerate(contacts):
        name, value = card(contact)
        remaining = len(contacts) - index
        if len(embed.fields) >= EMBED_FIELDS_LIMIT - 1 or used + len(name) + len(value) + 120 > budget:
            embed.add_field(
                name=f"…and {remaining} more",
                value="Choose a narrower need, or ask an organiser for the full list.",
                inline=False,
            )
            return
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)


def need_embed(need: str, contacts: list[Contact], budget: int) -> discord.Embed:
    category = CATEGORIES[need]
    chosen = [c for c in contacts if need in c.categories]
    embed = discord.Embed(title=f"{category.emoji} {category.label}", colour=CARD_COLOUR)
    if not chosen:
        return no_contact_embed(embed, need, contacts)
    independent = sum(1 for c in chosen if c.independent)
    embed.description = f"{category.hint}.\n{independent} of {len(chosen)} marked {INDEPENDENT_MARK}."
    _add_cards(embed, chosen, budget=budget)
    embed.set_footer(text=PRIVACY_LINE)
    return embed


ADVICE_CENTRE_TITLE = "Your students' union advice centre"
ADVICE_CENTRE_TEXT = (
    "Your students' union advice centre can help with this too: its advice is free and "
    'confidential, and it knows what your university offers. Look for "advice" on your '
    "students' union website."
)
FITTING_INTRO = "These national lines are there for exactly this, free and at any time:"
GENERAL_INTRO = (
    "No national helpline is specific to this, so your students' union advice centre is a good "
    "place to start. If it all feels like too much, the lines below are there, free and at any time."
)


def no_contact_embed(embed: discord.Embed, need: str, contacts: list[Contact]) -> discord.Embed:
    """A need with no local contact, never a dead end: the national lines that fit it (the
    general urgent-help lines if none does), word for word from :mod:`bot.support`, and the
    students' union advice centre (the server's own if its directory has one): after the lines
    that fit, before the general ones."""
    category = CATEGORIES[need]
    names, fits = fitting_lines(need)
    embed.description = (
        f"{category.hint}.\nThere is no local contact for this on this server yet, but you don't "
        f"have to work it out alone. {FITTING_INTRO if fits else GENERAL_INTRO}"
    )
    if not fits:
        _add_advice_centre(embed, contacts)
    for name, value in crisis_fields():
        if name in names:
            embed.add_field(name=name, value=value, inline=False)
    if fits:
        _add_advice_centre(embed, contacts)
    embed.set_footer(text=PRIVACY_LINE)
    return embed


def _add_advice_centre(embed: discord.Embed, contacts: list[Contact]) -> None:
    centre = advice_centre(contacts)
    if centre is None:
        embed.add_field(name=ADVICE_CENTRE_TITLE, value=ADVICE_CENTRE_TEXT, inline=False)
        return
    _name, value = card(centre)
    embed.add_field(
        name=clip(f"{ADVICE_CENTRE_TITLE}: {centre.name}", 256),
        value=clip(f"It can help with this too.\n{value}", EMBED_FIELD_VALUE_LIMIT),
        inline=False,
    )


def intro_embed(contacts: list[Contact]) -> discord.Embed:
    counts = {key: sum(1 for c in contacts if key in c.categories) for key in CATEGORIES}
    lines = [
        "Choose what you need help with in the menu below; no forms, no referral.",
        "🛡️ marks contacts that are independent of your medical school.",
        "",
    ]
    lines += [
        f"{c.emoji} {c.label} ({counts[c.key]})"
        for c in CATEGORIES.values()
        if c.key != "urgent" and counts[c.key]
    ]
    embed = discord.Embed(title="Find support", description="\n".join(lines), colour=CARD_COLOUR)
    embed.set_footer(text=PRIVACY_LINE)
    return embed


def support_embeds(contacts: list[Contact], need: str | None) -> list[discord.Embed]:
    """What ``/support`` shows: urgent help first, then the need's contacts (or the needs)."""
    first = urgent_embed(contacts, full=need == "urgent")
    if need is None:
        return [first, intro_embed(contacts)]
    if need == "urgent":
        first.set_footer(text=PRIVACY_LINE)
        return [first]
    return [first, need_embed(need, contacts, EMBED_TOTAL_LIMIT - len(first) - 50)]


def need_options(contacts: list[Contact], selected: str | None) -> list[discord.SelectOption]:
    options = []
    for category in CATEGORIES.values():
        count = sum(1 for c in contacts if category.key in c.categories)
        if category.key != "urgent" and count == 0:
            continue
        options.append(
            discord.SelectOption(
                label=clip(category.label, SELECT_LABEL_LIMIT),
                value=category.key,
                emoji=category.emoji,
                description=clip(f"{count} contact{'s' if count != 1 else ''} · {category.hint}", 100),
                default=category.key == selected,
            )
        )
    return options


def directory_embeds(contacts: list[Contact], category: str | None) -> list[discord.Embed]:
    """What a scheduled post shows: urgent help first, then the category or the whole directory."""
    embeds = [urgent_embed(contacts, full=category == "urgent")]
    if category == "urgent":
        return embeds
    budget = EMBED_TOTAL_LIMIT - len(embeds[0]) - 200
    if category is not None:
        embed = need_embed(category, contacts, budget)
        embed.set_footer(text="Press “Need support?” to see this privately, with every detail.")
        return [*embeds, embed]
    for key, info in CATEGORIES.items():
        chosen = [c for c in contacts if key in c.categories]
        if key == "urgent" or not chosen:
            continue
        if budget < 300:
            break
        text = lines_within([compact_line(c) for c in chosen], min(EMBED_DESCRIPTION_LIMIT, budget - 100))
        embed = discord.Embed(title=f"{info.emoji} {info.label}", description=text, colour=CARD_COLOUR)
        budget -= len(embed)
        embeds.append(embed)
    embeds[-1].set_footer(
        text="🛡️ = independent of your medical school. Press “Need support?” to see every detail "
        "privately; nobody is told you looked."
    )
    return embeds[:10]


def saved_embed(contact: Contact) -> discord.Embed:
    """A contact just saved, as students will see it, and under which needs."""
    name, value = card(contact)
    embed = discord.Embed(title=name, description=value, colour=CARD_COLOUR)
    embed.set_footer(text="Shown under: " + ", ".join(CATEGORIES[k].label for k in contact.categories))
    return embed


def button_embed(text: str | None) -> discord.Embed:
    return discord.Embed(title="Need support?", description=text or BUTTON_TEXT, colour=CARD_COLOUR)


def schedule_line(schedule: Schedule) -> str:
    line = f"**#{schedule.id}** {schedule.describe()} in <#{schedule.channel_id}>"
    if schedule.next_run_at is not None:
        line += f"\n  next: {discord_time(schedule.next_run_at, 'F')}"
    else:
        line += "\n  finished"
    if schedule.last_error:
        line += f"\n  ⚠️ {schedule.last_error}"
    return clip(line, 600)


def schedules_embed(schedules: list[Schedule]) -> discord.Embed:
    embed = discord.Embed(
        title="Scheduled signposts",
        description=lines_within([schedule_line(s) for s in schedules], EMBED_DESCRIPTION_LIMIT),
        colour=CARD_COLOUR,
    )
    embed.set_footer(text="Cancel one with /signposts unschedule")
    return embed


# -- needs looked up with no local contact (organisers) ----------------------------------------

UNMET_TITLE = "Needs looked up with no local contact"
UNMET_INTRO = (
    f"How often students chose each need in `/support` while this server's directory had no contact "
    f"for it, over the last {RETAIN_WEEKS} weeks (weeks start on Monday). Counts only: nobody's name, "
    "and nothing finer than the week, is ever recorded."
)
UNMET_NONE = (
    f"No need was looked up without a local contact in the last {RETAIN_WEEKS} weeks. "
    "Students who chose one were shown the national lines and their students' union advice centre."
)
MAX_WEEKS_SHOWN = 8


def _week(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def unmet_line(item: UnmetNeed, contacts: list[Contact]) -> str:
    """One need's count, its latest weeks, and whether the directory has a contact for it now."""
    category = CATEGORIES[item.need]
    recent = sorted(item.weeks, key=lambda week: week.week_start, reverse=True)
    weeks = ", ".join(f"week of {_week(w.week_start)}: {w.count}" for w in recent[:MAX_WEEKS_SHOWN])
    if len(recent) > MAX_WEEKS_SHOWN:
        weeks += f", and {len(recent) - MAX_WEEKS_SHOWN} earlier weeks"
    now = sum(1 for c in contacts if item.need in c.categories)
    status = (
        f"it has {now} contact{'s' if now != 1 else ''} now"
        if now
        else f"still no contact: add one with `/signposts add need:{category.label}`"
    )
    times = "time" if item.total == 1 else "times"
    return f"{category.emoji} **{category.label}**: {item.total} {times} ({weeks}); {status}."


def unmet_embed(counts: list[UnmetNeed], contacts: list[Contact]) -> discord.Embed:
    """What ``/signposts gaps`` shows organisers: counts per need and week, nothing else."""
    lines = [UNMET_INTRO, ""]
    lines += [unmet_line(item, contacts) for item in counts] if counts else [UNMET_NONE]
    embed = discord.Embed(
        title=UNMET_TITLE, description=lines_within(lines, EMBED_DESCRIPTION_LIMIT), colour=CARD_COLOUR
    )
    embed.set_footer(text="Only you can see this.")
    return embed
