"""Anonymous reports: /report for any member, /cases for organisers.

Discord glue only; the rules live in :mod:`bot.services.reports`. What this module adds:

* the reporter never appears anywhere: the case is posted to the staff channel by the bot with
  no author, mention, avatar or timestamp field (Discord stamps the bot's own message, which
  says when the bot posted, not who reported);
* a case is never posted in a channel @everyone can read (it stays in ``/cases`` instead);
* the rate limit lives in this cog's memory only;
* retention jobs are re-armed from the database when the cog loads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import discord_time
from bot.core import ORGANISER, CommonRoomBot
from bot.errors import UserError
from bot.services.reports import (
    BODY_MAX,
    CHARACTERISTICS,
    MESSAGE_MAX,
    OUTCOME_MAX,
    RETENTION_MAX,
    RETENTION_MIN,
    SETTINGS,
    URL_MAX,
    WHEN_MAX,
    WISHES,
    Case,
    CaseThread,
    ReportRateLimiter,
    ReportService,
    ReportSettings,
    wait_words,
)
from bot.ui import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    MESSAGE_LIMIT,
    clip,
    report_unexpected,
    report_user_error,
    send_private,
)

log = logging.getLogger(__name__)

REPORTS_PER_HOUR = 3
COLOUR = discord.Colour.dark_teal()
MAX_EMBEDS = 10
MAX_PAGES = 5
CRISIS_LINES = (
    "**If anyone's life is at risk, call 999 now.**\n"
    "Samaritans: call 116 123, any time, free.\n"
    "Shout: text SHOUT to 85258, any time, free.\n"
    "NHS 111: urgent health advice, any time."
)


def months_words(months: int) -> str:
    return "1 month" if months == 1 else f"{months} months"


def explanation(settings: ReportSettings) -> discord.Embed:
    retention = months_words(settings.retention_months)
    embed = discord.Embed(title="Before you report: what anonymous means here", colour=COLOUR)
    embed.description = (
        "• Your report goes to the welfare team **without your name, username or picture**: they see "
        "what you write and your choices. Common Room stores the day, never the time (their channel "
        "does show when the bot posted it).\n"
        "• Common Room keeps **no record of who reported**. Nobody running it can find out from the "
        "bot, not even the server's admins.\n"
        "• If you'd like a reply, you'll get a **private code**. With it you can read replies and "
        "answer, using `/report check`. Keep it safe: it's the only way the team can reach you.\n"
        "• What you write can still give you away (names, places, exact dates). Share what you're "
        "comfortable sharing.\n"
        f"• Your case is deleted **{retention} after it's closed**.\n"
        f"• You can send up to {REPORTS_PER_HOUR} reports an hour."
    )
    embed.add_field(
        name="The limit of anonymity",
        value=(
            "Because the bot can't identify you, **it can't check on you**. If your life or someone "
            "else's is at risk, **call 999** now. For support any time: Samaritans 116 123, or text "
            "SHOUT to 85258. `/support` lists more help."
        ),
        inline=False,
    )
    if settings.reporting_url:
        embed.add_field(
            name="The university's official route",
            value=(
                f"You can also report through the university's own page: {settings.reporting_url}\n"
                "That route may ask who you are; this one never does."
            ),
            inline=False,
        )
    return embed


def case_embed(case: Case, *, for_staff: bool, title: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=title or f"Case {case.number}",
        description=clip(case.body, EMBED_DESCRIPTION_LIMIT),
        colour=COLOUR if case.is_open else discord.Colour.light_grey(),
    )
    embed.add_field(name="Where", value=case.setting_label, inline=True)
    if case.happened_when:
        embed.add_field(name="Roughly when", value=case.happened_when, inline=True)
    if case.characteristic_label:
        embed.add_field(name="Protected characteristic", value=case.characteristic_label, inline=True)
    if for_staff:
        wish = (
            f"A reply: use `/cases reply case:{case.number}`"
            if case.wants_reply
            else "Just to record it (they have no code, so a reply can't reach them)"
        )
        embed.add_field(name="The reporter would like", value=wish, inline=False)
    embed.add_field(name="Reported on", value=case.reported_on, inline=True)
    embed.add_field(name="Status", value="Open" if case.is_open else "Closed", inline=True)
    if not case.is_open and case.outcome:
        embed.add_field(name="Outcome", value=clip(case.outcome, 1024), inline=False)
    if for_staff:
        embed.set_footer(
            text="Anonymous: Common Room keeps nothing that says who reported. Please handle with care."
        )
    return embed


def thread_pages(thread: CaseThread, *, for_staff: bool) -> list[list[discord.Embed]]:
    """The case and its conversation, oldest first, split into messages Discord accepts.

    Very long conversations keep the case and the latest messages, saying how many were left out.
    """
    head = case_embed(thread.case, for_staff=for_staff)
    if thread.case.delete_at is not None:
        head.add_field(name="Deleted on", value=discord_time(thread.case.delete_at, "D"), inline=True)
    if not thread.messages:
        head.add_field(name="Messages", value="No messages yet.", inline=False)
    names = {"staff": "The welfare team", "reporter": "The reporter" if for_staff else "You"}
    pages: list[list[discord.Embed]] = []
    current, size = [head], len(head) + 100  # room for a footer note on the head
    for message in thread.messages:
        embed = discord.Embed(
            title=f"{names.get(message.author, message.author)} · {message.written_on}",
            description=clip(message.body, EMBED_DESCRIPTION_LIMIT),
            colour=discord.Colour.blurple() if message.author == "staff" else discord.Colour.light_grey(),
        )
        if len(current) >= MAX_EMBEDS or size + len(embed) > EMBED_TOTAL_LIMIT:
            pages.append(current)
            current, size = [], 0
        current.append(embed)
        size += len(embed)
    pages.append(current)
    if len(pages) > MAX_PAGES:
        kept = pages[-(MAX_PAGES - 1) :]
        hidden = sum(len(page) for page in pages[1 : len(pages) - len(kept)]) + len(pages[0]) - 1
        note = f"{hidden} earlier message(s) not shown here."
        head.set_footer(text=f"{head.footer.text} {note}" if head.footer.text else note)
        pages = [[head], *kept]
    return pages


async def send_pages(
    interaction: discord.Interaction[Any],
    pages: list[list[discord.Embed]],
    note: str | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """Send the pages privately; the note and the view go with the last one."""
    for index, page in enumerate(pages):
        last = index == len(pages) - 1
        await send_private(
            interaction,
            note if last else None,
            embeds=page,
            view=view if last and view is not None else discord.utils.MISSING,
        )


def guarded(
    callback: Callable[[discord.Interaction[Any]], Awaitable[None]],
) -> Callable[[discord.Interaction[Any]], Awaitable[None]]:
    """A UserError in a dynamic item's callback becomes a private reply, like everywhere else."""

    async def run(interaction: discord.Interaction[Any]) -> None:
        try:
            await callback(interaction)
        except UserError as error:
            await report_user_error(interaction, error)

    return run


