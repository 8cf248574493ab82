"""Scheduled work for pulse checks: open each run on time, post its card, close it, retire the card.

The database says what is due (:meth:`PulseJobs.rearm` at start). Job ids: ``pulse:open:{pulse}``,
``pulse:close:{run}`` and ``pulse:card:{run}``. Every job logs and swallows its own errors: one
server's problem must never stop another's schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import discord

from bot.errors import NotFound
from bot.feature import FeatureJobs, truncate_wal_until_done
from bot.i18n import N_, Message
from bot.outbox import GONE
from bot.services.outbox import OutboxItem
from bot.services.pulse import CARD_TOPIC, CLOSED_TOPIC, PulseService, Run, RunOpened, Skipped
from cogs.pulse.render import card_embed, closed_note
from cogs.pulse.views import card_view

log = logging.getLogger(__name__)

WITHDRAWN = N_("This check-in was withdrawn by the organisers.")
# Why a run's card could not be posted (a note to the organisers' channel).
CARD_FAILED: dict[bool, Message] = {
    True: N_(
        "Run {number} of the pulse check **{title}** opened, but its channel no longer exists, so no one "
        "can answer it. Check the channel and my permissions there."
    ),
    False: N_(
        "Run {number} of the pulse check **{title}** opened, but I'm not allowed to post there, so no one "
        "can answer it. Check the channel and my permissions there."
    ),
}


def audience_size(guild: discord.Guild, channel_id: int | None) -> int | None:
    """About how many members can answer: the server, or those who can see a community's channel.

    Without the members intent the bot can't list members, so a community is counted from its
    channel's permission overwrites (members given access, and cached members of roles given access).
    """
    if channel_id is None:
        return guild.member_count
    channel = guild.get_channel(channel_id)
    if channel is None:
        return None
    if channel.permissions_for(guild.default_role).view_channel:
        return guild.member_count
    me = guild.me.id if guild.me is not None else None
    ids: set[int] = set()
    for target, overwrite in channel.overwrites.items():
        if overwrite.view_channel is not True:
            continue
        if isinstance(target, discord.Role):
            if not target.is_default():
                ids.update(m.id for m in target.members if not m.bot)
        elif target.id != me:
            ids.add(target.id)
    return len(ids)


class PulseJobs(FeatureJobs[PulseService]):
    """Opening and closing runs, and the cards that go with them."""

    topic_prefix = "pulse."

    def register_topics(self) -> None:
        """How the outbox delivers what pulse checks owe: each run's card, the note at close."""
        outbox = self.bot.outbox
        outbox.topic(CARD_TOPIC, self.render_card, after_post=self.card_posted, on_failed=self.card_failed)
        outbox.topic(CLOSED_TOPIC, self.render_closed)

    async def rearm(self) -> None:
        """At start: arm every pulse's next run and every open run's close (the outbox resumes
        any card still owed)."""
        for _guild_id, pulse_id, when in await self.service.due_pulses():
            self.arm_open(pulse_id, when)
        for run in await self.service.open_runs():
            self.arm_close(run.run_id, run.closes_at)

    def arm_open(self, pulse_id: int, when: datetime) -> None:
        self.bot.scheduler.at(
            f"pulse:open:{pulse_id}", max(when, self.bot.clock.now()), self.open_job, pulse_id
        )

    def arm_close(self, run_id: int, when: datetime) -> None:
        self.bot.scheduler.at(
            f"pulse:close:{run_id}", max(when, self.bot.clock.now()), self.close_job, run_id
        )

    def cancel(self, pulse_id: int, runs: Sequence[Run] = ()) -> None:
        """Forget the pulse's next opening (paused) and its runs' closes (deleted)."""
        self.bot.scheduler.cancel(f"pulse:open:{pulse_id}")
        for run in runs:
            self.bot.scheduler.cancel(f"pulse:close:{run.run_id}")

    async def open_job(self, pulse_id: int) -> None:
        try:
            await self.bot.wait_until_ready()
            pulse = await self.service.find(pulse_id)
            if pulse is None:
                return
            guild = self.bot.get_guild(pulse.guild_id)
            size = audience_size(guild, pulse.audience_channel_id) if guild is not None else None
            outcome = await self.service.open_run(pulse_id, audience_size=size)
            if isinstance(outcome, RunOpened):
                self.arm_close(outcome.run.run_id, outcome.run.closes_at)
                self.bot.outbox.kick()  # its card was promised with the run
                pulse = outcome.pulse
            elif isinstance(outcome, Skipped):
                pulse = outcome.pulse
            if pulse.status == "active" and pulse.next_run_at is not None:
                self.arm_open(pulse.pulse_id, pulse.next_run_at)
        except Exception:
            log.exception("Could not open a run of pulse %s", pulse_id)

    # -- what the outbox delivers --------------------------------------------------------------

    async def render_card(self, item: OutboxItem) -> dict[str, Any] | None:
        try:
            pulse, run = await self.service.get_run(int(item.payload["run_id"]))
        except NotFound:
            return None  # deleted before its card went out
        if run.status != "open" or run.message_id is not None:
            return None
        threshold = await self.service.threshold(pulse.guild_id)
        voice = await self.bot.i18n.for_guild(pulse.guild_id)  # a post: the server's voice
        return {
            "embed": card_embed(pulse, run.closes_at, threshold, voice=voice),
            "view": card_view(run.run_id, voice),
        }

    async def card_posted(self, item: OutboxItem, message_id: int) -> None:
        await self.service.set_card(int(item.payload["run_id"]), message_id)

    async def card_failed(self, item: OutboxItem, reason: str) -> None:
        try:
            pulse, run = await self.service.get_run(int(item.payload["run_id"]))
        except NotFound:
            return
        log.warning("Could not post the card of pulse run %s: %s", run.run_id, reason)
        voice = await self.bot.i18n.for_guild(pulse.guild_id)
        await self.bot.outbox.alert(
            pulse.guild_id,
            f"pulse-card:{run.run_id}",
            voice.text(
                lambda t: t(CARD_FAILED[reason == GONE], number=run.number, title=t(pulse.title)), 1900
            ),
        )

    async def render_closed(self, item: OutboxItem) -> dict[str, Any] | None:
        try:
            pulse, run = await self.service.get_run(int(item.payload["run_id"]))
        except NotFound:
            return None
        threshold = await self.service.threshold(pulse.guild_id)
        voice = await self.bot.i18n.for_guild(pulse.guild_id)
        return {"content": closed_note(pulse, run, threshold, voice)}

    async def close_job(self, run_id: int) -> None:
        try:
            run = await self.service.find_run(run_id)
            if run is None:
                return
            config = await self.bot.guild_settings.get(run.guild_id)
            closed = await self.service.close_run(run_id, notify_channel_id=config.channel("organisers"))
            if closed is None:
                return
            self.bot.outbox.kick()
            await self.truncate_job(closed.guild_id, 0)
            await self.bot.wait_until_ready()
            pulse = await self.service.find(closed.pulse_id)
            if pulse is None:
                return
            threshold = await self.service.threshold(pulse.guild_id)
            if closed.message_id is not None:
                voice = await self.bot.i18n.for_guild(pulse.guild_id)
                await self.retire_card(
                    closed.channel_id,
                    closed.message_id,
                    embed=card_embed(
                        pulse, closed.closes_at, threshold, closed_answers=closed.answers, voice=voice
                    ),
                )
        except Exception:
            log.exception("Could not close pulse run %s", run_id)

    async def truncate_job(self, guild_id: int, attempt: int) -> None:
        """Empty the write-ahead log after a close; retry with back-off if a reader blocks it."""
        await truncate_wal_until_done(
            self.bot, guild_id, f"pulse:truncate:{guild_id}", lambda: self.service.truncate_wal(), attempt
        )

    async def withdraw_cards(self, runs: list[Run]) -> None:
        """Replace the cards of a deleted pulse's open runs with a note (the server's voice)."""
        for run in runs:
            if run.status == "open" and run.message_id is not None:
                voice = await self.bot.i18n.for_guild(run.guild_id)
                await self.retire_card(run.channel_id, run.message_id, voice.text(lambda t: t(WITHDRAWN)))

    async def retire_card(
        self, channel_id: int, message_id: int, note: str | None = None, *, embed: discord.Embed | None = None
    ) -> None:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        try:
            message = channel.get_partial_message(message_id)
            kwargs: dict[str, Any] = {"view": None}
            if embed is not None:
                kwargs["embed"] = embed
            if note is not None:
                kwargs["content"] = note
                kwargs["embeds"] = []
            await message.edit(**kwargs)
        except discord.HTTPException:
            log.warning("Could not update a pulse card (message %s)", message_id)
