"""/support and /signposts in Welsh end to end through SimCord: a student's look-up (the crisis
lines included), the menu in a DM, an organiser's forms and schedules, and scheduled posts in the
server's language (Welsh, and Welsh then English)."""

from __future__ import annotations

from datetime import timedelta

from bot.ui import support_payload
from tests.conftest import World, open_command_to
from tests.i18n.screens import bot_posts, everything, message_texts
from tests.i18n.screens_signposts import with_contacts

#: English sentences of the feature (and of the crisis lines) that must not reach a Welsh reader.
ENGLISH = (
    "Urgent help",
    "In an emergency",
    "any time",
    "call 116 123",
    "Only you can see this",
    "Choose what you need",
    "What do you need help with",
    "There is no local contact",
    "students' union advice centre",
    "independent of your medical school",
    "Added.",
    "This is how students",
    "is not a valid UK phone number",
    "opening hours",
    "Scheduled",
    "every detail",
)


def assert_welsh(texts: list[str], *phrases: str) -> None:
    joined = "\n".join(texts)
    for phrase in phrases:
        assert phrase in joined, (phrase, joined)
    assert [english for english in ENGLISH if english in joined] == [], joined


async def test_a_student_who_chose_welsh_finds_support_in_welsh(world: World) -> None:
    await with_contacts(world)
    general = world.general
    await world.student.slash(general, "language", language="cy")

    shown = await world.student.slash(general, "support")
    assert shown.ephemeral and shown.response is not None
    assert shown.response.embeds[0].title == "🆘 Help brys"
    assert_welsh(
        everything(shown),
        "**Samariaid**: ffoniwch 116 123, am ddim, unrhyw bryd, ddydd neu nos.",
        "ffoniwch 999 (neu ewch i'r Adran Achosion Brys)",
        "Dod o hyd i gymorth",
        "Gyda beth mae angen help arnoch chi?",
        "💚 Lles ac iechyd meddwl (1)",
    )

    menu = next(c for row in shown.response.components for c in row["components"] if c["type"] == 3)
    picked = await world.student.select(shown.response, ["wellbeing"], custom_id=menu["custom_id"])
    assert_welsh(everything(picked), "📞 Ffoniwch 020 7946 0958", "🛡️ annibynnol ar eich ysgol feddygol")

    # A need with no local contact: never a dead end, the national lines in Welsh.
    none = await world.student.slash(general, "support", need="lgbtq")
    assert_welsh(
        everything(none),
        "Does dim cyswllt lleol ar gyfer hyn ar y gweinydd hwn eto",
        "Canolfan gynghori undeb y myfyrwyr: SU Advice Centre",
        "Samariaid",
        "GIG 111",
    )

    # The organiser chose nothing: the same look-up is in English for them.
    english = await world.organiser.slash(general, "support")
    assert english.response is not None and english.response.embeds[0].title == "🆘 Urgent help"
    assert world.env.errors == []


async def test_the_menu_sent_by_dm_answers_in_the_students_language(world: World) -> None:
    await with_contacts(world)
    await world.student.slash(world.general, "language", language="cy")
    t = await world.bot.i18n.for_member(world.guild.id, world.student.id)
    payload = await support_payload(world.bot, world.guild.id, "wellbeing", t=t)
    dm = world.student.user.dm_channel
    await world.bot.get_partial_messageable(dm.id).send(**payload)
    await world.env.settle()
    sent = world.student.user.dm_channel.history()[-1]
    assert_welsh(message_texts(sent), "Lles ac iechyd meddwl", "Gyda beth mae angen help arnoch chi?")

    menu = next(c for row in sent.components for c in row.children if hasattr(c, "options"))
    picked = await world.student.user.select(sent, ["money"], custom_id=menu.custom_id)
    assert_welsh(everything(picked), "💷 Arian", "🌐 Gwe https://su.example.ac.uk/advice")


async def test_an_organiser_keeps_the_directory_in_welsh(world: World) -> None:
    await world.admin.slash(world.general, "setup organiser-role", role=world.organiser_role)
    await open_command_to(world, "signposts", world.organiser)
    organiser, general = world.organiser, world.general
    await organiser.slash(general, "language", language="cy")

    form = await organiser.slash(general, "signposts add", independent=True)
    assert form.modal is not None and form.modal["title"] == "Ychwanegu cyswllt cymorth"
    assert_welsh(everything(form), "Sut i gysylltu", "Oriau agor", "Help brys")

    bad = {"name": "Helpline", "needs": ["wellbeing"], "reach": "phone: 0300 123", "hours": "whenever"}
    refused = await organiser.submit_modal(form, bad)
    assert_welsh(
        everything(refused),
        "**Helpline**: Nid yw `0300 123` yn rhif ffôn dilys yn y DU.",
        "Doedd dim modd i mi ddeall yr oriau agor `whenever`.",
    )

    good = {
        "name": "Chaplaincy",
        "needs": ["faith"],
        "reach": "in person: Chaplaincy Centre",
        "hours": "24/7",
    }
    form = await organiser.slash(general, "signposts add", independent=False)
    saved = await organiser.submit_modal(form, good)
    assert_welsh(
        everything(saved),
        "Wedi'i ychwanegu. Dyma sut bydd myfyrwyr yn ei weld:",
        "📍 Wyneb yn wyneb: Chaplaincy Centre",
        "Yn cael ei ddangos o dan: Ffydd a chaplaniaeth",
    )

    board = world.guild.create_text_channel("noticeboard")
    await world.env.settle()
    made = await organiser.slash(general, "signposts schedule", channel=board, repeat="every Monday")
    assert_welsh(everything(made), "Wedi amserlennu #1: y cyfeiriadur cyfan, bob dydd Llun am 09:00")
    listed = await organiser.slash(general, "signposts schedules")
    assert_welsh(everything(listed), "Negeseuon cyfeirio wedi'u hamserlennu", "nesaf:")
    assert world.env.errors == []


async def test_scheduled_posts_and_the_button_speak_the_servers_language(world: World) -> None:
    await with_contacts(world)
    general = world.general
    await world.admin.slash(general, "setup language", language="cy")
    board = world.guild.create_text_channel("noticeboard")
    welcome = world.guild.create_text_channel("welcome")
    await world.env.settle()
    await world.admin.slash(general, "signposts schedule", channel=board, repeat="every Monday")
    await world.admin.slash(general, "signposts button", channel=welcome)

    [card] = bot_posts(welcome, world.student)
    assert card.embeds[0].title == "Angen cymorth?"
    assert_welsh(message_texts(card), "Pwyswch y botwm i weld pwy sy'n gallu helpu")

    await world.env.advance_time(timedelta(days=8).total_seconds())
    [post] = bot_posts(board, world.student)
    assert post.embeds[0].title == "🆘 Help brys"
    assert_welsh(
        message_texts(post), "**Samariaid**: ffoniwch 116 123", "💚 Lles ac iechyd meddwl", "Angen cymorth?"
    )

    # Bilingual: the next post has Welsh first, then English, within Discord's limits.
    await world.admin.slash(general, "setup language", language="bilingual")
    await world.env.advance_time(timedelta(days=7).total_seconds())
    latest = bot_posts(board, world.student)[-1]
    assert latest.embeds[0].title == "🆘 Help brys / 🆘 Urgent help"
    description = latest.embeds[0].description or ""
    assert description.index("Samariaid") < description.index("Samaritans")
    assert sum(len(embed) for embed in latest.embeds) <= 6000
    labels = [c.label for row in latest.components for c in row.children]
    assert labels == ["Angen cymorth? / Need support?"]
    assert world.env.errors == []