def _cog(interaction: discord.Interaction[Any]) -> Reports:
    cog = interaction.client.get_cog("Reports")
    if not isinstance(cog, Reports):
        raise UserError("Reports aren't available right now. Please try again in a minute.")
    return cog


# -- the forms ---------------------------------------------------------------------------
#
# Both forms are stateless: the modal objects only draw the form and are never kept in memory
# (they are stopped before being sent), and submissions are read from the interaction by the
# cog's listener. So a form opened before the bot restarts still works when it is sent, and
# nothing a student wrote is lost to a restart.

REPORT_FORM_ID = "report:form"
CODE_FORM_ID = "report:code-form"
ANSWER_FORM = re.compile(r"report:answer-form:(?P<case_id>\d{1,19}):(?P<tag>\d{1,40})")


class ReportForm(discord.ui.Modal):
    """The report form: what, where, roughly when, characteristic, and what they'd like."""

    def __init__(self) -> None:
        super().__init__(title="Report what happened", custom_id=REPORT_FORM_ID)
        what = discord.ui.TextInput[Any](
            custom_id="report:what",
            style=discord.TextStyle.paragraph,
            max_length=BODY_MAX,
            required=True,
            placeholder="What happened, in your own words. Leave out anything that could identify you.",
        )
        where = discord.ui.Select[Any](
            custom_id="report:where",
            placeholder="Choose one",
            options=[discord.SelectOption(label=label, value=value) for value, label in SETTINGS.items()],
            required=True,
        )
        when = discord.ui.TextInput[Any](
            custom_id="report:when",
            style=discord.TextStyle.short,
            max_length=WHEN_MAX,
            required=False,
            placeholder="For example: last week, in October, during my first placement",
        )
        characteristic = discord.ui.Select[Any](
            custom_id="report:characteristic",
            placeholder="Optional: choose one, or leave empty",
            options=[
                discord.SelectOption(label=label, value=value) for value, label in CHARACTERISTICS.items()
            ],
            required=False,
            min_values=0,
            max_values=1,
        )
        wish = discord.ui.Select[Any](
            custom_id="report:wish",
            placeholder="Choose one",
            options=[discord.SelectOption(label=label, value=value) for value, label in WISHES.items()],
            required=True,
        )
        self.add_item(discord.ui.Label(text="What happened?", component=what))
        self.add_item(discord.ui.Label(text="Where did it happen?", component=where))
        self.add_item(discord.ui.Label(text="Roughly when? (optional)", component=when))
        self.add_item(
            discord.ui.Label(
                text="Protected characteristic? (optional)",
                description="Was it about age, disability, race, religion, sex, sexuality, or similar?",
                component=characteristic,
            )
        )
        self.add_item(discord.ui.Label(text="What would you like?", component=wish))


