"""How the directory looks: contacts as cards and lines, within Discord's limits. Pure functions.

A private reply is drawn in the reader's language (``t``, English when not given); a post in a
channel (a scheduled post, the "Need support?" card) in the server's :class:`~bot.i18n.Voice`, one
language or Welsh then English, each language within its share of Discord's limits. What the
organisers typed (names, numbers, hours) is shown as typed.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import discord

from bot.clock import discord_time
from bot.i18n import N_, SOURCE_TRANSLATOR, Translator, Voice, join_languages
from bot.services.signposts_contacts import CATEGORIES, Category, Contact, ContactDraft
from bot.services.signposts_gaps import RETAIN_WEEKS, UnmetNeed, advice_centre, fitting_lines
from bot.services.signposts_schedule import Schedule
from bot.support import CRISIS_LINES, crisis_fields, urgent_help
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    SELECT_LABEL_LIMIT,
    clip,
)

ENGLISH = Voice((SOURCE_TRANSLATOR,))
FOOTER_LIMIT = 2048
SELECT_DESCRIPTION_LIMIT = 100

INDEPENDENT_MARK = N_("🛡️ independent of your medical school")
NOT_INDEPENDENT_MARK = N_("🏫 run by your university or medical school")
PRIVACY_LINE = N_("Only you can see this, and Common Room keeps no record of who looks.")
URGENT_COLOUR = discord.Colour.red()
CARD_COLOUR = discord.Colour.teal()
URGENT_TITLE = N_("🆘 Urgent help")
BUTTON_TITLE = N_("Need support?")
BUTTON_TEXT = N_(
    "Press the button to see who can help: urgent help, wellbeing, reporting discrimination, "
    "money, disability, faith and more. Only you will see it, and nobody is told you looked."
)


def one(t: Translator) -> Voice:
    """A reader's language as a voice of one, so private replies and posts share the drawing."""
    return Voice((t,))


def need_title(category: Category, t: Translator = SOURCE_TRANSLATOR) -> str:
    return f"{category.emoji} {t(category.label)}"


def reach_lines(contact: ContactDraft, t: Translator = SOURCE_TRANSLATOR) -> list[str]:
    lines = []
    # Every emoji sits beside words that say the same (screen readers read both; some skip emoji).
    talk = [
        t("📞 Call {phone}", phone=contact.phone) if contact.phone else "",
        t("💬 Text {text}", text=contact.text) if contact.text else "",
    ]
    online = [
        t("✉️ Email {email}", email=contact.email) if contact.email else "",
        t("🌐 Web {web}", web=contact.web) if contact.web else "",
    ]
    for group in (talk, online):
        joined = " · ".join(part for part in group if part)
        if joined:
            lines.append(joined)
    if contact.in_person:
        lines.append(t("📍 In person: {place}", place=contact.in_person))
    return lines


def card_value(contact: ContactDraft, t: Translator = SOURCE_TRANSLATOR) -> str:
    lines = [contact.description] if contact.description else []
    lines += reach_lines(contact, t)
    status = [t("🕒 Open {hours}", hours=contact.hours)]
    if contact.confidential:
        status.append(t("🔒 confidential"))
    lines.append(" · ".join(status))
    lines.append(t(INDEPENDENT_MARK) if contact.independent else t(NOT_INDEPENDENT_MARK))
    return clip("\n".join(lines), EMBED_FIELD_VALUE_LIMIT)


def card(contact: ContactDraft, t: Translator = SOURCE_TRANSLATOR) -> tuple[str, str]:
    """A contact as an embed field: (name, value), within Discord's limits."""
    return clip(contact.name, 256), card_value(contact, t)


def compact_line(contact: ContactDraft, *, mark: bool = True, t: Translator = SOURCE_TRANSLATOR) -> str:
    """A contact on one line, for the urgent block and public posts."""
    name = f"**{contact.name}**"
    parts = [t("{name} (🛡️ independent)", name=name) if mark and contact.independent else name]
    if contact.phone:
        parts.append(t("📞 call {phone}", phone=contact.phone))
    if contact.text:
        parts.append(t("💬 text {text}", text=contact.text))
    if not contact.phone and not contact.text:
        if contact.web:
            parts.append(t("🌐 web {web}", web=contact.web))
        elif contact.email:
            parts.append(t("✉️ email {email}", email=contact.email))
        elif contact.in_person:
            parts.append(t("📍 in person: {place}", place=contact.in_person))
    parts.append(t("🕒 open {hours}", hours=contact.hours))
    return clip(" · ".join(parts), 400)


