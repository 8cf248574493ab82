"""The demo server, "Demo Medical School", built and seeded through the bot's own commands.

Everything here acts as a person would: the server admin runs ``/setup``, the organiser runs
``/community create``, ``/event create``, ``/pulse template``... and demo students click and
answer. Nothing is written to the database directly, so the demo shows exactly what the real
bot does.

Each feature is one small seeding step. A step whose command is not in the bot's command tree
(a feature not built yet) is skipped with a note, so the demo grows as features land.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord
import simcord
from discord import app_commands

from bot.i18n import N_, SOURCE_TRANSLATOR, Message, Translator

TIMEZONE = "Europe/London"
GUILD_NAME = "Demo Medical School"
HOUR = 3600
DAY = 24 * HOUR

Say = Callable[[str], None]

# -- what the demo seeds -------------------------------------------------------------------------

COMMUNITIES: tuple[dict[str, str], ...] = (
    {
        "name": N_("First in Family"),
        "kind": "identity",
        "emoji": "🌱",
        "description": N_("For students who are the first in their family to go to university."),
        "welcome_note": N_("Welcome! Nobody here will know you joined unless you say hello."),
    },
    {
        "name": N_("LGBTQ+ Medics"),
        "kind": "identity",
        "emoji": "🏳️‍🌈",
        "description": N_("For LGBTQ+ medical students. Membership stays off your profile."),
    },
    {
        "name": N_("Black Medical Students"),
        "kind": "identity",
        "emoji": "✊🏾",
        "description": N_("Peer support, mentoring links and socials for Black medical students."),
    },
    {
        "name": N_("Care-experienced and Estranged"),
        "kind": "identity",
        "emoji": "🏠",
        "description": N_("For students who grew up in care or study without family support."),
    },
    {
        "name": N_("Running Club"),
        "kind": "interest",
        "emoji": "🏃",
        "description": N_("Easy 5k runs on Sunday mornings, all paces welcome."),
    },
    {
        "name": N_("Cooking on a Budget"),
        "kind": "interest",
        "emoji": "🍲",
        "description": N_("Cheap, tasty recipes, halal and vegetarian friendly."),
    },
)

WORKSHOPS: tuple[str, ...] = (
    N_("Inclusivity and cultural identity"),
    N_("Difficult conversations"),
    N_("Managing stress on placement"),
    N_("Preparing for clinical placements"),
    N_("Confidence and professional identity"),
)
WORKSHOP_DETAILS: dict[str, Any] = {
    "place": N_("Medical School, Seminar Room 3"),
    "online-link": "https://meet.example.org/common-room-workshops",
    "capacity": 12,
    "cost": N_("Free"),
    "food": N_("Halal and vegetarian snacks, tea and coffee"),
    "accessibility": N_("Step-free access, quiet room next door, live captions online"),
}
WORKSHOP_MODAL: dict[str, Any] = {
    "description": N_(
        "Two hours in a small group, led by staff and graduates from similar backgrounds. "
        "Come to one or all of them; no preparation needed."
    ),
    "facilitators": N_("Dr Amara Okafor (graduate, 2014) and Dr Sunil Mehta (FY2)"),
    "alcohol_free": True,
}
SOCIAL: dict[str, Any] = {
    "kind": "social",
    "title": N_("Board games and mocktails"),
    "place": N_("Students' Union, Room 2 (ground floor)"),
    "capacity": 30,
    "cost": N_("Free"),
    "food": N_("Pizza with halal, vegetarian and vegan options; fruit"),
    "accessibility": N_("Step-free, quiet corner with softer lighting, ends 20:00 for the last bus"),
}
SOCIAL_MODAL: dict[str, Any] = {
    "description": N_(
        "An alcohol-free evening of board games, mocktails and pizza. Come for ten minutes or "
        "the whole evening; bring a friend or come alone, someone will say hello."
    ),
    "alcohol_free": True,
}


def _local_signpost(
    name: str,
    needs: list[str],
    description: str,
    reach: tuple[tuple[str, str], ...],
    hours: str,  # read by the form (Mon–Fri 9am–5pm), so typed as it expects in every language
    *,
    independent: bool,
    need: str,
) -> dict[str, Any]:
    """A contact as an organiser adds it with `/signposts add` (its options, then its form). Its
    ways to reach it are (keyword, value) pairs: the keywords are the form's own and stay English."""
    return {
        "options": {"independent": independent, "confidential": True, "need": need},
        "form": {"name": name, "needs": needs, "description": description, "reach": reach, "hours": hours},
    }