class AnswerForm(discord.ui.Modal):
    """The reporter's message on their case; the custom id carries the case and its tag."""

    def __init__(self, case_id: int, tag: str) -> None:
        super().__init__(title="Write to the welfare team", custom_id=f"report:answer-form:{case_id}:{tag}")
        text = discord.ui.TextInput[Any](
            custom_id="report:answer-text",
            style=discord.TextStyle.paragraph,
            max_length=MESSAGE_MAX,
            required=True,
            placeholder="Your message. It's added to your case without your name.",
        )
        self.add_item(discord.ui.Label(text="Your message", component=text))


class CodeForm(discord.ui.Modal):
    """Asks for the code, for members who'd rather not type it into a command."""

    def __init__(self) -> None:
        super().__init__(title="Open your case", custom_id=CODE_FORM_ID)
        code = discord.ui.TextInput[Any](
            custom_id="report:code",
            style=discord.TextStyle.short,
            max_length=100,
            required=True,
            placeholder="ABCD-EFGH-…",
        )
        self.add_item(
            discord.ui.Label(
                text="Your private code",
                description="The code you were given when you reported",
                component=code,
            )
        )


def unstored_view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view of dynamic items and links: Discord-side only, never kept in the bot's memory.

    Its buttons are dispatched by their custom ids (``bot.add_dynamic_items``), so keeping one
    view object per private message would only leak memory.
    """
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    view.stop()
    return view


async def show_form(interaction: discord.Interaction[Any], form: discord.ui.Modal) -> None:
    form.stop()  # never stored: the cog's listener reads the submission (see above)
    await interaction.response.send_modal(form)


def modal_values(data: Any) -> dict[str, Any]:
    """Every text input's value and select's values in a modal submission, by custom id."""
    found: dict[str, Any] = {}

    def visit(component: Any) -> None:
        if not isinstance(component, dict):
            return
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if "value" in component:
                found[custom_id] = component["value"]
            elif "values" in component:
                found[custom_id] = list(component["values"])
        for child in component.get("components") or []:
            visit(child)
        visit(component.get("component"))

    for component in (data or {}).get("components") or []:
        visit(component)
    return found


async def give_back(interaction: discord.Interaction[Any], why: str, body: str) -> None:
    """Refuse a report privately and hand the student's words back, whole, so nothing is lost."""
    await send_private(interaction, f"{why}\n\nHere is what you wrote, to keep:")
    text = body.strip()
    chunk = MESSAGE_LIMIT - 10
    for start in range(0, len(text), chunk):
        await send_private(interaction, ">>> " + text[start : start + chunk])


def _first(values: Any) -> str | None:
    return str(values[0]) if isinstance(values, list) and values else None