def _share(voice: Voice, limit: int) -> int:
    """Each language's share of ``limit`` (the separators between languages left out)."""
    count = len(voice.translators)
    return (limit - 2 * (count - 1)) // count


def _urgent(contacts: list[Contact], voice: Voice, *, full: bool) -> discord.Embed:
    urgent = [c for c in contacts if "urgent" in c.categories]

    def lines(t: Translator) -> list[str]:
        return urgent_help([compact_line(c, mark=False, t=t) for c in urgent], t).split("\n")

    embed = discord.Embed(title=voice.label(URGENT_TITLE, EMBED_TITLE_LIMIT), colour=URGENT_COLOUR)
    if full and urgent:
        # the emergency line urgent_help puts above the contacts
        embed.description = voice.text(lambda t: lines(t)[0], EMBED_DESCRIPTION_LIMIT)
        _add_cards(embed, urgent, budget=EMBED_TOTAL_LIMIT // 2, voice=voice)
    else:
        share = _share(voice, EMBED_DESCRIPTION_LIMIT)
        embed.description = voice.text(lambda t: lines_within(lines(t), share, t=t), EMBED_DESCRIPTION_LIMIT)
    return embed


def urgent_embed(
    contacts: list[Contact], *, full: bool = False, t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    """Urgent help: the directory's urgent contacts (as cards when ``full``), or the national lines."""
    return _urgent(contacts, one(t), full=full)


def lines_within(
    lines: list[str], limit: int, more: str | None = None, t: Translator = SOURCE_TRANSLATOR
) -> str:
    """As many of ``lines`` as fit in ``limit``, then "…and {n} more." (``more``, already in the
    reader's language, with ``{n}`` to fill in)."""
    out: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        left = len(lines) - index
        note = more.format(n=left) if more is not None else t("…and {n} more.", n=left)
        if used + len(line) + 1 + len(note) + 1 > limit:
            out.append(note)
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def _add_cards(embed: discord.Embed, contacts: list[Contact], *, budget: int, voice: Voice) -> None:
    used = len(embed)
    for index, contact in enumerate(contacts):
        name = clip(contact.name, 256)
        value = join_languages([card_value(contact, t) for t in voice.translators], EMBED_FIELD_VALUE_LIMIT)
        remaining = len(contacts) - index
        room_for_more = 120 * len(voice.translators)  # what the "…and N more" field needs
        if (
            len(embed.fields) >= EMBED_FIELDS_LIMIT - 1
            or used + len(name) + len(value) + room_for_more > budget
        ):
            embed.add_field(
                name=voice.label(N_("…and {n} more"), EMBED_FIELD_NAME_LIMIT, n=remaining),
                value=voice.text(
                    lambda t: t("Choose a narrower need, or ask an organiser for the full list."),
                    EMBED_FIELD_VALUE_LIMIT,
                ),
                inline=False,
            )
            return
        embed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)


def _need(need: str, contacts: list[Contact], budget: int, voice: Voice) -> discord.Embed:
    category = CATEGORIES[need]
    chosen = [c for c in contacts if need in c.categories]
    embed = discord.Embed(
        title=f"{category.emoji} {voice.label(category.label, EMBED_TITLE_LIMIT - 8)}", colour=CARD_COLOUR
    )
    if not chosen:
        return _no_contact(embed, need, contacts, voice)
    independent = sum(1 for c in chosen if c.independent)
    embed.description = voice.text(
        lambda t: t(
            "{hint}.\n{independent} of {total} marked {mark}.",
            hint=t(category.hint),
            independent=independent,
            total=len(chosen),
            mark=t(INDEPENDENT_MARK),
        ),
        EMBED_DESCRIPTION_LIMIT,
    )
    _add_cards(embed, chosen, budget=budget, voice=voice)
    embed.set_footer(text=voice.text(lambda t: t(PRIVACY_LINE), FOOTER_LIMIT))
    return embed


def need_embed(
    need: str, contacts: list[Contact], budget: int, t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    return _need(need, contacts, budget, one(t))


ADVICE_CENTRE_TITLE = N_("Your students' union advice centre")
ADVICE_CENTRE_TEXT = N_(
    "Your students' union advice centre can help with this too: its advice is free and "
    'confidential, and it knows what your university offers. Look for "advice" on your '
    "students' union website."
)
ADVICE_CENTRE_NAMED = N_("Your students' union advice centre: {name}")
FITTING_INTRO = N_("These national lines are there for exactly this, free and at any time:")
GENERAL_INTRO = N_(
    "No national helpline is specific to this, so your students' union advice centre is a good "
    "place to start. If it all feels like too much, the lines below are there, free and at any time."
)


def _no_contact(embed: discord.Embed, need: str, contacts: list[Contact], voice: Voice) -> discord.Embed:
    category = CATEGORIES[need]
    names, fits = fitting_lines(need)
    embed.description = voice.text(
        lambda t: t(
            "{hint}.\nThere is no local contact for this on this server yet, but you don't have to work "
            "it out alone. {next}",
            hint=t(category.hint),
            next=t(FITTING_INTRO if fits else GENERAL_INTRO),
        ),
        EMBED_DESCRIPTION_LIMIT,
    )
    if not fits:
        _add_advice_centre(embed, contacts, voice)
    # The lines that fit, word for word from bot.support, in each language (names compared as shown).
    per_language = [_fitting_fields(names, t) for t in voice.translators]
    for index in range(len(per_language[0])):
        shown_names = dict.fromkeys(fields[index][0] for fields in per_language)  # "Shout" once
        embed.add_field(
            name=clip(" / ".join(shown_names), EMBED_FIELD_NAME_LIMIT),
            value=join_languages([fields[index][1] for fields in per_language], EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
    if fits:
        _add_advice_centre(embed, contacts, voice)
    embed.set_footer(text=voice.text(lambda t: t(PRIVACY_LINE), FOOTER_LIMIT))
    return embed


def _fitting_fields(names: tuple[str, ...], t: Translator) -> list[tuple[str, str]]:
    """The crisis fields (in ``t``'s language) of the lines named (by their English names)."""
    shown = {line.shown_name(t) for line in CRISIS_LINES if line.name in names}
    return [(name, value) for name, value in crisis_fields(t) if name in shown]


def no_contact_embed(
    embed: discord.Embed, need: str, contacts: list[Contact], t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    """A need with no local contact, never a dead end: the national lines that fit it (the
    general urgent-help lines if none does), word for word from :mod:`bot.support`, and the
    students' union advice centre (the server's own if its directory has one): after the lines
    that fit, before the general ones."""
    return _no_contact(embed, need, contacts, one(t))


def _add_advice_centre(embed: discord.Embed, contacts: list[Contact], voice: Voice) -> None:
    centre = advice_centre(contacts)
    if centre is None:
        embed.add_field(
            name=voice.label(ADVICE_CENTRE_TITLE, EMBED_FIELD_NAME_LIMIT),
            value=voice.text(lambda t: t(ADVICE_CENTRE_TEXT), EMBED_FIELD_VALUE_LIMIT),
            inline=False,
        )
        return
    embed.add_field(
        name=clip(
            voice.label(
                "Your students' union advice centre: {name}", EMBED_FIELD_NAME_LIMIT, name=centre.name
            ),
            EMBED_FIELD_NAME_LIMIT,
        ),
        value=voice.text(
            lambda t: clip(
                t("It can help with this too.") + "\n" + card_value(centre, t), EMBED_FIELD_VALUE_LIMIT
            ),
            EMBED_FIELD_VALUE_LIMIT,
        ),
        inline=False,
    )


def intro_embed(contacts: list[Contact], t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    counts = {key: sum(1 for c in contacts if key in c.categories) for key in CATEGORIES}
    lines = [
        t("Choose what you need help with in the menu below; no forms, no referral."),
        t("🛡️ marks contacts that are independent of your medical school."),
        "",
    ]
    lines += [
        f"{need_title(c, t)} ({counts[c.key]})"
        for c in CATEGORIES.values()
        if c.key != "urgent" and counts[c.key]
    ]
    embed = discord.Embed(title=t("Find support"), description="\n".join(lines), colour=CARD_COLOUR)
    embed.set_footer(text=t(PRIVACY_LINE))
    return embed


def support_embeds(
    contacts: list[Contact], need: str | None, t: Translator = SOURCE_TRANSLATOR
) -> list[discord.Embed]:
    """What ``/support`` shows: urgent help first, then the need's contacts (or the needs)."""
    first = urgent_embed(contacts, full=need == "urgent", t=t)
    if need is None:
        return [first, intro_embed(contacts, t)]
    if need == "urgent":
        first.set_footer(text=t(PRIVACY_LINE))
        return [first]
    return [first, need_embed(need, contacts, EMBED_TOTAL_LIMIT - len(first) - 50, t)]


def need_options(
    contacts: list[Contact], selected: str | None, t: Translator = SOURCE_TRANSLATOR
) -> list[discord.SelectOption]:
    options = []
    counts = Counter(key for c in contacts for key in c.categories)  # one pass, not one per need
    for category in CATEGORIES.values():
        count = counts[category.key]
        if category.key != "urgent" and count == 0:
            continue
        options.append(
            discord.SelectOption(
                label=clip(t(category.label), SELECT_LABEL_LIMIT),
                value=category.key,
                emoji=category.emoji,
                description=clip(
                    t.ngettext("{n} contact · {hint}", "{n} contacts · {hint}", count, hint=t(category.hint)),
                    SELECT_DESCRIPTION_LIMIT,
                ),
                default=category.key == selected,
            )
        )
    return options


def directory_embeds(
    contacts: list[Contact], category: str | None, voice: Voice = ENGLISH
) -> list[discord.Embed]:
    """What a scheduled post shows, in the server's voice: urgent help first, then the category
    or the whole directory."""
    embeds = [_urgent(contacts, voice, full=category == "urgent")]
    if category == "urgent":
        return embeds
    budget = EMBED_TOTAL_LIMIT - len(embeds[0]) - 200
    if category is not None:
        embed = _need(category, contacts, budget, voice)
        embed.set_footer(
            text=voice.text(
                lambda t: t("Press “Need support?” to see this privately, with every detail."), FOOTER_LIMIT
            )
        )
        return [*embeds, embed]
    for key, info in CATEGORIES.items():
        chosen = [c for c in contacts if key in c.categories]
        if key == "urgent" or not chosen:
            continue
        if budget < 300:
            break
        limit = min(EMBED_DESCRIPTION_LIMIT, budget - 100)
        share = _share(voice, limit)
        text = join_languages(
            [lines_within([compact_line(c, t=t) for c in chosen], share, t=t) for t in voice.translators],
            limit,
        )
        embed = discord.Embed(
            title=f"{info.emoji} {voice.label(info.label, EMBED_TITLE_LIMIT - 8)}",
            description=text,
            colour=CARD_COLOUR,
        )
        budget -= len(embed)
        embeds.append(embed)
    embeds[-1].set_footer(
        text=voice.text(
            lambda t: t(
                "🛡️ = independent of your medical school. Press “Need support?” to see every detail "
                "privately; nobody is told you looked."
            ),
            FOOTER_LIMIT,
        )
    )
    return embeds[:10]


def saved_embed(contact: Contact, t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    """A contact just saved, as students will see it, and under which needs."""
    name, value = card(contact, t)
    embed = discord.Embed(title=name, description=value, colour=CARD_COLOUR)
    embed.set_footer(
        text=t("Shown under: {needs}", needs=", ".join(t(CATEGORIES[k].label) for k in contact.categories))
    )
    return embed


def button_embed(text: str | None, voice: Voice = ENGLISH) -> discord.Embed:
    """The "Need support?" card, in the server's voice (``text``, typed by an organiser, as typed)."""
    return discord.Embed(
        title=voice.label(BUTTON_TITLE, EMBED_TITLE_LIMIT),
        description=text or voice.text(lambda t: t(BUTTON_TEXT), EMBED_DESCRIPTION_LIMIT),
        colour=CARD_COLOUR,
    )


# What went wrong with a scheduled post, stored in English with the schedule (``last_error``) and
# shown to organisers in their language: the values are read back out of the stored text.
CHANNEL_GONE = N_("The channel is gone or I can't see it. Cancel this and schedule it again.")
CANT_POST = N_("I couldn't post in #{name}: check I can send messages and embed links there.")
CANT_PIN = N_("Posted, but couldn't pin it: I need Pin Messages in #{name}.")
CANT_UNPIN = N_("Couldn't unpin the previous post: I need Pin Messages in #{name}.")
STORED_PROBLEMS = (CHANNEL_GONE, CANT_POST, CANT_PIN, CANT_UNPIN)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile(
        "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)),
        re.DOTALL,
    )


_STORED_PATTERNS = tuple((template, _pattern(template)) for template in STORED_PROBLEMS)


def stored_problem(text: str, t: Translator = SOURCE_TRANSLATOR) -> str:
    """A problem stored in English with a schedule, in ``t``'s language (as stored if unknown)."""
    for template, pattern in _STORED_PATTERNS:
        if match := pattern.fullmatch(text):
            return t(template, **match.groupdict())
    return text


def schedule_line(schedule: Schedule, t: Translator = SOURCE_TRANSLATOR) -> str:
    channel = f"<#{schedule.channel_id}>"
    line = t("**#{id}** {what} in {channel}", id=schedule.id, what=schedule.describe(t), channel=channel)
    if schedule.next_run_at is not None:
        line += "\n  " + t("next: {when}", when=discord_time(schedule.next_run_at, "F"))
    else:
        line += "\n  " + t("finished")
    if schedule.last_error:
        line += f"\n  ⚠️ {stored_problem(schedule.last_error, t)}"
    return clip(line, 600)


def schedules_embed(schedules: list[Schedule], t: Translator = SOURCE_TRANSLATOR) -> discord.Embed:
    embed = discord.Embed(
        title=t("Scheduled signposts"),
        description=lines_within([schedule_line(s, t) for s in schedules], EMBED_DESCRIPTION_LIMIT, t=t),
        colour=CARD_COLOUR,
    )
    embed.set_footer(text=t("Cancel one with /signposts unschedule"))
    return embed


# -- needs looked up with no local contact (organisers) ----------------------------------------

UNMET_TITLE = N_("Needs looked up with no local contact")
UNMET_INTRO = N_(
    "How often students chose each need in `/support` while this server's directory had no contact "
    "for it, over the last {weeks} weeks (weeks start on Monday). Counts only: nobody's name, "
    "and nothing finer than the week, is ever recorded."
)
UNMET_NONE = N_(
    "No need was looked up without a local contact in the last {weeks} weeks. "
    "Students who chose one were shown the national lines and their students' union advice centre."
)
MAX_WEEKS_SHOWN = 8


MONTHS = (
    # Translators: the months, shortened, in a date such as "5 Jan 2026".
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip


def _week(day: date, t: Translator = SOURCE_TRANSLATOR) -> str:
    """ "5 Jan 2026", the month in ``t``'s language."""
    return f"{day.day} {t(MONTHS[day.month - 1])} {day.year}"


def unmet_line(item: UnmetNeed, contacts: list[Contact], t: Translator = SOURCE_TRANSLATOR) -> str:
    """One need's count, its latest weeks, and whether the directory has a contact for it now."""
    category = CATEGORIES[item.need]
    recent = sorted(item.weeks, key=lambda week: week.week_start, reverse=True)
    weeks = ", ".join(
        t("week of {week}: {count}", week=_week(w.week_start, t), count=w.count)
        for w in recent[:MAX_WEEKS_SHOWN]
    )
    if len(recent) > MAX_WEEKS_SHOWN:
        weeks += t.ngettext(
            ", and {n} earlier week", ", and {n} earlier weeks", len(recent) - MAX_WEEKS_SHOWN
        )
    now = sum(1 for c in contacts if item.need in c.categories)
    status = (
        t.ngettext("it has {n} contact now", "it has {n} contacts now", now)
        if now
        else t("still no contact: add one with `/signposts add need:{need}`", need=category.label)
    )
    return t.ngettext(
        "{emoji} **{need}**: {n} time ({weeks}); {status}.",
        "{emoji} **{need}**: {n} times ({weeks}); {status}.",
        item.total,
        emoji=category.emoji,
        need=t(category.label),
        weeks=weeks,
        status=status,
    )


def unmet_embed(
    counts: list[UnmetNeed], contacts: list[Contact], t: Translator = SOURCE_TRANSLATOR
) -> discord.Embed:
    """What ``/signposts gaps`` shows organisers: counts per need and week, nothing else."""
    lines = [t(UNMET_INTRO, weeks=RETAIN_WEEKS), ""]
    lines += (
        [unmet_line(item, contacts, t) for item in counts] if counts else [t(UNMET_NONE, weeks=RETAIN_WEEKS)]
    )
    embed = discord.Embed(
        title=t(UNMET_TITLE),
        description=lines_within(lines, EMBED_DESCRIPTION_LIMIT, t=t),
        colour=CARD_COLOUR,
    )
    embed.set_footer(text=t("Only you can see this."))
    return embed
