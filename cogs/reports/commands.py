"""Anonymous reports: /report for any member, /cases for organisers.

Discord glue only; the rules live in :mod:`bot.services.reports`. What this package adds:

* the reporter never appears anywhere: the case is posted to the staff channel by the bot with
  no author, mention, avatar or timestamp field (:mod:`cogs.reports.render`);
* a case is never posted in a channel @everyone can read (:mod:`cogs.reports.jobs`);
* the rate limit lives in this cog's memory only;
* retention jobs are re-armed from the database when the cog loads.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import discord_time
from bot.core import CommonRoomBot, is_organiser
from bot.errors import UserError
from bot.feature import FeatureCog, organiser_group
from bot.i18n import N_, Translator
from bot.services.reports import (
    MESSAGE_MAX,
    OUTCOME_MAX,
    REPORTS_PER_HOUR,
    RETENTION_MAX,
    RETENTION_MIN,
    URL_MAX,
    ReportRateLimiter,
    ReportService,
    StaffPost,
)
from bot.ui import (
    MESSAGE_LIMIT,
    FormRouter,
    FormValues,
    parse_id,
    report_unexpected,
    send_private,
    show_form,
    support_payload,
    unstored_view,
)
from cogs.reports.jobs import CaseJobs
from cogs.reports.render import (
    SETTINGS_NOW,
    SETTINGS_SAVED,
    case_list_embed,
    case_note,
    case_options,
    explanation,
    rate_message,
    receipt,
    settings_text,
    staff_case_note,
    thread_pages,
)
from cogs.reports.views import (
    ANSWER_FORM,
    CASE_CLOSE_FORM,
    CASE_REPLY_FORM,
    CODE_FORM_ID,
    NEED,
    REPORT_FORM_ID,
    AnswerCase,
    BeginReport,
    CodeForm,
    ReportSupport,
    case_actions,
    case_menu,
    keep_code_view,
)

# The description of /cases settings' retention_months names the range: keep them in step.
assert (RETENTION_MIN, RETENTION_MAX) == (1, 120)

NOT_ORGANISER = N_(
    "Handling cases is for organisers, so nothing was done. If you help run things here, ask a "
    "server admin to give you the organiser role."
)


async def give_back(interaction: discord.Interaction[Any], why: str, body: str, t: Translator) -> None:
    """Refuse a report privately and hand the student's words back, whole, so nothing is lost."""
    keep = t("Here is what you wrote, to keep:")
    await send_private(interaction, f"{why}\n\n{keep}")
    text = body.strip()
    chunk = MESSAGE_LIMIT - 10
    for start in range(0, len(text), chunk):
        await send_private(interaction, ">>> " + text[start : start + chunk])