class BeginReport(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"report:begin"):
    """The "Continue" button under the explanation; works after a restart too."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Continue to the form", style=discord.ButtonStyle.primary, custom_id="report:begin"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BeginReport:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(self._open)(interaction)

    async def _open(self, interaction: discord.Interaction[Any]) -> None:
        _cog(interaction).check_rate(interaction)
        await show_form(interaction, ReportForm())


class ReportSupport(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"report:support"):
    """Other routes and support (the signpost directory's discrimination contacts), privately."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Other ways to report, and support",
                style=discord.ButtonStyle.secondary,
                custom_id="report:support",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReportSupport:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(self._show)(interaction)

    async def _show(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        await send_private(interaction, **await _cog(interaction).support(interaction.guild_id))


class AnswerCase(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"report:answer:(?P<case_id>\d{1,19}):(?P<tag>\d{1,40})",
):
    """The "Write a message" button shown with a case opened by its code.

    Its custom id carries the case and a keyed tag that only opening the case with its code
    produces; nothing in it says which member holds the code.
    """

    def __init__(self, case_id: int, tag: str) -> None:
        self.case_id = case_id
        self.tag = tag
        super().__init__(
            discord.ui.Button(
                label="Write a message",
                style=discord.ButtonStyle.primary,
                custom_id=f"report:answer:{case_id}:{tag}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerCase:
        return cls(int(match["case_id"]), match["tag"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await show_form(interaction, AnswerForm(self.case_id, self.tag))


# -- the cog -----------------------------------------------------------------------------


class Reports(commands.Cog):
    report = app_commands.Group(name="report", description="Tell the welfare team what happened, anonymously")
    cases = app_commands.Group(
        name="cases",
        description="Anonymous report cases (organisers)",
        default_permissions=discord.Permissions(manage_guild=True),
        extras=ORGANISER,
    )

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = ReportService(bot.db, bot.clock, bot.secret_key)
        self.rate = ReportRateLimiter(bot.clock, bot.secret_key, limit=REPORTS_PER_HOUR, window=3600.0)

    async def cog_load(self) -> None:
        for case_id, when in await self.service.due_deletions():
            self._arm(case_id, when)

    def _arm(self, case_id: int, when: datetime) -> None:
        # A deletion already overdue (the bot was off) runs now rather than being skipped.
        self.bot.scheduler.at(
            f"reports:purge:{case_id}", max(when, self.bot.clock.now()), self.purge, case_id
        )

    async def purge(self, case_id: int) -> None:
        """Retention: delete the bot's staff-channel posts about a case, then the case itself."""
        if not await self.service.is_due(case_id):
            return
        for channel_id, message_id in await self.service.posts_for(case_id):
            await self._delete_post(channel_id, message_id)
        purged = await self.service.purge(case_id)
        if purged is not None:
            log.info(
                "Deleted case %s of guild %s at the end of its retention", purged.number, purged.guild_id
            )

    async def _delete_post(self, channel_id: int, message_id: int) -> None:
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return
        try:
            await channel.get_partial_message(message_id).delete()
        except discord.NotFound:
            pass
        except discord.HTTPException as error:
            log.warning("Could not delete a report post in channel %s (HTTP %s)", channel_id, error.status)

    # -- privacy (found by the /privacy cog) --------------------------------------------

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        """Always empty: reports are not linked to members (see bot.services.reports)."""
        return await self.service.export_member(member_id)

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        """Nothing to erase: no report can be matched to a member (see bot.services.reports)."""
        return await self.service.forget_member(member_id)

    # -- helpers --------------------------------------------------------------------

    def check_rate(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        wait = self.rate.retry_after(interaction.guild_id, interaction.user.id)
        if wait > 0:
            raise UserError(self._rate_message(wait))

    def _rate_message(self, wait: float) -> str:
        return (
            f"You've sent {REPORTS_PER_HOUR} reports in the last hour, which is the most this server "
            f"takes from one person in an hour. You can report again in {wait_words(wait)}. "
            "If anyone's life is at risk, call 999 now; Samaritans are on 116 123 any time."
        )

    def staff_channel(self, guild: discord.Guild, channels: dict[str, int]) -> discord.TextChannel | None:
        """The reports channel (or the organisers' one), only if @everyone can't read it."""
        for purpose in ("reports", "organisers"):
            channel_id = channels.get(purpose)
            channel = guild.get_channel(channel_id) if channel_id else None
            if not isinstance(channel, discord.TextChannel):
                continue
            if channel.permissions_for(guild.default_role).view_channel:
                log.warning(
                    "Not posting a report in channel %s: everyone on the server can read it", channel.id
                )
                return None
            return channel
        return None

    async def post_to_staff(self, guild: discord.Guild, case_id: int, **kwargs: Any) -> bool:
        config = await self.bot.guild_settings.get(guild.id)
        channel = self.staff_channel(guild, config.channels)
        if channel is None:
            return False
        try:
            message = await channel.send(allowed_mentions=discord.AllowedMentions.none(), **kwargs)
        except discord.HTTPException as error:
            log.warning("Could not post a report update in channel %s (HTTP %s)", channel.id, error.status)
            return False
        if not await self.service.add_post(case_id, channel.id, message.id):
            await self._delete_post(channel.id, message.id)  # the case was deleted meanwhile
            return False
        return True

    async def support(self, guild_id: int) -> dict[str, Any]:
        """Support to show after reporting: the signpost directory's, or the national lines."""
        signposts = self.bot.get_cog("Signposts")
        if signposts is not None and hasattr(signposts, "support_payload"):
            try:
                payload: dict[str, Any] = await signposts.support_payload(guild_id, "discrimination")
            except Exception:  # another feature's failure must not hide a saved report's receipt
                log.exception("Signposts could not give a support payload")
            else:
                embeds = [e for e in payload.get("embeds", []) if isinstance(e, discord.Embed)]
                if embeds:
                    kept: dict[str, Any] = {"embeds": embeds[:MAX_EMBEDS]}
                    if isinstance(payload.get("view"), discord.ui.View):
                        kept["view"] = payload["view"]
                    return kept
        return {"embeds": [discord.Embed(title="Support, any time", description=CRISIS_LINES, colour=COLOUR)]}

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Submissions of the two forms (stateless, so they survive a restart)."""
        if interaction.type is not discord.InteractionType.modal_submit or interaction.guild is None:
            return
        data: Any = interaction.data or {}
        custom_id = data.get("custom_id", "")
        answer = ANSWER_FORM.fullmatch(custom_id)
        if custom_id not in (REPORT_FORM_ID, CODE_FORM_ID) and answer is None:
            return
        values = modal_values(data)
        try:
            if custom_id == CODE_FORM_ID:
                code = values.get("report:code")
                await self.show_case(interaction, code if isinstance(code, str) else "")
            elif answer is not None:
                text = values.get("report:answer-text")
                await self.receive_answer(
                    interaction, int(answer["case_id"]), answer["tag"], text if isinstance(text, str) else ""
                )
            else:
                body, when = values.get("report:what"), values.get("report:when")
                await self.receive_report(
                    interaction,
                    body=body if isinstance(body, str) else "",
                    setting=_first(values.get("report:where")) or "",
                    happened_when=when if isinstance(when, str) else None,
                    characteristic=_first(values.get("report:characteristic")),
                    wants_reply=_first(values.get("report:wish")) == "reply",
                )
        except UserError as error:
            await report_user_error(interaction, error)
        except Exception as error:
            await report_unexpected(interaction, error, "report form")

    # -- /report (any member) ---------------------------------------------------------

    @report.command(
        name="new", description="Report discrimination or harassment to the welfare team, anonymously"
    )
    async def report_new(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        self.check_rate(interaction)
        settings = await self.service.get_settings(interaction.guild_id)
        items: list[discord.ui.Item[Any]] = [BeginReport(), ReportSupport()]
        if settings.reporting_url:
            items.append(discord.ui.Button(label="University reporting page", url=settings.reporting_url))
        await send_private(interaction, embed=explanation(settings), view=unstored_view(*items))

    async def receive_report(
        self,
        interaction: discord.Interaction[Any],
        *,
        body: str,
        setting: str,
        happened_when: str | None,
        characteristic: str | None,
        wants_reply: bool,
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        wait = self.rate.acquire(guild.id, interaction.user.id)
        if wait > 0:
            await give_back(interaction, self._rate_message(wait), body)
            return
        config = await self.bot.guild_settings.get(guild.id)
        try:
            created = await self.service.create_case(
                guild.id,
                timezone=config.timezone,
                setting=setting,
                body=body,
                happened_when=happened_when,
                characteristic=characteristic,
                wants_reply=wants_reply,
            )
        except UserError:
            self.rate.release(guild.id, interaction.user.id)
            raise
        except Exception as error:
            self.rate.release(guild.id, interaction.user.id)
            await report_unexpected(interaction, error, "report form")
            await give_back(interaction, "Your report was not saved.", body)
            return
        case = created.case
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = await self.post_to_staff(
            guild,
            case.id,
            embed=case_embed(case, for_staff=True, title=f"Case {case.number}: new anonymous report"),
        )
        retention = months_words(case.retention_months)
        lines = [f"Thank you. Your report is saved as **case {case.number}**."]
        if not posted:
            lines.append("The welfare team will find it in their list of cases.")
        if created.code:
            lines += [
                "",
                "**Your private code** (shown only this once):",
                f"```\n{created.code}\n```",
                "Copy it somewhere safe that only you can open, such as a password manager or a private "
                "note. Use `/report check` with it to read replies and answer. Anyone with the code can "
                "read your case, so don't share it. If you lose it, nobody can recover it: the bot "
                "doesn't know it's yours.",
                "Replies don't notify you (the bot can't know who you are), so check back now and then.",
            ]
        else:
            lines += ["", "You asked for it to be recorded only, so there's no code and no reply will come."]
        lines += ["", f"Your case is deleted {retention} after the team closes it."]
        await send_private(interaction, "\n".join(lines), **await self.support(guild.id))

    @report.command(
        name="check", description="Read replies to your report and answer, with your private code"
    )
    @app_commands.describe(code="Your private code (leave it out to type it into a private form instead)")
    async def report_check(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        code: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        if code is None:
            await show_form(interaction, CodeForm())
            return
        await self.show_case(interaction, code)

    async def show_case(self, interaction: discord.Interaction[Any], code: str) -> None:
        """The case a code opens, privately, with a way to answer while it is open."""
        assert interaction.guild_id is not None
        thread = await self.service.open_with_code(interaction.guild_id, code)
        view: discord.ui.View | None = None
        note = ""
        if thread.case.is_open and thread.answer_tag is not None:
            view = unstored_view(AnswerCase(thread.case.id, thread.answer_tag))
            note = (
                "Your case is open. You can write to the welfare team below; they see it without your name."
            )
        elif not thread.case.is_open:
            note = (
                "Your case is closed, so it can't take new messages. If something new has happened, "
                "use `/report new`."
            )
        await send_pages(interaction, thread_pages(thread, for_staff=False), note, view)

    async def receive_answer(
        self, interaction: discord.Interaction[Any], case_id: int, tag: str, body: str
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        config = await self.bot.guild_settings.get(guild.id)
        case = await self.service.answer(guild.id, case_id, tag, body, timezone=config.timezone)
        await interaction.response.defer(ephemeral=True, thinking=True)
        embed = discord.Embed(
            title=f"Case {case.number}: new message from the reporter",
            description=clip(body.strip(), EMBED_DESCRIPTION_LIMIT),
            colour=COLOUR,
        )
        embed.set_footer(
            text=f"Reply with /cases reply case:{case.number}. Read the whole case with /cases show."
        )
        await self.post_to_staff(guild, case.id, embed=embed)
        await send_private(
            interaction,
            f"Sent. Your message is added to case {case.number}, without your name. Check back with "
            "`/report check` to see replies.",
        )

    # -- /cases (organisers) ----------------------------------------------------------

    @cases.command(name="list", description="Open anonymous report cases (and closed ones, if you ask)")
    @app_commands.describe(include_closed="Also list closed cases waiting for deletion")
    async def cases_list(
        self, interaction: discord.Interaction[CommonRoomBot], include_closed: bool = False
    ) -> None:
        assert interaction.guild_id is not None
        summaries = await self.service.list_cases(interaction.guild_id, include_closed=include_closed)
        if not summaries:
            await send_private(
                interaction, "There are no open cases." if not include_closed else "There are no cases."
            )
            return
        lines = []
        for summary in summaries:
            case = summary.case
            parts = [f"**Case {case.number}**", "open" if case.is_open else "closed", case.setting_label]
            parts.append(f"reported {case.reported_on}")
            parts.append(f"{summary.message_count} message(s)")
            if not case.wants_reply:
                parts.append("record only")
            if summary.awaiting_staff:
                parts.append("**the reporter wrote last**")
            if case.delete_at is not None:
                parts.append(f"deleted {discord_time(case.delete_at, 'D')}")
            lines.append(" · ".join(parts))
        text = ""
        for index, line in enumerate(lines):
            if len(text) + len(line) + 60 > EMBED_DESCRIPTION_LIMIT:
                text += f"…and {len(lines) - index} more."
                break
            text += line + "\n"
        embed = discord.Embed(title="Anonymous report cases", description=text, colour=COLOUR)
        embed.set_footer(text="Read one with /cases show. Reporters are never identified.")
        await send_private(interaction, embed=embed)

    @cases.command(name="show", description="Read a case and its conversation")
    @app_commands.describe(case="The case number")
    async def cases_show(
        self, interaction: discord.Interaction[CommonRoomBot], case: app_commands.Range[int, 1, 10**9]
    ) -> None:
        assert interaction.guild_id is not None
        thread = await self.service.get_case(interaction.guild_id, case)
        await send_pages(interaction, thread_pages(thread, for_staff=True))

    @cases.command(name="reply", description="Reply to the reporter of a case (they read it with their code)")
    @app_commands.describe(
        case="The case number", text="Your reply; the reporter sees it as from the welfare team"
    )
    async def cases_reply(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        case: app_commands.Range[int, 1, 10**9],
        text: app_commands.Range[str, 1, MESSAGE_MAX],
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        config = await self.bot.guild_settings.get(guild.id)
        updated = await self.service.reply(guild.id, case, text, timezone=config.timezone)
        await interaction.response.defer(ephemeral=True, thinking=True)
        embed = discord.Embed(
            title=f"Case {updated.number}: reply sent",
            description=clip(text.strip(), EMBED_DESCRIPTION_LIMIT),
            colour=discord.Colour.blurple(),
        )
        embed.add_field(name="Sent by", value=interaction.user.mention, inline=False)
        await self.post_to_staff(guild, updated.id, embed=embed)
        await send_private(
            interaction,
            f"Sent. The reporter of case {updated.number} will see your reply the next time they check "
            "with their code; the bot can't notify them, because it doesn't know who they are.",
        )

    @cases.command(name="close", description="Close a case with an outcome the reporter can read")
    @app_commands.describe(
        case="The case number", outcome="What happened as a result; the reporter can read this"
    )
    async def cases_close(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        case: app_commands.Range[int, 1, 10**9],
        outcome: app_commands.Range[str, 1, OUTCOME_MAX],
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        closed = await self.service.close(guild.id, case, outcome)
        assert closed.delete_at is not None
        self._arm(closed.id, closed.delete_at)
        await interaction.response.defer(ephemeral=True, thinking=True)
        embed = discord.Embed(
            title=f"Case {closed.number}: closed",
            description=clip(closed.outcome or "", EMBED_DESCRIPTION_LIMIT),
            colour=discord.Colour.light_grey(),
        )
        embed.add_field(name="Closed by", value=interaction.user.mention, inline=True)
        embed.add_field(name="Deleted on", value=discord_time(closed.delete_at, "D"), inline=True)
        await self.post_to_staff(guild, closed.id, embed=embed)
        await send_private(
            interaction,
            f"Case {closed.number} is closed. The reporter can read the outcome with their code. The case "
            f"and its messages will be deleted {discord_time(closed.delete_at, 'D')}.",
        )

    @cases.command(
        name="settings", description="The official reporting page and how long closed cases are kept"
    )
    @app_commands.describe(
        reporting_url="The university's official reporting page (https://…), shown before a student reports",
        retention_months=f"Months to keep a case after it's closed ({RETENTION_MIN}-{RETENTION_MAX})",
        clear_url="Remove the reporting page link",
    )
    async def cases_settings(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        reporting_url: app_commands.Range[str, 1, URL_MAX] | None = None,
        retention_months: app_commands.Range[int, RETENTION_MIN, RETENTION_MAX] | None = None,
        clear_url: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        if reporting_url is not None and clear_url:
            raise UserError("Give a new reporting page or clear it, not both.")
        if reporting_url is None and retention_months is None and not clear_url:
            settings = await self.service.get_settings(interaction.guild_id)
            intro = "Current settings for reports:"
        else:
            settings = await self.service.update_settings(
                interaction.guild_id,
                reporting_url=reporting_url,
                clear_url=clear_url,
                retention_months=retention_months,
            )
            intro = "Saved."
        lines = [
            intro,
            f"• Official reporting page: {settings.reporting_url or 'not set'}",
            f"• Cases are deleted {months_words(settings.retention_months)} after closing "
            "(a change applies to cases reported from now on, since reporters are told the period).",
        ]
        await send_private(interaction, "\n".join(lines))


async def setup(bot: CommonRoomBot) -> None:
    bot.add_dynamic_items(BeginReport, ReportSupport, AnswerCase)
    await bot.add_cog(Reports(bot))
