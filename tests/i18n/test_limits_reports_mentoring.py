"""Discord's limits on forms, menus and buttons hold for reports and mentoring in every language
(Welsh runs longer than English; the pseudo-locale adds its markers)."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.i18n import PSEUDO, Catalogues, Translator
from bot.services.mentoring_model import Experience
from cogs.mentoring.views import CheckinButton, ExperiencesModal, SignupModal, SignupView, nudge_view
from cogs.reports.views import (
    AnswerForm,
    CaseCloseForm,
    CaseReplyForm,
    CodeForm,
    ReportForm,
    case_actions,
    case_menu,
    keep_code_view,
)

#: (where, what) -> Discord's limit.
MODAL_TITLE, LABEL, LABEL_DESCRIPTION, TEXT_PLACEHOLDER = 45, 45, 100, 100
SELECT_PLACEHOLDER, OPTION_TEXT, BUTTON_LABEL = 150, 100, 80


def translators() -> list[Translator]:
    catalogues = Catalogues()
    return [catalogues.translator(locale) for locale in ("en", "cy", PSEUDO)]


def too_long(payload: Any, path: str = "") -> list[tuple[str, int]]:
    """Every text in a modal's or a view's payload over Discord's limit for it."""
    found: list[tuple[str, int]] = []
    if isinstance(payload, list):
        for item in payload:
            found += too_long(item, path)
        return found
    if not isinstance(payload, dict):
        return found
    kind = payload.get("type")
    limits: dict[str, int] = {}
    if kind is None and "custom_id" in payload and "components" in payload:  # the modal
        limits = {"title": MODAL_TITLE}
    elif kind == 18:  # a label around a component
        limits = {"label": LABEL, "description": LABEL_DESCRIPTION}
    elif kind == 4:  # a text input
        limits = {"label": LABEL, "placeholder": TEXT_PLACEHOLDER}
    elif kind == 3:  # a select menu
        limits = {"placeholder": SELECT_PLACEHOLDER}
    elif kind == 2:  # a button
        limits = {"label": BUTTON_LABEL}
    elif "value" in payload and "label" in payload:  # a select option
        limits = {"label": OPTION_TEXT, "description": OPTION_TEXT}
    for key, limit in limits.items():
        text = payload.get(key)
        if isinstance(text, str) and len(text) > limit:
            found.append((f"{path}/{key}: {text}", len(text)))
    for value in payload.values():
        if isinstance(value, dict | list):
            found += too_long(value, path)
    return found


def view_payload(view: discord.ui.View) -> list[dict[str, Any]]:
    return view.to_components()


@pytest.mark.parametrize("t", translators(), ids=lambda t: t.locale)
async def test_report_forms_menus_and_buttons_fit(t: Translator) -> None:
    forms = [
        ReportForm(t),
        AnswerForm(12345, "9" * 39, t),
        CodeForm(t),
        CaseReplyForm(10**9, t),
        CaseCloseForm(10**9, t),
    ]
    found = [problem for form in forms for problem in too_long(form.to_dict(), type(form).__name__)]
    views = [
        keep_code_view(t),
        case_actions(10**9, is_open=True, wants_reply=True, t=t),
        case_actions(10**9, is_open=False, wants_reply=True, t=t),
        case_menu([], t),
    ]
    found += [problem for view in views for problem in too_long(view_payload(view), "view")]
    assert found == []


@pytest.mark.parametrize("t", translators(), ids=lambda t: t.locale)
async def test_mentoring_forms_menus_and_buttons_fit(t: Translator) -> None:
    experiences = [Experience(f"e{n}", "x" * 80) for n in range(25)]
    found = []
    for role in ("offer", "request"):
        view = SignupView(role, 1, experiences, None, t)
        found += too_long(view_payload(view), f"{role} menus")
        found += too_long(SignupModal(view).to_dict(), f"{role} form")
    found += too_long(ExperiencesModal(experiences, t).to_dict(), "experiences form")
    for role in ("mentor", "mentee"):
        buttons = [CheckinButton(10**9, answer, role, t).item for answer in CheckinButton.LABELS]
        found += [
            problem for button in buttons for problem in too_long(button.to_component_dict(), "check-in")
        ]
    found += too_long(view_payload(nudge_view(10**9, t)), "nudge")
    assert found == []
