"""What an organiser is told after ``/event create``, ``edit``, ``cancel`` and ``settings``, in
their own language. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator
from bot.services.events import ChangeOutcome, EventInfo
from cogs.events.render import short_when


def edited_reply(
    outcomes: Sequence[ChangeOutcome],
    told: int,
    owed: int,
    problem: str | None,
    asked: bool | None = None,
    t: Translator = SOURCE_TRANSLATOR,
) -> str:
    """What the organiser is told after ``/event edit`` (of one event, or this and later ones);
    ``asked`` is what they set asking about needs to (None: unchanged). ``problem`` is shown as
    given: translate it first."""
    people = sum(len(outcome.notify) for outcome in outcomes)
    promoted = sum(len(outcome.promoted) for outcome in outcomes)
    visible = any(outcome.visible for outcome in outcomes)
    if len(outcomes) == 1:
        if visible:
            text = t(
                "Saved. The card is updated and I told {told} of {people} people going or waiting by DM.",
                told=told,
                people=people,
            )
        else:
            text = t(
                "Saved. The card is updated; only asking about needs changed, so I haven't sent any DMs."
            )
    else:
        later = len(outcomes) - 1
        if visible:
            text = t.ngettext(
                "Saved for {n} events: this one and the {later} after it in the series. Their cards are"
                " updated and I told {told} of {people} people going or waiting by DM (once for each"
                " event they replied to).",
                "Saved for {n} events: this one and the {later} after it in the series. Their cards are"
                " updated and I told {told} of {people} people going or waiting by DM (once for each"
                " event they replied to).",
                len(outcomes),
                later=later,
                told=told,
                people=people,
            )
        else:
            text = t.ngettext(
                "Saved for {n} events: this one and the {later} after it in the series. Their cards are"
                " updated; only asking about needs changed, so I haven't sent any DMs.",
                "Saved for {n} events: this one and the {later} after it in the series. Their cards are"
                " updated; only asking about needs changed, so I haven't sent any DMs.",
                len(outcomes),
                later=later,
            )
    if visible:
        text += told_later(owed, t)
    if promoted:
        text += " " + t.ngettext(
            "{n} moved up from the waiting list.", "{n} moved up from the waiting list.", promoted
        )
    if asked is True:
        text += " " + t(
            "From now on, people going (or waiting) are asked privately about access and dietary"
            " needs; what they share shows here in `/event attendees`."
        )
    elif asked is False:
        text += " " + t(
            "People going are no longer asked about needs. Anything already shared stays in"
            " `/event attendees` until 7 days after the event (they can still change or remove it)."
        )
    return text + (f"\n{problem}" if problem else "")


#: How ``/event create`` names a series' repetition, one whole sentence for each.
CREATED_SERIES: dict[str, Message] = {
    "weekly": N_(
        "Done: a weekly series of {n} events, **{title}**, from {first} to {last}. {first_card}; each"
        " later card is posted two weeks before its date, so students can reply to each occurrence"
        " separately."
    ),
    "fortnightly": N_(
        "Done: a fortnightly series of {n} events, **{title}**, from {first} to {last}. {first_card};"
        " each later card is posted two weeks before its date, so students can reply to each"
        " occurrence separately."
    ),
    "monthly": N_(
        "Done: a monthly series of {n} events, **{title}**, from {first} to {last}. {first_card}; each"
        " later card is posted two weeks before its date, so students can reply to each occurrence"
        " separately."
    ),
}


def created_reply(
    events: Sequence[EventInfo],
    first: EventInfo,
    repeat: str | None,
    channel_id: int,
    t: Translator = SOURCE_TRANSLATOR,
) -> str:
    """What the organiser is told after ``/event create`` (the first card may still be on its way
    if Discord asked the bot to wait)."""
    where = f"<#{channel_id}>"
    posted = first.message_id is not None
    if len(events) == 1:
        if not posted:
            return t(
                "Saved: **{title}**, {when}. Discord asked me to wait, so its card will appear in"
                " {channel} in a moment.",
                title=first.title,
                when=short_when(first, t),
                channel=where,
            )
        return t(
            "Done: **{title}** is posted in {channel}, {when}.",
            title=first.title,
            channel=where,
            when=short_when(first, t),
        )
    if posted:
        first_card = t("The first card is in {channel}", channel=where)
    else:
        first_card = t("The first card will appear in {channel} shortly", channel=where)
    return t(
        CREATED_SERIES.get(repeat or "", CREATED_SERIES["weekly"]),
        n=len(events),
        title=first.title,
        first=short_when(first, t),
        last=short_when(events[-1], t),
        first_card=first_card,
    )


def told_later(owed: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    """After 'I told X of N': how many DMs are still on their way (Discord asked the bot to wait)."""
    if not owed:
        return ""
    return " " + t.ngettext(
        "The other {n} person will get it as soon as Discord lets me send it.",
        "The other {n} people will get it as soon as Discord lets me send it.",
        owed,
    )


def series_question(event_id: int, later: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    """``/event edit`` of an occurrence of a series: only this one, or the rest too?"""
    return t.ngettext(
        "Event {event_id} is part of a series, with {n} more after it. Change only this one, or this"
        " one and the {n} after it? Everyone going or waiting is told once for each event that changes.",
        "Event {event_id} is part of a series, with {n} more after it. Change only this one, or this"
        " one and the {n} after it? Everyone going or waiting is told once for each event that changes.",
        later,
        event_id=event_id,
    )


def cancelled_reply(events: int, told: int, people: int, owed: int, t: Translator = SOURCE_TRANSLATOR) -> str:
    """What the organiser is told after ``/event cancel``."""
    text = t.ngettext(
        "Cancelled {n} event. The cards say so, the Events tab follows, and I told {told} of {people}"
        " people going or waiting by DM.",
        "Cancelled {n} events. The cards say so, the Events tab follows, and I told {told} of {people}"
        " people going or waiting by DM.",
        events,
        told=told,
        people=people,
    )
    return text + told_later(owed, t)


#: What ``/event settings`` says, one whole sentence for each combination (Maybe, Events tab).
SETTINGS: dict[tuple[bool, bool], Message] = {
    (True, True): N_(
        "Event settings: reminders {leads} before (for new and edited events); Maybe included; Events tab on."
    ),
    (True, False): N_(
        "Event settings: reminders {leads} before (for new and edited events); Maybe included;"
        " Events tab off."
    ),
    (False, True): N_(
        "Event settings: reminders {leads} before (for new and edited events); Maybe not included;"
        " Events tab on."
    ),
    (False, False): N_(
        "Event settings: reminders {leads} before (for new and edited events); Maybe not included;"
        " Events tab off."
    ),
}


def settings_reply(
    lead_times: Sequence[int], remind_maybe: bool, mirror: bool, t: Translator = SOURCE_TRANSLATOR
) -> str:
    """What ``/event settings`` says."""
    leads = ", ".join(f"{s / 3600:g} h" for s in lead_times) or t("none")
    return t(SETTINGS[remind_maybe, mirror], leads=leads)
