"""/language and /setup language end to end through SimCord: who reads what, privately."""

from __future__ import annotations

import json

from tests.conftest import World

NOTICE_CY = "Nid yw siaradwr rhugl wedi gwirio'r cyfieithiad hwn eto"


async def test_a_student_chooses_welsh_and_about_answers_in_welsh_with_the_review_notice(
    world: World,
) -> None:
    before = await world.student.slash(world.general, "language")
    assert before.ephemeral
    assert "English here" in before.response.content and "Discord app" in before.response.content

    chosen = await world.student.slash(world.general, "language", language="cy")
    assert chosen.ephemeral
    assert chosen.response.content.startswith("Wedi'i wneud. Bydd Common Room yn eich ateb yn Gymraeg")
    assert NOTICE_CY in chosen.response.content  # the catalogue is not reviewed yet, and says so

    about = await world.student.slash(world.general, "about")
    assert about.ephemeral
    embed = about.response.embeds[0]
    assert embed.description.startswith("Lle i berthyn")
    fields = {field.name: field.value for field in embed.fields}
    assert "Eich preifatrwydd" in fields
    assert NOTICE_CY in fields["Am y cyfieithiad hwn"]
    assert world.bot.version in embed.footer.text and "cod agored" in embed.footer.text

    # Only the student's own replies changed; nothing was posted for others to see.
    other = await world.organiser.slash(world.general, "about")
    assert other.response.embeds[0].fields[0].name == "Your privacy"
    assert len(other.response.embeds[0].fields) == 1  # English needs no review notice
    assert world.general.history(viewer=world.admin) == []

    back = await world.student.slash(world.general, "language", language="server")
    assert back.response.content.startswith("Done. Your own choice is removed")
    about = await world.student.slash(world.general, "about")
    assert about.response.embeds[0].fields[0].name == "Your privacy"


async def test_the_servers_language_applies_until_a_member_chooses_their_own(world: World) -> None:
    shown = await world.admin.slash(world.general, "setup language")
    assert shown.ephemeral and "no language chosen yet" in shown.response.content

    await world.student.slash(world.general, "language", language="en")
    made_welsh = await world.admin.slash(world.general, "setup language", language="cy")
    # The admin has no choice of their own, so the server's new language answers them already.
    assert made_welsh.response.content.startswith(
        "Wedi'i wneud. Mae Common Room bellach yn postio yn Gymraeg"
    )
    assert "Mae 1 aelod wedi dewis eu hiaith eu hunain" in made_welsh.response.content

    organiser = await world.organiser.slash(world.general, "about")
    assert organiser.response.embeds[0].fields[0].name == "Eich preifatrwydd"
    student = await world.student.slash(world.general, "about")
    assert student.response.embeds[0].fields[0].name == "Your privacy"  # their own choice wins
    why = await world.organiser.slash(world.general, "language")
    assert "Dyma iaith y gweinydd hwn" in why.response.content

    bilingual = await world.admin.slash(world.general, "setup language", language="bilingual")
    assert bilingual.response.content.startswith("Done. Common Room now posts in Welsh and English")
    assert (await world.bot.i18n.for_guild(world.guild.id)).bilingual


async def test_setup_language_is_for_server_admins(world: World) -> None:
    from tests.conftest import open_command_to

    await open_command_to(world, "setup", world.student)
    refused = await world.student.slash(world.general, "setup language", language="cy")
    assert refused.ephemeral and "Manage Server" in refused.response.content
    assert (await world.bot.i18n.languages.get(world.guild.id)).server is None


async def test_my_data_shows_the_language_choice_and_forget_me_erases_it(world: World) -> None:
    student = world.student
    await student.slash(world.general, "language", language="cy")

    result = await student.slash(world.general, "privacy my-data")
    [reply] = [*([result.response] if result.response else []), *result.followups]
    data = json.loads(await reply.attachments[0].read())
    assert data["features"]["Language"]["language"] == "cy"

    asked = await student.slash(world.general, "privacy forget-me")
    # The student chose Welsh, so /privacy answers in Welsh.
    erased = await student.click(asked.response.message, label="Dileu popeth amdana i")
    assert "• Iaith: eich dewis iaith: 1" in " ".join(m.content for m in erased.followups)
    assert student.id not in (await world.bot.i18n.languages.get(world.guild.id)).members
    about = await student.slash(world.general, "about")
    assert about.response.embeds[0].fields[0].name == "Your privacy"