LOCAL_SIGNPOSTS: tuple[dict[str, Any], ...] = (
    _local_signpost(
        N_("Demo Medical School Student Wellbeing"),
        ["wellbeing", "academic"],
        N_("Drop-in and booked appointments with the medical school's wellbeing advisers."),
        (("email", "wellbeing@demo-med.example.ac.uk"), ("in person", N_("Medical School, Room G14"))),
        "Mon–Fri 9am–5pm (term time)",
        independent=False,
        need="wellbeing",
    ),
    _local_signpost(
        N_("Students' Union Advice Centre"),
        ["discrimination", "money"],
        N_("Independent, confidential advice on discrimination, complaints and money."),
        (("email", "advice@su.demo.example.ac.uk"), ("web", "https://su.demo.example.ac.uk/advice")),
        "Mon–Fri 10am–4pm",
        independent=True,
        need="discrimination",
    ),
    _local_signpost(
        N_("University Chaplaincy and Prayer Rooms"),
        ["faith"],
        N_("Multi-faith chaplains, prayer rooms and a quiet space for everyone."),
        (("in person", N_("Chaplaincy Centre, Hope Street")),),
        "Daily 8am–8pm",
        independent=False,
        need="faith",
    ),
)
CROWD: tuple[str, ...] = (
    "amira",
    "ben",
    "chidi",
    "dev",
    "ella",
    "farah",
    "george",
    "hana",
    "imran",
    "jess",
    "kofi",
    "lena",
)
# One answer per question of the belonging check-in, as the form's menus offer them ("0" is
# "Prefer not to say" on a scale).
CROWD_ANSWERS: tuple[tuple[str, str, str], ...] = (
    ("4", "1", "4"),
    ("3", "1", "3"),
    ("2", "2", "3"),
    ("4", "0", "5"),
    ("3", "1", "4"),
    ("1", "2", "2"),
    ("5", "0", "5"),
    ("3", "1", "3"),
    ("2", "1", "4"),
    ("4", "0", "4"),
    ("3", "2", "3"),
    ("4", "1", "4"),
)
# The bot's own labels the demo's people press (drawn in the server's or the reader's language).
GOING = N_("Going")
ANSWER = N_("Answer")
CONTINUE = N_("Continue")
CONTINUE_TO_FORM = N_("Continue to the form")
PULSE_TITLE = N_("Belonging check-in")
MENTOR_EXPERIENCES = ("First in family at university", "Ethnic minority", "Commuter")
MENTOR_HELLO = N_("Year 4, happy to talk about placements, finding your people and surviving exams.")


# -- the server ----------------------------------------------------------------------------------


