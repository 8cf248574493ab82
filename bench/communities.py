"""Communities under load: 200 students join, then leave, an identity and an interest community.

    python -m bench.communities [-n 200]

Handling time is measured inside the bot (receipt to first response), per interaction, beside
the /about baseline of the same run. The identity community's channel grows to ``n`` member
overwrites (past Discord's 100-per-request limit), which joins must not notice: each join or
leave sends one overwrite, never the whole list.
"""

from __future__ import annotations

from bench._harness import Row, Stage, about_baseline, print_table, run_cli, run_common_room


def _new(samples: list[float], before: int) -> list[float]:
    return samples[before:]


async def measure(n: int) -> list[Row]:
    rows: dict[str, list[float]] = {}

    async def scenario(stage: Stage) -> None:
        bot = stage.env.bot
        timings = bot.timings  # type: ignore[attr-defined]
        for name, kind in (("Bench Identity", "identity"), ("Bench Interest", "interest")):
            await stage.admin.slash(
                stage.channel, "community create", name=name, kind=kind, description="Benchmark community."
            )
        for name, kind in (("Bench Identity", "identity"), ("Bench Interest", "interest")):
            for command in ("join", "leave"):
                before = len(timings.samples(f"/community {command}"))
                for student in stage.students:
                    await student.slash(stage.channel, f"community {command}", name=name)
                rows[f"/community {command}, {kind}"] = _new(timings.samples(f"/community {command}"), before)

    await run_common_room(scenario, students=n)
    return [Row.of(label, samples) for label, samples in rows.items()]


async def main(n: int) -> None:
    bare, ours = await about_baseline(n)
    community_rows = await measure(n)
    print_table([bare, ours, *community_rows], baseline=ours)
    print(f"\n{n} students each joined and then left; ratios are against /about on Common Room.")


if __name__ == "__main__":
    run_cli(__doc__, main, 200, "students joining and leaving")
