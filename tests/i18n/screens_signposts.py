"""The signposts feature's screens, for the pseudo-locale test (tests/i18n/test_pseudo.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.i18n import Translator
from bot.services.signposts_contacts import validate_contact
from tests.conftest import World, open_command_to, organisers_channel
from tests.i18n.screens import bot_posts, everything, message_texts, without

NIGHTLINE = {
    "name": "Nightline",
    "categories": ["wellbeing"],
    "description": "Listening by students.",
    "phone": "020 7946 0958",
    "hours": "Daily 20:00–08:00 (term time)",
}
ADVICE = {
    "name": "SU Advice Centre",
    "categories": ["money"],
    "web": "https://su.example.ac.uk/advice",
    "hours": "Mon–Fri 9am–5pm",
    "independent": False,
}
#: What organisers typed, shown as typed: not the bot's words.
TYPED = (
    "Nightline",
    "Listening by students.",
    "SU Advice Centre",
    "Helpline",
    "Chaplaincy",
    "Chaplaincy Centre",
)
# A scheduled post's own reference (bot.services.signposts), and where in an imported file a
# problem is (signposts[0], the file's own table name, then the contact's name as typed there).
CODES = re.compile(r"Ref\. S\d+-\d+|signposts\[\d+\]( \(\w+\))?|\*\*X\*\*")


def _typed(texts: list[str]) -> list[str]:
    return [CODES.sub("", text) for text in without(texts, *TYPED)]


async def with_contacts(world: World) -> Any:
    cog: Any = world.bot.get_cog("Signposts")
    for data in (NIGHTLINE, ADVICE):
        await cog.service.add(world.guild.id, validate_contact(data))
    return cog


async def signposts_student(world: World, t: Translator) -> list[str]:
    """/support with and without a need (one with no local contact), the menu, the button."""
    await with_contacts(world)
    general = world.general
    texts: list[str] = []
    first = await world.student.slash(general, "support")
    texts += everything(first)
    for need in ("wellbeing", "lgbtq", "urgent", "money"):
        texts += everything(await world.student.slash(general, "support", need=need))
    assert first.response is not None
    menu = next(c for row in first.response.components for c in row["components"] if c["type"] == 3)
    picked = await world.student.select(first.response, ["money"], custom_id=menu["custom_id"])
    texts += everything(picked)
    if picked.response is not None and picked.response.message is not None:
        texts += message_texts(picked.response.message)
    welcome = world.guild.create_text_channel("welcome")
    await world.env.settle()
    await world.admin.slash(general, "signposts button", channel=welcome)
    [post] = bot_posts(welcome, world.student)
    texts += message_texts(post)
    texts += everything(await world.student.click(post, custom_id="signposts:open"))
    return _typed(texts)


async def signposts_organiser(world: World, t: Translator) -> list[str]:
    """Forms, their refusals, export and import, the gaps, schedules, a post and a failed post."""
    organisers = await organisers_channel(world)
    await open_command_to(world, "signposts", world.organiser)
    await with_contacts(world)
    general, organiser = world.general, world.organiser
    texts: list[str] = []
    await world.student.slash(general, "support", need="lgbtq")  # a need with no local contact
    texts += everything(await organiser.slash(general, "signposts gaps"))

    form = await organiser.slash(general, "signposts add", independent=True)
    texts += everything(form)
    bad = {"name": "Helpline", "needs": ["wellbeing"], "reach": "phone: 0300 123", "hours": "whenever"}
    texts += everything(await organiser.submit_modal(form, bad))
    good = {
        "name": "Chaplaincy",
        "needs": ["faith"],
        "reach": "in person: Chaplaincy Centre",
        "hours": "24/7",
    }
    texts += everything(
        await organiser.submit_modal(await organiser.slash(general, "signposts add", independent=False), good)
    )
    texts += everything(await organiser.slash(general, "signposts edit", contact="Chaplaincy"))
    asked = await organiser.slash(general, "signposts remove", contact="Chaplaincy")
    texts += everything(asked)
    texts += everything(await organiser.submit_modal(asked, {"confirm": "nope"}))
    asked = await organiser.slash(general, "signposts remove", contact="Chaplaincy")
    texts += everything(await organiser.submit_modal(asked, {"confirm": "Chaplaincy"}))
    texts += everything(await organiser.slash(general, "signposts edit", contact="Nobody"))

    exported = await organiser.slash(general, "signposts export")
    texts += everything(exported)
    assert exported.response is not None
    data = await exported.response.attachments[0].read()
    texts += everything(await organiser.slash(general, "signposts import", file=("s.toml", data)))
    texts += everything(
        await organiser.slash(general, "signposts import", file=("s.toml", data), replace=True)
    )
    broken = b'[[signposts]]\nname = "X"\ncategories = ["wellbeing"]\nweb = "not a link"\nhours = "24/7"\n'
    texts += everything(await organiser.slash(general, "signposts import", file=("x.toml", broken)))

    board = world.guild.create_text_channel("noticeboard")
    broken_board = world.guild.create_text_channel("broken")
    await world.env.settle()
    texts += everything(await organiser.slash(general, "signposts schedules"))
    texts += everything(
        await organiser.slash(general, "signposts schedule", channel=board, repeat="every Monday")
    )
    texts += everything(
        await organiser.slash(general, "signposts schedule", channel=board, repeat="whenever")
    )
    texts += everything(
        await organiser.slash(
            general, "signposts schedule", channel=broken_board, repeat="every Tuesday", need="wellbeing"
        )
    )
    world.env.inject_error(
        "POST", f"/channels/{broken_board.id}/messages", status=403, code=50013, message="Missing Access"
    )
    await world.env.advance_time(timedelta(days=8).total_seconds())
    for post in bot_posts(board, world.admin):
        texts += message_texts(post)
    alerts = bot_posts(organisers, world.admin)
    assert alerts, "the failed post was not reported"
    for post in alerts:
        texts += message_texts(post)
    texts += everything(await organiser.slash(general, "signposts schedules"))
    schedules = await world.bot.get_cog("Signposts").service.schedules(world.guild.id)  # type: ignore[union-attr]
    texts += everything(await organiser.slash(general, "signposts unschedule", schedule=str(schedules[0].id)))
    return _typed(texts)