@dataclass
class DemoServer:
    """The simulated server and the people in it."""

    env: simcord.Env
    guild: simcord.GuildHandle
    common: simcord.ChannelHandle
    welcome: simcord.ChannelHandle
    organisers_channel: simcord.ChannelHandle
    reports_channel: simcord.ChannelHandle
    organiser_role: simcord.RoleHandle
    admin: simcord.MemberActor
    organiser: simcord.MemberActor
    student: simcord.MemberActor
    mentor: simcord.MemberActor
    crowd: list[simcord.MemberActor] = field(default_factory=list)
    pulse_id: int | None = None
    closed_run: int | None = None
    #: The demo's language: the seeded copy is typed in it, and the server speaks it.
    t: Translator = SOURCE_TRANSLATOR

    @property
    def english(self) -> bool:
        return self.t.locale == SOURCE_TRANSLATOR.locale

    def typed(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` with every marked text in the demo's language, as a person would type it."""
        return {key: self.t(value) if isinstance(value, Message) else value for key, value in values.items()}

    @property
    def bot(self) -> Any:
        return self.env.bot

    @property
    def viewers(self) -> list[simcord.MemberActor]:
        """Who the person at the browser can act as, the first-year student first."""
        return [self.student, self.organiser, self.admin, self.mentor]


ROLE_ADMINS = N_("Server admins")
ROLE_ORGANISERS = N_("Organisers")
ROLE_STUDENTS = N_("Students")
TOPIC_WELCOME = N_("Start here")
TOPIC_COMMON = N_("Communities, events, check-ins and support: everything starts here")


def build_server(env: simcord.Env, t: Translator = SOURCE_TRANSLATOR) -> DemoServer:
    """Create the guild, its channels and its people (what Discord itself would hold), named in
    the demo's language ``t``."""
    guild = env.create_guild(GUILD_NAME)
    admins = guild.create_role(
        t(ROLE_ADMINS), permissions=discord.Permissions(manage_guild=True, manage_messages=True)
    )
    organisers = guild.create_role(t(ROLE_ORGANISERS))
    guild.create_role(t(ROLE_STUDENTS))
    admin = guild.add_member(env.create_user("ada_admin", global_name="Ada (server admin)"), roles=[admins])
    organiser = guild.add_member(
        env.create_user("olu_organiser", global_name="Olu (welfare organiser)"), roles=[organisers]
    )
    student = guild.add_member(env.create_user("sam_student", global_name="Sam (first-year student)"))
    mentor = guild.add_member(env.create_user("maya_mentor", global_name="Maya (fourth-year mentor)"))
    crowd = [guild.add_member(env.create_user(f"{name}_student", global_name=name.title())) for name in CROWD]
    me = guild.me
    assert me is not None
    staff_only: dict[Any, discord.PermissionOverwrite] = {
        guild.default_role: discord.PermissionOverwrite(view_channel=False),
        organisers: discord.PermissionOverwrite(view_channel=True),
        admin: discord.PermissionOverwrite(view_channel=True),
        me: discord.PermissionOverwrite(view_channel=True, send_messages=True, embed_links=True),
    }
    welcome = guild.create_text_channel("welcome", topic=t(TOPIC_WELCOME))
    common = guild.create_text_channel("common-room", topic=t(TOPIC_COMMON))
    organisers_channel = guild.create_text_channel("organisers", overwrites=dict(staff_only))
    reports_channel = guild.create_text_channel("welfare-reports", overwrites=dict(staff_only))
    return DemoServer(
        env=env,
        guild=guild,
        common=common,
        welcome=welcome,
        organisers_channel=organisers_channel,
        reports_channel=reports_channel,
        organiser_role=organisers,
        admin=admin,
        organiser=organiser,
        student=student,
        mentor=mentor,
        crowd=crowd,
        t=t,
    )


# -- helpers -------------------------------------------------------------------------------------


class DemoError(Exception):
    """A seeding or check step did not show what it should have."""


def command_names(bot: Any) -> set[str]:
    """Qualified names of every slash command in the bot's tree ("community join", "about")."""
    names: set[str] = set()
    for command in bot.tree.get_commands():
        if isinstance(command, app_commands.Group):
            names.update(c.qualified_name for c in command.walk_commands())
        else:
            names.add(command.qualified_name)
    return names


def text_of(result: Any) -> str:
    """Everything a person was shown by one interaction: replies, follow-ups, embeds."""
    messages = []
    if getattr(result, "response", None) is not None:
        messages.append(result.response)
    messages.extend(getattr(result, "followups", []) or [])
    return "\n".join(message_text(m) for m in messages)


def message_text(message: Any) -> str:
    parts = [getattr(message, "content", "") or ""]
    for embed in getattr(message, "embeds", []) or []:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        parts += [f"{f.name} {f.value}" for f in embed.fields]
    return "\n".join(parts)


def expect(condition: bool, problem: str) -> None:
    if not condition:
        raise DemoError(problem)


def expect_in(needle: str, shown: str, what: str) -> None:
    if needle.casefold() not in shown.casefold():
        raise DemoError(f"{what}: expected to see {needle!r}, but was shown:\n{shown.strip()[:600]}")


def local(env: simcord.Env, days: int, hour: int, minute: int = 0) -> str:
    """A date and time typed the way an organiser would, ``days`` from the simulated today."""
    today = env.now().astimezone(ZoneInfo(TIMEZONE))
    when = (today + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return when.strftime("%Y-%m-%d %H:%M")


def next_weekday(env: simcord.Env, weekday: int, hour: int, minute: int = 0, after_days: int = 1) -> str:
    """The next ``weekday`` (Monday is 0) at least ``after_days`` away, as an organiser types it."""
    today = env.now().astimezone(ZoneInfo(TIMEZONE))
    days = after_days + (weekday - (today.weekday() + after_days)) % 7
    return local(env, days, hour, minute)


def message_of(result: Any) -> Any:
    """The message a reply created (to click or select on it)."""
    if result.response is None:
        raise DemoError(f"expected a reply with buttons, but was shown:\n{text_of(result)[:600]}")
    return result.response.message


async def submit_form(actor: simcord.MemberActor, shown: Any, values: dict[str, Any], what: str) -> Any:
    if shown.modal is None:
        raise DemoError(f"{what}: expected a form, but was shown:\n{text_of(shown)[:600]}")
    return await actor.submit_modal(shown, values)


def cards(server: DemoServer, viewer: simcord.MemberActor, label: str) -> list[discord.Message]:
    """Messages in #common-room this viewer can see that carry a button with this label."""
    found = []
    for message in server.common.history(viewer=viewer):
        labels: set[str] = set()
        for row in message.components:
            children: Any = row.to_dict().get("components", [])
            labels.update(str(child.get("label")) for child in children if isinstance(child, dict))
        if label in labels:
            found.append(message)
    return found


def card_titled(server: DemoServer, title: str) -> discord.Message:
    """The newest event card with this title that the student can see in #common-room."""
    found = [
        m for m in cards(server, server.student, server.t(GOING)) if m.embeds and m.embeds[0].title == title
    ]
    expect(bool(found), f"the card for {title!r} is not in #common-room")
    return found[-1]


async def event_ids(server: DemoServer, actor: simcord.MemberActor) -> dict[str, int]:
    """Event titles to ids, as the organiser's /event edit autocomplete offers them."""
    offered = await actor.autocomplete(server.common, "event edit", "event", "")
    ids: dict[str, int] = {}
    for choice in offered:
        ids.setdefault(str(choice["name"]), int(choice["value"]))
    return ids


def said(server: DemoServer, phrase: str, entry: str | None = None) -> str:
    """What to look for in a reply that says ``phrase`` in English: ``phrase`` itself, or in the
    demo's language the longest piece (between placeholders, up to a full stop) of the translated
    catalogue entry that begins with ``entry`` (by default ``phrase``)."""
    if server.english:
        return phrase
    catalogue: dict[Any, str] = getattr(getattr(server.t, "_translations", None), "_catalog", {})
    start = entry or phrase
    for msgid in sorted(key for key in catalogue if isinstance(key, str) and key.startswith(start)):
        pieces = [piece.strip(" *,.:") for piece in re.split(r"\{[^}]*\}", server.t(msgid))]
        lead = max((re.split(r"(?<=[.!:?])\s", piece)[0].strip(" *") for piece in pieces), key=len)
        if lead:
            return lead
    raise DemoError(f"no catalogue entry in {server.t.locale!r} starts with {start!r}")


# -- seeding steps -------------------------------------------------------------------------------


@dataclass
class Step:
    name: str
    needs: tuple[str, ...]
    run: Callable[[DemoServer], Awaitable[str]]


async def seed_setup(server: DemoServer) -> str:
    admin, channel = server.admin, server.common
    if not server.english:
        # First of all, so everything the bot posts and answers is in the demo's language.
        result = await admin.slash(channel, "setup language", language=server.t.locale)
        expect("⚠️" not in text_of(result), f"/setup language: {text_of(result)}")
    await admin.slash(channel, "setup organiser-role", role=server.organiser_role)
    await admin.slash(channel, "setup timezone", name=TIMEZONE)
    for purpose, target in (
        ("announcements", server.common),
        ("welcome", server.welcome),
        ("organisers", server.organisers_channel),
        ("reports", server.reports_channel),
    ):
        result = await admin.slash(channel, "setup channel", purpose=purpose, channel=target)
        expect("⚠️" not in text_of(result), f"/setup channel {purpose}: {text_of(result)}")
    # What an admin does in Server Settings > Integrations: let organisers see the organiser-only
    # command groups in their client (the bot still checks them on every use).
    commands = await server.bot.tree.fetch_commands()
    for command in commands:
        if command.name in {"pulse", "cases", "signposts"}:
            server.guild.set_command_permissions(command, {server.organiser_role: True})
    return "organiser role, Europe/London, #common-room, #welcome, #organisers, #welfare-reports"


async def seed_communities(server: DemoServer) -> str:
    made = []
    for community in map(server.typed, COMMUNITIES):
        result = await server.organiser.slash(server.common, "community create", **community)
        expect_in(said(server, "Created"), text_of(result), f"/community create {community['name']}")
        made.append(community["name"])
    if "community panel" in command_names(server.bot):
        result = await server.organiser.slash(server.common, "community panel", channel=server.common)
        expect(not result.ephemeral or "⚠️" not in text_of(result), f"/community panel: {text_of(result)}")
    # A few students join the interest communities (identity ones stay up to each person).
    for member in server.crowd[:6]:
        await member.slash(server.common, "community join", name=server.t(COMMUNITIES[4]["name"]))
    return f"{len(made)} communities ({', '.join(made)}) and a panel in #common-room"


async def seed_pulse(server: DemoServer) -> str:
    """A weekly belonging check-in: run 1 answered by the demo students and closed (results),
    run 2 open now for the person at the browser."""
    env, organiser = server.env, server.organiser
    start = env.now().astimezone(ZoneInfo(TIMEZONE)) + timedelta(hours=1)
    start = start.replace(minute=0, second=0, microsecond=0)
    result = await organiser.slash(
        server.common,
        "pulse template",
        channel=server.common,
        start=start.strftime("%Y-%m-%d %H:%M"),
        repeat="weekly",
    )
    expect_in(said(server, "Saved", "Saved. Here's"), text_of(result), "/pulse template")
    await env.advance_time((start - env.now()).total_seconds() + 60)
    open_cards = cards(server, server.student, server.t(ANSWER))
    expect(bool(open_cards), "the first pulse run did not post a card in #common-room")
    card = open_cards[-1]
    for member, values in zip(server.crowd, CROWD_ANSWERS, strict=True):
        shown = await member.click(card, label=server.t(ANSWER))
        answers = {f"q{i}": [value] for i, value in enumerate(values, start=1)}
        done = await submit_form(member, shown, answers, "answering the pulse")
        expect_in(said(server, "Thank you", "Thank you, your answer"), text_of(done), "answering the pulse")
    # A week on: run 1 has closed (its results are ready) and run 2 is open.
    await env.advance_time(7 * DAY)
    listed = text_of(await organiser.slash(server.common, "pulse list"))
    found = re.search(rf"#(\d+) {re.escape(server.t(PULSE_TITLE))}", listed)
    server.pulse_id = int(found.group(1)) if found else 1
    server.closed_run = 1
    return f"belonging check-in: run 1 closed with {len(server.crowd)} answers, run 2 open now"


async def seed_signposts(server: DemoServer) -> str:
    names = []
    for contact in LOCAL_SIGNPOSTS:
        form = server.typed(contact["form"])
        form["reach"] = "\n".join(f"{how}: {server.t(value)}" for how, value in form["reach"])
        shown = await server.organiser.slash(server.common, "signposts add", **contact["options"])
        done = await submit_form(server.organiser, shown, form, "/signposts add")
        expect_in(said(server, "Added", "Added. This"), text_of(done), f"/signposts add {form['name']}")
        names.append(form["name"])
    await server.organiser.slash(server.common, "signposts button", channel=server.common)
    return f"{len(names)} local contacts, the national lines, and a 'Need support?' button"


async def seed_events(server: DemoServer) -> str:
    env, organiser = server.env, server.organiser
    first, *others = (server.t(theme) for theme in WORKSHOPS)
    social = server.typed(SOCIAL)
    shown = await organiser.slash(
        server.common,
        "event create",
        kind="workshop",
        title=first,
        start=next_weekday(env, 1, 16, 0, after_days=2),
        duration="2h",
        repeat="fortnightly",
        times=len(WORKSHOPS),
        **server.typed(WORKSHOP_DETAILS),
    )
    modal = {**server.typed(WORKSHOP_MODAL), "theme": first}
    done = await submit_form(organiser, shown, modal, "/event create workshop")
    expect_in(
        said(server, "series of", "Done: a fortnightly series"),
        text_of(done),
        "/event create (workshop series)",
    )
    # Each later session of the series gets its own theme, as the organisers plan them.
    ids = sorted((await event_ids(server, organiser)).values())
    for event_id, theme in zip(ids[1:], others, strict=False):
        edited = await organiser.slash(
            server.common, "event edit", event=event_id, title=theme, theme=theme, scope="this"
        )
        expect_in(said(server, "Saved", "Saved."), text_of(edited), f"/event edit {theme}")
    shown = await organiser.slash(
        server.common, "event create", start=next_weekday(env, 3, 18, 0, after_days=1), end="20:00", **social
    )
    done = await submit_form(organiser, shown, server.typed(SOCIAL_MODAL), "/event create social")
    expect_in(said(server, "Done", "Done: "), text_of(done), "/event create (social)")
    # Some demo students have already replied, so the cards show real counts.
    for title, people in ((social["title"], server.crowd[:5]), (first, server.crowd[5:8])):
        card = card_titled(server, title)
        for member in people:
            going = await member.click(card, label=server.t(GOING))
            expect_in(said(server, "You're going"), text_of(going), f"RSVP to {title}")
    return f"a fortnightly series of {len(WORKSHOPS)} workshops and an alcohol-free social"


async def seed_mentoring(server: DemoServer) -> str:
    from bot.services.mentoring import slug

    mentor = server.mentor
    started = await mentor.slash(server.common, "mentor offer")
    prompt = message_of(started)
    await mentor.select(prompt, ["4"], custom_id="mentor:offer:year")
    await mentor.select(prompt, [slug(e) for e in MENTOR_EXPERIENCES], custom_id="mentor:offer:experiences")
    await mentor.select(prompt, ["2"], custom_id="mentor:offer:capacity")
    shown = await mentor.click(prompt, label=server.t(CONTINUE))
    done = await submit_form(mentor, shown, {"text": server.t(MENTOR_HELLO)}, "/mentor offer")
    expect_in(said(server, "introduce you", "I'll introduce you"), text_of(done), "/mentor offer")
    return "Maya, a fourth-year mentor, waiting for a match"


EARLIER_REPORT = N_(
    "On my GP placement a patient refused to be seen by me because of my headscarf, and the "
    "practice staff laughed it off. Nobody checked on me afterwards."
)


async def file_report(server: DemoServer, member: simcord.MemberActor, text: str) -> Any:
    """What a student does: /report new, read the explanation, fill in the form."""
    intro = await member.slash(server.common, "report new")
    expect(intro.ephemeral, "/report new was not private")
    shown = await member.click(message_of(intro), label=server.t(CONTINUE_TO_FORM))
    values = {"report:what": text, "report:where": ["placement"], "report:wish": ["reply"]}
    return await submit_form(member, shown, values, "/report new")


def case_numbers(shown: str) -> list[int]:
    return [int(n) for n in re.findall(r"(?:Case|Achos) (\d+)", shown)]


async def seed_reports(server: DemoServer) -> str:
    filed = await file_report(server, server.crowd[-1], server.t(EARLIER_REPORT))
    expect(filed.ephemeral, "the report's confirmation was not private")
    listed = text_of(await server.organiser.slash(server.common, "cases list"))
    expect(bool(case_numbers(listed)), f"/cases list does not show the report:\n{listed[:600]}")
    return "one anonymous report waiting in /cases; new ones go to #welfare-reports"


SEED_STEPS: tuple[Step, ...] = (
    Step("server setup", ("setup channel", "setup organiser-role"), seed_setup),
    Step("communities", ("community create", "community join"), seed_communities),
    Step("pulse checks", ("pulse template", "pulse list"), seed_pulse),
    Step("signposts", ("signposts add", "signposts button", "support"), seed_signposts),
    Step("events", ("event create", "event edit"), seed_events),
    Step("mentoring", ("mentor offer",), seed_mentoring),
    Step("reports", ("report new", "cases list"), seed_reports),
)


def _go_on() -> None:
    return None


async def run_steps(
    server: DemoServer,
    steps: Iterable[Step],
    say: Say,
    *,
    strict: bool,
    checkpoint: Callable[[], None] = _go_on,
) -> list[str]:
    """Run each step whose commands exist; say what happened. Returns the names of steps that ran.

    With ``strict`` a failing step raises :class:`DemoError`; otherwise it is reported and skipped.
    """
    available = command_names(server.bot)
    done = []
    for step in steps:
        checkpoint()  # may raise to stop between two steps (Ctrl-C)
        missing = [name for name in step.needs if name not in available]
        if missing:
            say(f"  skip  {step.name}: /{missing[0]} is not in the bot yet")
            continue
        try:
            summary = await step.run(server)
            await server.env.settle()
        except Exception as error:
            if strict:
                raise DemoError(f"{step.name}: {error}") from error
            say(f"  note  {step.name} could not be seeded ({type(error).__name__}: {error})")
            continue
        say(f"  ok    {step.name}: {summary}")
        done.append(step.name)
    return done


async def seed(
    server: DemoServer, say: Say, *, strict: bool = False, checkpoint: Callable[[], None] = _go_on
) -> list[str]:
    return await run_steps(server, SEED_STEPS, say, strict=strict, checkpoint=checkpoint)


WELCOME_LINES: tuple[str, ...] = (
    N_(
        "👋 **Welcome to Demo Medical School, a demo of Common Room.** "
        "Nothing here is real and nothing leaves this computer."
    ),
    N_(
        "Choose who you are with **Viewing as** at the top of the page: each person sees what they "
        "would on a real server. Type `/` in the message box below for commands."
    ),
    N_("**Sam (first-year student)**, where the page starts:"),
    N_("• `/community list` or the community panel above: join a community; only you see it"),
    N_("• **Going** on *Board games and mocktails* or a workshop card above; then `/event mine`"),
    N_("• **Answer** on the open *Belonging check-in*; your answer can't be traced to you"),
    N_("• `/support`, or the **Need support?** button above"),
    N_("• `/report new` to report discrimination anonymously, then `/report check` with your code"),
    N_("• `/mentor request`: Maya, a fourth-year mentor, is waiting for a match"),
    N_(
        "**Olu (welfare organiser)**: `/pulse results pulse:1 run:1`, `/pulse trend pulse:1`, "
        "`/cases list`, `/event attendees`, `/signposts add`, `/community create`."
    ),
    N_("**Ada (server admin)**: `/setup show` says what is set up and what is missing."),
    N_("**Maya (fourth-year mentor)**: `/mentor status`."),
)
WELCOME = "\n".join(WELCOME_LINES)


def welcome_text(t: Translator = SOURCE_TRANSLATOR) -> str:
    """The welcome note in the language ``t``."""
    return "\n".join(t(line) for line in WELCOME_LINES)


async def post_welcome(server: DemoServer) -> discord.Message:
    """The admin's welcome: the newest message, what the page opens on."""
    return await server.admin.send(server.common, welcome_text(server.t))


# -- the walk-through (--check) ------------------------------------------------------------------


async def check_about(server: DemoServer) -> str:
    shown = text_of(await server.student.slash(server.common, "about"))
    expect_in("Common Room", shown, "/about")
    return "/about answers"


STUDENT_TOOLS = ("community join", "event mine", "support", "report new", "mentor request", "privacy notice")
ORGANISER_TOOLS = ("community create", "event create", "pulse results", "cases list", "signposts add")


async def check_commands(server: DemoServer) -> str:
    """What the composer on the page offers each person: organiser tools only to organisers."""
    available = command_names(server.bot)
    student = set(server.student.available_commands(server.common))
    organiser = set(server.organiser.available_commands(server.common))
    for name in (n for n in STUDENT_TOOLS if n in available):
        expect(name in student, f"the student is not offered /{name}")
    for name in ("pulse results", "cases list", "signposts add", "setup channel"):
        expect(name not in student, f"the student is offered the organisers' /{name}")
    for name in (n for n in ORGANISER_TOOLS if n in available):
        expect(name in organiser, f"the organiser is not offered /{name}")
    refused = text_of(
        await server.student.slash(server.common, "community create", **server.typed(COMMUNITIES[0]))
    )
    expect_in(
        said(server, "for organisers", "{command} is for organisers"),
        refused,
        "a student trying /community create",
    )
    return (
        f"the page offers the student {len(student)} commands and the organiser {len(organiser)}; "
        "the server refuses organiser commands to the student"
    )


async def check_community(server: DemoServer) -> str:
    student = server.student
    before = {m.id for m in server.common.history(viewer=server.organiser)}
    name = server.t(COMMUNITIES[0]["name"])
    joined = await student.slash(server.common, "community join", name=name)
    expect(joined.ephemeral, "joining a community was not private")
    expect_in(said(server, "Welcome to"), text_of(joined), "/community join")
    mine = text_of(await student.slash(server.common, "community mine"))
    expect_in(name, mine, "/community mine")
    after = {m.id for m in server.common.history(viewer=server.organiser)}
    expect(after == before, "joining a community posted something others can see")
    return f"the student joined {name} privately; /community mine lists it"


async def check_rsvp(server: DemoServer) -> str:
    title = server.t(SOCIAL["title"])
    going = await server.student.click(card_titled(server, title), label=server.t(GOING))
    expect(going.ephemeral, "the RSVP reply was not private")
    expect_in(said(server, "You're going"), text_of(going), "RSVP Going")
    mine = text_of(await server.student.slash(server.common, "event mine"))
    expect_in(title, mine, "/event mine")
    ids = await event_ids(server, server.organiser)
    event_id = next((v for k, v in ids.items() if title in k), None)
    expect(event_id is not None, "the social is not offered to the organiser")
    attendees = text_of(await server.organiser.slash(server.common, "event attendees", event=event_id))
    going_6 = server.t("**Going ({n})**", n=6).strip("*")
    expect_in(
        server.t.pgettext("status", "Going") if server.english else going_6, attendees, "/event attendees"
    )
    expect_in(going_6, attendees, "/event attendees")
    expect_in("Sam (first-year student)", attendees, "/event attendees")
    expect("<@" not in attendees, f"/event attendees shows a mention, not a name: {attendees}")
    card = card_titled(server, title)
    shown = message_text(card)
    expect_in(
        server.t("Going {going} · Maybe {maybe}", going=6, maybe=0).split(" · ")[0],
        shown,
        "the social's card after six replies",
    )
    expect("Sam" not in shown, "the public card names who is going")
    return (
        "the student RSVPed Going to the social; the card counts 6, /event mine and /event attendees show it"
    )


async def check_pulse(server: DemoServer) -> str:
    open_cards = cards(server, server.student, server.t(ANSWER))
    expect(bool(open_cards), "no open pulse card in #common-room")
    shown = await server.student.click(open_cards[-1], label=server.t(ANSWER))
    done = await submit_form(server.student, shown, {"q1": ["3"], "q2": ["1"], "q3": ["4"]}, "pulse answer")
    expect(done.ephemeral, "the pulse answer was not private")
    expect_in(said(server, "Thank you", "Thank you, your answer"), text_of(done), "answering the pulse")
    again = await server.student.click(open_cards[-1], label=server.t(ANSWER))
    expect_in(
        said(server, "already answered", "You've already answered this check-in"),
        text_of(again),
        "answering twice",
    )
    results = await server.organiser.slash(
        server.common, "pulse results", pulse=server.pulse_id or 1, run=server.closed_run or 1
    )
    shown_results = text_of(results)
    expect(results.ephemeral, "pulse results were not private")
    counted = server.t.ngettext(
        "Open {opens} to {closes}. **{n} answer**.",
        "Open {opens} to {closes}. **{n} answers**.",
        len(server.crowd),
        opens="",
        closes="",
    )
    expect_in(counted.split("**")[1], shown_results, "/pulse results")
    withheld = said(server, "not enough answers", "There are not enough answers")
    expect(withheld.casefold() not in shown_results.casefold(), "the closed run's results were withheld")
    return f"the student answered once; the closed run shows results from {len(server.crowd)} answers"


async def check_support(server: DemoServer) -> str:
    result = await server.student.slash(server.common, "support")
    expect(result.ephemeral, "/support was not private")
    shown = text_of(result)
    expect_in("999", shown, "/support (urgent help first)")
    chosen = text_of(await server.student.slash(server.common, "support", need="discrimination"))
    expect_in(server.t(LOCAL_SIGNPOSTS[1]["form"]["name"]), chosen, "/support need:Discrimination")
    return "/support shows urgent help first and the SU Advice Centre for discrimination"


# What the student and the organiser type in the walk.
CHECK_REPORT = N_("On placement a consultant keeps mispronouncing my name on purpose and laughs.")
CHECK_REPLY = N_("Thank you for telling us. Would a chat this week help?")
CHECK_MENTOR_NEEDS = N_("Settling in and placements")
CODE = re.compile(r"\b([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3,})\b")


async def check_report(server: DemoServer) -> str:
    student = server.student
    before = case_numbers(text_of(await server.organiser.slash(server.common, "cases list")))
    filed = await file_report(server, student, server.t(CHECK_REPORT))
    expect(filed.ephemeral, "the report's confirmation was not private")
    found = CODE.search(text_of(filed))
    expect(found is not None, f"no reply code was shown after reporting:\n{text_of(filed)[:600]}")
    assert found is not None
    code = found.group(1)
    listed = text_of(await server.organiser.slash(server.common, "cases list"))
    expect("sam_student" not in listed and "Sam (" not in listed, "the case names the reporter")
    new = [n for n in case_numbers(listed) if n not in before]
    expect(len(new) == 1, f"/cases list does not show one new case:\n{listed[:600]}")
    shown = text_of(await server.organiser.slash(server.common, "cases show", case=new[0]))
    expect_in(said(server, "mispronouncing my name", CHECK_REPORT), shown, "/cases show")
    expect(str(student.id) not in shown and "Sam (" not in shown, "the case names the reporter")
    reply = await server.organiser.slash(
        server.common,
        "cases reply",
        case=new[0],
        text=server.t(CHECK_REPLY),
    )
    expect(reply.ephemeral, "/cases reply was not private")
    checked = await student.slash(server.common, "report check", code=code)
    expect(checked.ephemeral, "/report check was not private")
    expect_in(said(server, "Would a chat this week help?", CHECK_REPLY), text_of(checked), "/report check")
    return "the student reported anonymously, the organiser replied, the code shows the reply"


async def check_mentoring(server: DemoServer) -> str:
    from bot.services.mentoring import slug

    student = server.student
    started = await student.slash(server.common, "mentor request")
    prompt = message_of(started)
    await student.select(prompt, ["1"], custom_id="mentor:request:year")
    await student.select(
        prompt, [slug("First in family at university")], custom_id="mentor:request:experiences"
    )
    await student.select(prompt, ["any"], custom_id="mentor:request:shared")
    shown = await student.click(prompt, label=server.t(CONTINUE))
    done = await submit_form(student, shown, {"text": server.t(CHECK_MENTOR_NEEDS)}, "/mentor request")
    expect(done.ephemeral, "the mentor request reply was not private")
    expect_in(
        said(server, "you have a mentor", "Good news: you have a mentor"), text_of(done), "/mentor request"
    )
    return "the student asked for a mentor and was matched with Maya"


CHECK_STEPS: tuple[Step, ...] = (
    Step("about", ("about",), check_about),
    Step("who can use what", ("setup channel",), check_commands),
    Step("join a community", ("community join", "community mine"), check_community),
    Step("RSVP to an event", ("event mine", "event attendees"), check_rsvp),
    Step("answer the pulse", ("pulse results",), check_pulse),
    Step("open /support", ("support",), check_support),
    Step("report and check with the code", ("report new", "report check", "cases reply"), check_report),
    Step("ask for a mentor", ("mentor request",), check_mentoring),
)


async def walk(
    server: DemoServer, seeded: list[str], say: Say, *, checkpoint: Callable[[], None] = _go_on
) -> list[str]:
    """Walk the main flows as the student and the organiser; raises DemoError on the first problem."""
    needs_seed = {
        "join a community": "communities",
        "RSVP to an event": "events",
        "answer the pulse": "pulse checks",
        "open /support": "signposts",
        "report and check with the code": "reports",
        "ask for a mentor": "mentoring",
    }
    steps = [s for s in CHECK_STEPS if needs_seed.get(s.name, "server setup") in seeded]
    for step in CHECK_STEPS:
        if step not in steps:
            say(f"  skip  {step.name}: its feature was not seeded")
    return await run_steps(server, steps, say, strict=True, checkpoint=checkpoint)