async def send_pages(
    interaction: discord.Interaction[Any],
    pages: list[list[discord.Embed]],
    note: str | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """Send every page privately, each its own message; the note and the view go with the last."""
    for index, page in enumerate(pages):
        last = index == len(pages) - 1
        await send_private(
            interaction,
            note if last else None,
            embeds=page,
            view=view if last and view is not None else discord.utils.MISSING,
        )


def _guild(interaction: discord.Interaction[Any]) -> discord.Guild:
    if interaction.guild is None:
        raise UserError("Reports work inside a server. Please use `/report new` there.")
    return interaction.guild


class Reports(FeatureCog[CaseJobs], commands.Cog):
    # Reports hold anonymous text linked to no member: export and forget find nothing by design
    # (see bot.services.reports), and these are the tables that promise covers.
    personal_tables: ClassVar[frozenset[str]] = frozenset({"report_cases", "report_messages"})

    report = app_commands.Group(
        name="report", description=N_("Tell the welfare team what happened, anonymously")
    )
    cases = organiser_group(name="cases", description=N_("Anonymous report cases (organisers)"))

    def __init__(self, bot: CommonRoomBot) -> None:
        self.bot = bot
        self.service = ReportService(bot.db, bot.clock, bot.secret_key)
        self.rate = ReportRateLimiter(bot.clock, bot.secret_key, limit=REPORTS_PER_HOUR, window=3600.0)
        self.jobs = CaseJobs(bot, self.service)

    def add_forms(self, forms: FormRouter) -> None:
        # The forms are stateless, so their submissions survive a restart (cogs.reports.views).
        forms.add(re.escape(REPORT_FORM_ID), self.report_form, where="report form")
        forms.add(re.escape(CODE_FORM_ID), self.code_form, where="report code form")
        forms.add(ANSWER_FORM, self.answer_form, where="report answer form")
        forms.add(CASE_REPLY_FORM, self.case_reply_form, where="case reply form")
        forms.add(CASE_CLOSE_FORM, self.case_close_form, where="case close form")

    # -- privacy (found by the /privacy cog) --------------------------------------------

    async def export_member_data(self, guild_id: int, member_id: int) -> dict[str, Any]:
        """Always empty: reports are not linked to members (see bot.services.reports)."""
        return await self.service.export_member(member_id)

    async def forget_member_data(self, guild: discord.Guild, member_id: int) -> dict[str, int]:
        """Nothing to erase: no report can be matched to a member (see bot.services.reports)."""
        return await self.service.forget_member(member_id)

    # -- helpers --------------------------------------------------------------------

    async def refused_by_rate(self, interaction: discord.Interaction[Any], t: Translator) -> bool:
        """Whether the member has reached the hourly limit (they are told so, with the crisis lines)."""
        assert interaction.guild_id is not None
        wait = self.rate.retry_after(interaction.guild_id, interaction.user.id)
        if wait > 0:
            await send_private(interaction, rate_message(self.rate.limit, wait, t))
            return True
        return False

    async def _timezone(self, guild_id: int) -> str:
        return (await self.bot.guild_settings.get(guild_id)).timezone

    async def _staff_post(
        self, guild: discord.Guild, interaction: discord.Interaction[Any]
    ) -> StaffPost | None:
        """The post telling staff about an organiser's change to a case, naming that organiser."""
        return await self.jobs.staff_post(guild, by=interaction.user.id)

    def _tell_staff(self) -> None:
        """The post to staff was promised with the change: send it now, in the background."""
        self.bot.outbox.kick()

    async def _reader(self, interaction: discord.Interaction[Any]) -> Translator:
        return await self.bot.i18n.for_interaction(interaction)

    async def _tell_staff_and_confirm(self, interaction: discord.Interaction[Any], text: str) -> None:
        """After a change to a case: send the post to staff now, and tell the person privately."""
        self._tell_staff()
        await send_private(interaction, text)

    # -- the forms --------------------------------------------------------------------

    async def report_form(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        await self.receive_report(
            interaction,
            body=values.text("report:what"),
            setting=values.first("report:where") or "",
            happened_when=values.optional_text("report:when"),
            characteristic=values.first("report:characteristic"),
            wants_reply=values.first("report:wish") == "reply",
        )

    async def code_form(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        await self.show_case(interaction, values.text("report:code"))

    async def answer_form(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        await self.receive_answer(
            interaction, parse_id(match["case_id"]), match["tag"], values.text("report:answer-text")
        )

    async def case_reply_form(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        await self.require_organiser(interaction)
        await self.reply_case(interaction, parse_id(match["number"]), values.text("cases:reply-text"))

    async def case_close_form(
        self, interaction: discord.Interaction[Any], match: re.Match[str], values: FormValues
    ) -> None:
        await self.require_organiser(interaction)
        await self.close_case(interaction, parse_id(match["number"]), values.text("cases:outcome"))

    # -- /report (any member) ---------------------------------------------------------

    @report.command(
        name="new", description=N_("Report discrimination or harassment to the welfare team, anonymously")
    )
    async def report_new(self, interaction: discord.Interaction[CommonRoomBot]) -> None:
        assert interaction.guild_id is not None
        t = await self._reader(interaction)
        if await self.refused_by_rate(interaction, t):
            return
        settings = await self.service.get_settings(interaction.guild_id)
        items: list[discord.ui.Item[Any]] = [BeginReport(t), ReportSupport(t)]
        if settings.reporting_url:
            items.append(discord.ui.Button(label=t("University reporting page"), url=settings.reporting_url))
        await send_private(
            interaction,
            embed=explanation(settings, per_hour=self.rate.limit, t=t),
            view=unstored_view(*items),
        )

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
        guild = _guild(interaction)
        t = await self._reader(interaction)
        wait = self.rate.acquire(guild.id, interaction.user.id)
        if wait > 0:
            await give_back(interaction, rate_message(self.rate.limit, wait, t), body, t)
            return
        timezone = await self._timezone(guild.id)
        staff = await self.jobs.staff_post(guild)
        try:
            created = await self.service.create_case(
                guild.id,
                timezone=timezone,
                setting=setting,
                body=body,
                happened_when=happened_when,
                characteristic=characteristic,
                wants_reply=wants_reply,
                staff=staff,
            )
        except UserError:
            self.rate.release(guild.id, interaction.user.id)
            raise
        except Exception as error:
            self.rate.release(guild.id, interaction.user.id)
            await report_unexpected(interaction, error, "report form")
            await give_back(interaction, t("Your report was not saved."), body, t)
            return
        case = created.case
        self._tell_staff()
        text = receipt(case, created.code, posted=staff is not None, t=t)
        support = await support_payload(self.bot, guild.id, NEED, t=t)
        if created.code is None:
            await send_private(interaction, text, **support)
        elif "view" in support:  # the directory's own buttons: the support goes in a message of its own
            await send_private(interaction, text, view=keep_code_view(t))
            await send_private(interaction, **support)
        else:
            await send_private(interaction, text, view=keep_code_view(t), **support)

    @report.command(
        name="check", description=N_("Read replies to your report and answer, with your private code")
    )
    @app_commands.describe(code=N_("Your private code (leave it out to type it into a private form instead)"))
    async def report_check(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        code: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        if code is None:
            await show_form(interaction, CodeForm(await self._reader(interaction)))
            return
        await self.show_case(interaction, code)

    async def show_case(self, interaction: discord.Interaction[Any], code: str) -> None:
        """The case a code opens, privately, with a way to answer while it is open."""
        thread = await self.service.open_with_code(_guild(interaction).id, code)
        t = await self._reader(interaction)
        view: discord.ui.View | None = None
        if thread.case.is_open and thread.answer_tag is not None:
            view = unstored_view(AnswerCase(thread.case.id, thread.answer_tag, t))
        await send_pages(interaction, thread_pages(thread, for_staff=False, t=t), case_note(thread, t), view)

    async def check_answerable(self, interaction: discord.Interaction[Any], case_id: int, tag: str) -> None:
        await self.service.check_answerable(_guild(interaction).id, case_id, tag)

    async def receive_answer(
        self, interaction: discord.Interaction[Any], case_id: int, tag: str, body: str
    ) -> None:
        guild = _guild(interaction)
        timezone = await self._timezone(guild.id)
        case = await self.service.answer(
            guild.id, case_id, tag, body, timezone=timezone, staff=await self.jobs.staff_post(guild)
        )
        t = await self._reader(interaction)
        await self._tell_staff_and_confirm(
            interaction,
            t(
                "Sent. Your message is added to case {number}, without your name. Check back with "
                "`/report check` to see replies.",
                number=case.number,
            ),
        )

    # -- /cases (organisers) ----------------------------------------------------------

    @cases.command(name="list", description=N_("Open anonymous report cases (and closed ones, if you ask)"))
    @app_commands.describe(include_closed=N_("Also list closed cases waiting for deletion"))
    async def cases_list(
        self, interaction: discord.Interaction[CommonRoomBot], include_closed: bool = False
    ) -> None:
        assert interaction.guild_id is not None
        summaries = await self.service.list_cases(interaction.guild_id, include_closed=include_closed)
        t = await self._reader(interaction)
        if not summaries:
            await send_private(
                interaction, t("There are no open cases.") if not include_closed else t("There are no cases.")
            )
            return
        await send_private(
            interaction, embed=case_list_embed(summaries, t), view=case_menu(case_options(summaries, t), t)
        )

    @cases.command(name="show", description=N_("Read a case and its conversation"))
    @app_commands.describe(case=N_("The case number"))
    async def cases_show(
        self, interaction: discord.Interaction[CommonRoomBot], case: app_commands.Range[int, 1, 10**9]
    ) -> None:
        await self.show_staff_case(interaction, case)

    @cases.command(
        name="reply", description=N_("Reply to the reporter of a case (they read it with their code)")
    )
    @app_commands.describe(
        case=N_("The case number"), text=N_("Your reply; the reporter sees it as from the welfare team")
    )
    async def cases_reply(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        case: app_commands.Range[int, 1, 10**9],
        text: app_commands.Range[str, 1, MESSAGE_MAX],
    ) -> None:
        await self.reply_case(interaction, case, text)

    @cases.command(name="close", description=N_("Close a case with an outcome the reporter can read"))
    @app_commands.describe(
        case=N_("The case number"), outcome=N_("What happened as a result; the reporter can read this")
    )
    async def cases_close(
        self,
        interaction: discord.Interaction[CommonRoomBot],
        case: app_commands.Range[int, 1, 10**9],
        outcome: app_commands.Range[str, 1, OUTCOME_MAX],
    ) -> None:
        await self.close_case(interaction, case, outcome)

    # -- case handling (the commands above and the buttons in cogs.reports.views) ---------

    async def require_organiser(self, interaction: discord.Interaction[Any]) -> discord.Guild:
        """Refuse kindly unless the member is an organiser here: buttons and forms carry no
        command, so the tree's check doesn't cover them, and their custom ids are untrusted."""
        guild = _guild(interaction)
        member = interaction.user
        config = await self.bot.guild_settings.get(guild.id)
        if not isinstance(member, discord.Member) or not is_organiser(member, config):
            raise UserError(NOT_ORGANISER)
        return guild

    async def show_staff_case(self, interaction: discord.Interaction[Any], number: int) -> None:
        """The case and its conversation, with Reply, Close or Reopen."""
        thread = await self.service.get_case(_guild(interaction).id, number)
        case = thread.case
        t = await self._reader(interaction)
        view = case_actions(case.number, is_open=case.is_open, wants_reply=case.wants_reply, t=t)
        await send_pages(
            interaction, thread_pages(thread, for_staff=True, t=t), staff_case_note(case, t), view
        )

    async def check_repliable(self, interaction: discord.Interaction[Any], number: int) -> None:
        """Before the reply form opens: say now, not after typing, if no reply can be sent."""
        await self.service.check_repliable(_guild(interaction).id, number)

    async def check_closable(self, interaction: discord.Interaction[Any], number: int) -> None:
        case = (await self.service.get_case(_guild(interaction).id, number)).case
        if not case.is_open:
            raise UserError("Case {number} is already closed.", number=number)

    async def reply_case(self, interaction: discord.Interaction[Any], number: int, text: str) -> None:
        guild = _guild(interaction)
        timezone = await self._timezone(guild.id)
        updated = await self.service.reply(
            guild.id, number, text, timezone=timezone, staff=await self._staff_post(guild, interaction)
        )
        t = await self._reader(interaction)
        await self._tell_staff_and_confirm(
            interaction,
            t(
                "Sent. The reporter of case {number} will see your reply the next time they check "
                "with their code; the bot can't notify them, because it doesn't know who they are.",
                number=updated.number,
            ),
        )

    async def close_case(self, interaction: discord.Interaction[Any], number: int, outcome: str) -> None:
        guild = _guild(interaction)
        timezone = await self._timezone(guild.id)
        closed = await self.service.close(
            guild.id, number, outcome, timezone=timezone, staff=await self._staff_post(guild, interaction)
        )
        assert closed.delete_at is not None
        self.jobs.arm(closed.id, closed.delete_at)
        t = await self._reader(interaction)
        await self._tell_staff_and_confirm(
            interaction,
            t(
                "Case {number} is closed. The reporter can read the outcome with their code. The case "
                "and its messages will be deleted {date}.",
                number=closed.number,
                date=discord_time(closed.delete_at, "D"),
            ),
        )

    async def reopen_case(self, interaction: discord.Interaction[Any], number: int) -> None:
        guild = _guild(interaction)
        reopened = await self.service.reopen(
            guild.id, number, staff=await self._staff_post(guild, interaction)
        )
        self.jobs.disarm(reopened.id)
        t = await self._reader(interaction)
        await self._tell_staff_and_confirm(
            interaction,
            t(
                "Case {number} is open again and will not be deleted until it is closed. The "
                "reporter can write on it again with their code.",
                number=reopened.number,
            ),
        )

    @cases.command(
        name="settings", description=N_("The official reporting page and how long closed cases are kept")
    )
    @app_commands.describe(
        reporting_url=N_(
            "The university's official reporting page (https://…), shown before a student reports"
        ),
        # Translators: 1-120 are the fewest and most months allowed.
        retention_months=N_("Months to keep a case after it's closed (1-120)"),
        clear_url=N_("Remove the reporting page link"),
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
            intro = SETTINGS_NOW
        else:
            settings = await self.service.update_settings(
                interaction.guild_id,
                reporting_url=reporting_url,
                clear_url=clear_url,
                retention_months=retention_months,
            )
            intro = SETTINGS_SAVED
        await send_private(interaction, settings_text(settings, intro, await self._reader(interaction)))
