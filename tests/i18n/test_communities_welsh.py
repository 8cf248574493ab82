"""/community in Welsh end to end through SimCord: a student's private flow, an organiser's, and
the panel and health alerts in the server's language."""

from __future__ import annotations

from tests.conftest import World, organisers_channel
from tests.i18n.screens import bot_posts, everything, message_texts

#: English sentences of the feature that must not reach a reader who chose Cymraeg.
ENGLISH = (
    "Welcome to",
    "Its channel is",
    "You've left",
    "Your communities",
    "Leave any with",
    "Join with",
    "Only you see",
    "Created",
    "Archived",
    "Restored",
    "Privacy",
    "You're a member",
    "I couldn't find",
    "has been archived",
    "Health:",
    "its channel was deleted",
)


def assert_welsh(texts: list[str], *phrases: str) -> None:
    joined = "\n".join(texts)
    for phrase in phrases:
        assert phrase in joined, (phrase, joined)
    assert [english for english in ENGLISH if english in joined] == [], joined


async def test_a_student_who_chose_welsh_joins_and_leaves_a_community_in_welsh(world: World) -> None:
    await organisers_channel(world)
    general = world.general
    await world.organiser.slash(
        general, "community create", name="Black Medics", kind="identity", description="Black students."
    )
    await world.student.slash(general, "language", language="cy")

    listing = await world.student.slash(general, "community list")
    assert listing.ephemeral
    assert_welsh(
        everything(listing), "Cymunedau", "hunaniaeth", "Llai na 5 aelod", "Ymunwch gyda /community join"
    )

    joined = await world.student.slash(general, "community join", name="Black Medics")
    assert joined.ephemeral
    assert_welsh(everything(joined), "Croeso i **Black Medics**!", "Nid yw hyn yn ymddangos ar eich proffil")

    mine = await world.student.slash(general, "community mine")
    assert_welsh(everything(mine), "Eich cymunedau (dim ond chi sy'n gallu gweld hyn)")

    left = await world.student.slash(general, "community leave", name="Black Medics")
    assert_welsh(everything(left), "Rydych chi wedi gadael **Black Medics**. Chafodd neb wybod.")

    missing = await world.student.slash(general, "community join", name="Chess")
    assert missing.ephemeral
    assert_welsh(everything(missing), "Wnes i ddim dod o hyd i gymuned o'r enw `Chess`")

    # The organiser chose nothing: the same commands answer them in English.
    english = await world.organiser.slash(general, "community mine")
    assert "You haven't joined any communities yet" in everything(english)[0]
    assert world.env.errors == []


async def test_a_panel_card_in_welsh_and_its_join_button(world: World) -> None:
    await organisers_channel(world)
    general = world.general
    await world.admin.slash(general, "setup language", language="cy")  # posts in Welsh
    lobby = world.guild.create_text_channel("lobby")
    await world.env.settle()
    await world.organiser.slash(
        general, "community create", name="Care Leavers", kind="identity", description="Grew up in care."
    )
    await world.organiser.slash(general, "community panel", channel=lobby)
    [panel] = bot_posts(lobby, world.student)
    assert panel.embeds[0].title == "Cymunedau"
    assert_welsh(
        message_texts(panel), "Dewch o hyd i bobl", "Dewiswch gymuned…", "Hunaniaeth · Grew up in care."
    )

    community = await world.bot.get_cog("Communities").service.find(world.guild.id, "Care Leavers")  # type: ignore[union-attr]
    card = await world.student.select(panel, [str(community.id)], custom_id="community:panel:0")
    assert card.ephemeral and card.response is not None
    assert_welsh(everything(card), "Preifatrwydd", "Cymuned hunaniaeth", "Dydych chi ddim yn aelod.", "Ymuno")
    joined = await world.student.click(card.response, label="Ymuno")
    assert_welsh(everything(joined), "Croeso i **Care Leavers**!", "Rydych chi'n aelod.", "Gadael")
    assert world.env.errors == []


async def test_an_organiser_runs_communities_in_welsh(world: World) -> None:
    organisers = await organisers_channel(world)
    general = world.general
    await world.admin.slash(general, "setup language", language="cy")  # the server, so alerts too
    organiser = world.organiser

    created = await organiser.slash(
        general, "community create", name="Running Club", kind="interest", description="5k on Sundays."
    )
    assert_welsh(everything(created), "Wedi creu **Running Club** (diddordeb)", "Gall myfyrwyr ymuno")

    listing = await organiser.slash(general, "community list")
    assert_welsh(everything(listing), "Iechyd: ✅ popeth yn iawn", "diddordeb")

    archived = await organiser.slash(general, "community archive", name="Running Club")
    assert_welsh(everything(archived), "Wedi archifo **Running Club**", "trefnwyr a gweinyddwyr y gweinydd")
    restored = await organiser.slash(general, "community restore", name="Running Club")
    assert_welsh(everything(restored), "Wedi adfer **Running Club**", "ar agor i aelodau eto")

    form = await organiser.slash(general, "community edit", name="Running Club")
    assert_welsh(everything(form), "Golygu Running Club", "Disgrifiad", "Nodyn croeso, yn breifat (dewisol)")

    refused = await organiser.slash(general, "community create", name="x", kind="interest", description="y")
    assert_welsh(everything(refused), "Mae angen rhwng 2 a 50 nod yn enw cymuned")

    community = await world.bot.get_cog("Communities").service.find(world.guild.id, "Running Club")  # type: ignore[union-attr]
    assert community.channel_id is not None
    world.env.backend.delete_channel(community.channel_id)  # someone deletes it by hand
    await world.env.settle()
    [alert] = bot_posts(organisers, world.organiser)
    assert alert.embeds[0].title == "⚠️ Iechyd y cymunedau"
    assert_welsh(message_texts(alert), "mae ei sianel wedi'i dileu")
    assert world.env.errors == []
