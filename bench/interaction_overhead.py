"""How much does Common Room add to handling an interaction, compared with a bare discord.py bot?

    python -m bench.interaction_overhead [-n 300]

Prints median and p99 handling time (receipt to first response, measured inside each bot) for
/about on a bare discord.py bot and on Common Room, in the same run, and their ratio.
"""

from __future__ import annotations

from bench._harness import about_baseline, print_table, run_cli


async def main(n: int) -> None:
    bare, ours = await about_baseline(n)
    print_table([bare, ours], baseline=bare)
    print(
        f"\nCommon Room / bare discord.py, median: {ours.median_ms / bare.median_ms:.2f}x; "
        f"p99: {ours.p99_ms / bare.p99_ms:.2f}x"
    )


if __name__ == "__main__":
    run_cli(__doc__, main, 300, "interactions per bot")
