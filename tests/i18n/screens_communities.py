"""The communities feature's screens, for the pseudo-locale test (tests/i18n/test_pseudo.py)."""

from __future__ import annotations

from bot.i18n import Translator
from tests.conftest import World, organisers_channel
from tests.i18n.screens import bot_posts, everything, message_texts, without

IDENTITY = ("Black Medics", "Black students.", "Welcome, friend.")
INTEREST = ("Running Club", "Five k on Sundays.")


async def communities_student(world: World, t: Translator) -> list[str]:
    """A student: the list, a panel card, joining and leaving, their own list, a name not found."""
    await organisers_channel(world)
    w, general = world, world.general
    await w.organiser.slash(
        general,
        "community create",
        name=IDENTITY[0],
        kind="identity",
        description=IDENTITY[1],
        welcome_note=IDENTITY[2],
    )
    await w.organiser.slash(
        general, "community create", name=INTEREST[0], kind="interest", description=INTEREST[1]
    )
    lobby = w.guild.create_text_channel("lobby")
    await w.env.settle()
    await w.organiser.slash(general, "community panel", channel=lobby)
    [panel] = bot_posts(lobby, w.student)
    texts: list[str] = []
    for command, options in [
        ("community list", {}),
        ("community mine", {}),
        ("community join", {"name": IDENTITY[0]}),
        ("community join", {"name": IDENTITY[0]}),
        ("community join", {"name": INTEREST[0]}),
        ("community mine", {}),
        ("community leave", {"name": IDENTITY[0]}),
        ("community leave", {"name": IDENTITY[0]}),
        ("community join", {"name": "Nowhere"}),
    ]:
        texts += everything(await w.student.slash(general, command, **options))
    community = await w.bot.get_cog("Communities").service.find(w.guild.id, IDENTITY[0])  # type: ignore[union-attr]
    card = await w.student.select(panel, [str(community.id)], custom_id="community:panel:0")
    texts += everything(card)
    assert card.response is not None
    joined = await w.student.click(card.response, custom_id=f"community:join:{community.id}")
    texts += everything(joined)
    return without(texts, *IDENTITY, *INTEREST, "Nowhere")


async def communities_organiser(world: World, t: Translator) -> list[str]:
    """An organiser: create (both kinds), the panel, the list with health, edit, archive, restore,
    and a health alert in the organisers' channel."""
    organisers = await organisers_channel(world)
    w, general = world, world.general
    texts: list[str] = []
    lobby = w.guild.create_text_channel("lobby")
    await w.env.settle()
    texts += everything(await w.organiser.slash(general, "community panel", channel=lobby))  # empty panel
    texts += everything(
        await w.organiser.slash(
            general, "community create", name=IDENTITY[0], kind="identity", description=IDENTITY[1]
        )
    )
    texts += everything(
        await w.organiser.slash(
            general, "community create", name=INTEREST[0], kind="interest", description=INTEREST[1]
        )
    )
    for post in bot_posts(lobby, w.organiser):
        texts += message_texts(post)
    texts += everything(await w.organiser.slash(general, "community list"))
    texts += everything(await w.organiser.slash(general, "community edit", name=INTEREST[0]))
    texts += everything(await w.organiser.slash(general, "community archive", name=INTEREST[0]))
    texts += everything(await w.organiser.slash(general, "community archive", name=INTEREST[0]))
    texts += everything(await w.organiser.slash(general, "community restore", name=INTEREST[0]))
    texts += everything(await w.organiser.slash(general, "community archive", name=IDENTITY[0]))
    texts += everything(await w.organiser.slash(general, "community restore", name=IDENTITY[0]))
    community = await w.bot.get_cog("Communities").service.find(w.guild.id, IDENTITY[0])  # type: ignore[union-attr]
    assert community.channel_id is not None
    w.env.backend.delete_channel(community.channel_id)  # an admin deletes it by hand
    await w.env.settle()
    for post in bot_posts(organisers, w.organiser):
        texts += message_texts(post)
    texts += everything(await w.organiser.slash(general, "community list"))
    texts += everything(await w.organiser.slash(general, "community restore", name=IDENTITY[0]))
    texts += everything(
        await w.organiser.slash(general, "community create", name="x", kind="interest", description="y")
    )
    return without(texts, *IDENTITY, *INTEREST, "black-medics", "running-club")
