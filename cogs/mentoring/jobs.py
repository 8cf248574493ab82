"""Mentoring's scheduled work and what it sends: matching rounds, introductions and the two-week
check-ins, and the notice that a pairing ended.

Everything sent on the bot's own goes through the outbox (docs/outbox.md), promised by the service
in the transaction of the change that creates it:

* ``mentoring.intro`` (key ``mentoring.intro:{match_id}``, a DM to each of the two): promised
  with the pairing when there is no introduction channel, or when a thread can't be used;
* ``mentoring.thread`` (key ``mentoring.thread:{match_id}``, a post in the pair's private
  thread): promised with the thread's id once the thread is open. Opening the thread itself is
  not a plain send and stays direct (see :meth:`MentoringJobs.introduce`);
* ``mentoring.checkin`` (key ``mentoring.checkin:{match_id}``, a DM to each, not before the
  check-in is due): promised with the pairing;
* ``mentoring.ended`` (key ``mentoring.ended:{match_id}``, a DM to the other person): promised
  with the pairing's end (rematch, leave, a "different mentor" check-in, erasure);
* ``mentoring.nudge`` (key ``mentoring.nudge:{match_id}``, a DM to the mentee, not before a week
  after their "not yet"): promised with that answer. The outbox's own wake-up (a scheduler job it
  re-arms from the database at start-up) delivers it when due; whether it is still wanted (no
  "we've met" since, the pairing still on, mentoring not paused) is decided then.

Job ids: ``mentoring:run:{guild_id}``, ``mentoring:intro:{match_id}`` (a thread still to open).
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.clock import from_timestamp
from bot.errors import UserError
from bot.feature import FeatureJobs
from bot.i18n import N_, Translator
from bot.services.mentoring import (
    CHECKIN_TOPIC,
    ENDED_TOPIC,
    INTRO_TOPIC,
    NUDGE_TOPIC,
    THREAD_TOPIC,
    MentoringService,
)
from bot.services.mentoring_model import Match
from bot.services.outbox import OutboxItem
from cogs.mentoring import render
from cogs.mentoring.views import checkin_view, nudge_view

log = logging.getLogger(__name__)

#: A partner whose name can't be found, in the introduction's sentence.
THEM = N_("them")


class MentoringJobs(FeatureJobs[MentoringService]):
    topic_prefix = "mentoring."

    # -- the outbox topics ------------------------------------------------------------------------

    def register_topics(self) -> None:
        outbox = self.bot.outbox
        outbox.topic(INTRO_TOPIC, self.render_intro, on_failed=self.dm_failed)
        outbox.topic(THREAD_TOPIC, self.render_thread_intro, on_failed=self.thread_intro_failed)
        outbox.topic(CHECKIN_TOPIC, self.render_checkin, on_failed=self.dm_failed)
        outbox.topic(ENDED_TOPIC, self.render_ended, on_failed=self.dm_failed)
        outbox.topic(NUDGE_TOPIC, self.render_nudge, on_failed=self.dm_failed)

    async def render_intro(self, item: OutboxItem) -> dict[str, Any] | None:
        m = await self.service.active_match(int(item.payload["match_id"]))
        if m is None or item.recipient_id not in (m.mentor_id, m.mentee_id):
            return None  # the pairing ended (or was erased) before it was introduced
        role = "mentor" if item.recipient_id == m.mentor_id else "mentee"
        t = await self._reader(m, item.recipient_id)
        hello, help_with = await self._notes(m)
        partner = m.mentee_id if role == "mentor" else m.mentor_id
        name = await self.bot.names.name(
            m.guild_id, partner, unknown=t(THEM), raw=True
        )  # the embed escapes it
        note = help_with if role == "mentor" else hello
        labels = await self.service.labels(m.guild_id)
        return {"embed": render.intro_embed(m, role, name, labels, note, _icebreaker(m), t)}

    async def render_thread_intro(self, item: OutboxItem) -> dict[str, Any] | None:
        m = await self.service.active_match(int(item.payload["match_id"]))
        if m is None:
            return None
        hello, help_with = await self._notes(m)
        labels = await self.service.labels(m.guild_id)
        voice = await self.bot.i18n.for_guild(m.guild_id)  # a post in a channel: the server's language
        return {
            "content": render.thread_intro(m, labels, hello, help_with, _icebreaker(m), voice),
            "allowed_mentions": discord.AllowedMentions(
                everyone=False,
                roles=False,
                users=[discord.Object(m.mentor_id), discord.Object(m.mentee_id)],
            ),
        }

    async def render_checkin(self, item: OutboxItem) -> dict[str, Any] | None:
        m = await self.service.checkin_going_out(int(item.payload["match_id"]))
        if m is None or item.recipient_id not in (m.mentor_id, m.mentee_id):
            return None  # the pairing ended before its check-in: nothing to ask
        role = "mentor" if item.recipient_id == m.mentor_id else "mentee"
        t = await self._reader(m, item.recipient_id)
        labels = await self.service.labels(m.guild_id)
        return {"embed": render.checkin_embed(m, role, labels, t), "view": checkin_view(m.id, role, t)}

    async def render_nudge(self, item: OutboxItem) -> dict[str, Any] | None:
        assert item.recipient_id is not None
        m = await self.service.nudge_due(int(item.payload["match_id"]), item.recipient_id)
        if m is None:
            return None  # they've met (or answered otherwise) since, paused, or the pairing ended
        t = await self._reader(m, item.recipient_id)
        return {"embed": render.nudge_embed(m, t), "view": nudge_view(m.id, t)}

    async def render_ended(self, item: OutboxItem) -> dict[str, Any] | None:
        m = await self.service.find_match(int(item.payload["match_id"]))
        assert item.recipient_id is not None
        t = await self.bot.i18n.for_member(item.guild_id, item.recipient_id)  # a DM: their language
        if m is not None and item.recipient_id in (m.mentor_id, m.mentee_id):
            return {"content": render.partner_ended(m, m.partner_of(item.recipient_id), t)}
        # The other person left or was erased, and the pairing with them: say so without naming them.
        return {"content": render.partner_gone(bool(item.payload.get("to_mentee")), t)}

    async def dm_failed(self, item: OutboxItem, reason: str) -> None:
        # As before: a closed DM is not an error. The check-in stays answerable in /mentor status.
        log.info("Could not deliver a mentoring message (%s): %s", item.topic, reason)

    async def thread_intro_failed(self, item: OutboxItem, reason: str) -> None:
        """The thread's introduction can't be posted: introduce the two by DM instead."""
        log.warning("Could not post a mentoring introduction in its thread (%s); using DMs", reason)
        if await self.service.intro_by_dm(int(item.payload["match_id"]), fallback=True):
            self.bot.outbox.kick()

    async def _reader(self, m: Match, member_id: int | None) -> Translator:
        """The language of a DM to ``member_id``: their own on the pairing's server (no interaction)."""
        assert member_id is not None
        return await self.bot.i18n.for_member(m.guild_id, member_id)

    async def _notes(self, m: Match) -> tuple[str, str]:
        mentor_profile = (await self.service.status(m.guild_id, m.mentor_id)).profiles.get("mentor")
        mentee_profile = (await self.service.status(m.guild_id, m.mentee_id)).profiles.get("mentee")
        hello = mentor_profile.note if mentor_profile else ""
        help_with = mentee_profile.note if mentee_profile else ""
        return hello, help_with

    # -- arming ---------------------------------------------------------------------------------

    async def rearm(self) -> None:
        for schedule in await self.service.schedules():
            self.arm_run(schedule.guild_id, schedule.next_run_at)
        soon = self.bot.clock.now()
        for pending in await self.service.pending_intros():
            self.bot.scheduler.at(f"mentoring:intro:{pending.id}", soon, self._intro_job, pending.id)

    def arm_run(self, guild_id: int, when: int | None) -> None:
        job_id = f"mentoring:run:{guild_id}"
        if when is None:
            self.bot.scheduler.cancel(job_id)
        else:
            self.bot.scheduler.at(job_id, from_timestamp(when), self._scheduled_run, guild_id)

    # -- the jobs -------------------------------------------------------------------------------

    async def _scheduled_run(self, guild_id: int) -> None:
        if not self.bot.is_ready():
            return  # due while the bot was down: on_ready re-arms it once Discord is connected
        try:
            if not await self.service.scheduled_run_due(guild_id):
                return
            config = await self.bot.guild_settings.get(guild_id)
            result = await self.service.run_matching(guild_id, scheduled_timezone=config.timezone)
            await self.after_run(result.new_matches)
        except Exception:
            log.exception("Scheduled mentoring run failed in guild %s", guild_id)
        finally:
            schedule = await self.service.schedule(guild_id)
            self.arm_run(guild_id, schedule.next_run_at)

    async def _intro_job(self, match_id: int) -> None:
        if not self.bot.is_ready():
            return  # threads need the channel cache: on_ready re-arms it
        try:
            m = await self.service.get_match(match_id)
        except UserError:
            return
        await self.introduce(m)
        self.bot.outbox.kick()

    # -- delivery -------------------------------------------------------------------------------

    async def after_run(self, matches: list[Match]) -> dict[int, str | None]:
        """Introduce each new pairing (its check-in is already owed); where each was introduced."""
        places: dict[int, str | None] = {}
        for m in matches:
            places[m.id] = await self.introduce(m)
        self.bot.outbox.kick()
        return places

    async def introduce(self, m: Match) -> str | None:
        """Introduce the pair privately, once. Returns the thread mention, "dm", or None.

        By DM, the introductions were promised with the pairing. With an introduction channel,
        the private thread is opened here, directly (opening a thread is not a plain send), and
        its introduction is then promised with the thread's id; a crash between opening the
        thread and recording it leaves that thread empty and opens another after the restart.
        """
        if m.intro_sent_at is not None:
            return "dm" if m.thread_id is None else f"<#{m.thread_id}>"
        schedule = await self.service.schedule(m.guild_id)
        if schedule.intro_channel_id is not None:
            voice = await self.bot.i18n.for_guild(m.guild_id)
            thread = await self._open_thread(
                m, schedule.intro_channel_id, voice.label(render.THREAD_NAME, 100)
            )
            if thread is not None:
                # The outbox finds a post interrupted by a crash by this marker, in the server's language
                # (a change of language in between only risks a second introduction after a crash).
                if await self.service.intro_by_thread(m.id, thread.id, render.thread_marker(voice)):
                    return thread.mention
                return None
        return "dm" if await self.service.intro_by_dm(m.id) else None

    async def _open_thread(self, m: Match, channel_id: int, name: str) -> discord.Thread | None:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return None
        try:
            # A private thread is only usable by people who can see its channel.
            for member_id in (m.mentor_id, m.mentee_id):
                member = channel.guild.get_member(member_id) or await channel.guild.fetch_member(member_id)
                if not channel.permissions_for(member).view_channel:
                    return None
            thread = await channel.create_thread(
                name=name,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=10080,
            )
            for member_id in (m.mentor_id, m.mentee_id):
                await thread.add_user(discord.Object(member_id))
        except discord.HTTPException as error:
            log.warning(
                "Could not open a private mentoring thread in channel %s (HTTP %s)", channel_id, error.status
            )
            return None
        return thread

    async def clear_introduction(self, thread_id: int) -> None:
        """Delete the bot's introduction (shared experiences, notes) from a thread and close it.

        What the two people wrote to each other stays theirs; only what the bot disclosed goes.
        """
        try:
            thread = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
            if not isinstance(thread, discord.Thread):
                return
            me = self.bot.user
            async for message in thread.history(limit=20, oldest_first=True):
                if me is not None and message.author.id == me.id:
                    await message.delete()
            await thread.edit(archived=True, locked=True)
        except discord.HTTPException as error:
            log.warning("Could not clear a mentoring introduction thread (HTTP %s)", error.status)


def _icebreaker(m: Match) -> str:
    return render.ICEBREAKERS[m.id % len(render.ICEBREAKERS)]
