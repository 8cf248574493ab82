"""/support under load: students open the directory, choose a need, press "Need support?".

    python -m bench.signposts [-n 100]

Two directories: the contacts seeded from config.example.toml, and a full one (100 contacts,
every field at its longest) so the cost of drawing the cards within Discord's limits shows.
Handling time is measured inside the bot (receipt to first response), beside the /about
baseline of the same run.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bench._harness import Row, Stage, about_baseline, print_table, run_cli, run_common_room
from bot.services.signposts import MAX_CONTACTS, dump_toml
from bot.services.signposts_contacts import CATEGORIES, validate_contact

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def _long_contact(index: int) -> dict[str, Any]:
    return {
        "name": f"Local service {index:03d} " + "N" * 60,
        "categories": list(CATEGORIES)[1:],
        "description": "D" * 250,
        "phone": "0300 123 3393",
        "email": "e" * 100 + "@example.ac.uk",
        "web": "https://example.ac.uk/" + "w" * 170,
        "in_person": "P" * 150,
        "hours": "Mon–Fri 09:00–17:00; Sat 10:00–14:00 (term time)",
        "independent": index % 2 == 0,
    }


async def measure(n: int, *, full: bool) -> list[Row]:
    label = "full directory" if full else "seeded directory"
    rows: dict[str, list[float]] = {}

    async def scenario(stage: Stage) -> None:
        bot: Any = stage.env.bot
        cog = bot.get_cog("Signposts")
        seeds = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))["signposts"]
        await cog.service.import_toml(
            stage.guild.id, dump_toml([validate_contact(s) for s in seeds]), replace=True
        )
        if full:
            existing = len(await cog.service.contacts(stage.guild.id))
            for index in range(MAX_CONTACTS - existing):
                await cog.service.add(stage.guild.id, validate_contact(_long_contact(index)))
        await stage.admin.slash(stage.channel, "signposts button", channel=stage.channel)
        button = stage.channel.last_message
        for student in stage.students:
            shown = await student.slash(stage.channel, "support")
            menu = next(
                c for row in shown.response.components for c in row["components"] if c.get("type") == 3
            )
            await student.select(shown.response, ["wellbeing"], custom_id=menu["custom_id"])
            await student.click(button, label="Need support?")
        for key in ("/support", "component:signposts:need", "component:signposts:open"):
            rows[f"{key}, {label}"] = bot.timings.samples(key)

    await run_common_room(scenario, students=n)
    return [Row.of(name, samples) for name, samples in rows.items()]


async def main(n: int) -> None:
    bare, ours = await about_baseline(n)
    seeded = await measure(n, full=False)
    full = await measure(n, full=True)
    print_table([bare, ours, *seeded, *full], baseline=ours)
    print(f"\n{n} students each ran /support, chose a need and pressed the button; ratios against /about.")


if __name__ == "__main__":
    run_cli(__doc__, main, 100, "students")
