"""/privacy in Welsh, end to end through SimCord: the notice, a copy of your data, erasing it."""

from __future__ import annotations

import json

from tests.conftest import World
from tests.i18n.helpers import controls


async def test_a_student_reads_the_notice_downloads_and_erases_their_data_in_welsh(world: World) -> None:
    student = world.student
    await student.slash(world.general, "language", language="cy")

    notice = await student.slash(world.general, "privacy notice")
    assert notice.ephemeral
    embed = notice.response.embeds[0]
    assert embed.title == "Eich preifatrwydd yn Common Room"
    assert embed.description.startswith("Mae'r hysbysiad llawn ynghlwm. Yn fyr:")
    assert "In short" not in embed.description
    text = (await notice.response.attachments[0].read()).decode()
    assert text.startswith("# Hysbysiad preifatrwydd Common Room")
    assert "### Iaith" in text and "Pam: i'ch ateb ynddi." in text
    assert "Swyddfa'r Comisiynydd Gwybodaeth (ico.org.uk/make-a-complaint, 0303 123 1113)" in text
    assert "What is stored about you" not in text and "Why:" not in text

    mine = await student.slash(world.general, "privacy my-data")
    [reply] = [*([mine.response] if mine.response else []), *mine.followups]
    assert reply.content == "Dyma bopeth y mae Common Room yn ei gadw amdanoch chi."
    data = json.loads(await reply.attachments[0].read())
    assert data["about"].startswith("Popeth y mae Common Room")
    assert data["features"]["Language"]["language"] == "cy"  # the data itself is data: keys stay

    asked = await student.slash(world.general, "privacy forget-me")
    assert asked.response.content.startswith("Mae hyn yn dileu popeth")
    assert controls(asked.response.message) == ["Dileu popeth amdana i", "Canslo"]
    erased = await student.click(asked.response.message, label="Dileu popeth amdana i")
    summary = " ".join(m.content for m in erased.followups)
    assert summary.startswith("Wedi'i wneud. Rydw i wedi dileu popeth sy'n gysylltiedig â chi:")
    assert "• Iaith: eich dewis iaith: 1" in summary  # every part of the summary in Welsh
    # The choice is erased, so what comes next is in the server's language again (English).
    again = await student.slash(world.general, "privacy forget-me")
    cancelled = await student.click(again.response.message, label="Cancel")
    assert cancelled.response.content == "Cancelled. Nothing was erased."
    assert world.env.errors == []
