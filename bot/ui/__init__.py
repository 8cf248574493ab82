"""The shared Discord UI kit: private replies and limits, the one error guard, persistent items,
stateless forms, paging and confirmation. Features import from here, never copy."""

from bot.text import (
    AUTOCOMPLETE_CHOICES_LIMIT,
    BUTTON_LABEL_LIMIT,
    CHOICE_NAME_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    MESSAGE_LIMIT,
    MODAL_TITLE_LIMIT,
    SELECT_LABEL_LIMIT,
    SELECT_OPTIONS_LIMIT,
    TEXT_INPUT_LABEL_LIMIT,
    TEXT_INPUT_VALUE_LIMIT,
)
from bot.ui.autocomplete import suggest
from bot.ui.confirm import ConfirmView
from bot.ui.forms import FormRouter, FormValues, StatelessModal, form_values, show_form
from bot.ui.guard import (
    guard,
    guarded,
    handle_interaction_error,
    new_error_id,
    report_unexpected,
    report_user_error,
)
from bot.ui.items import ID, PersistentItem, RowButton, cog_of, parse_id
from bot.ui.paging import PagedView, paginate, send_paged
from bot.ui.replies import PIN, POST, PRIVATE_THREADS, clip, require_bot_permissions, send_private
from bot.ui.support import SupportDirectory, fallback_support, support_payload
from bot.ui.views import BaseModal, BaseView, OwnedView, shield_item, unstored_view

__all__ = [
    "AUTOCOMPLETE_CHOICES_LIMIT",
    "BUTTON_LABEL_LIMIT",
    "CHOICE_NAME_LIMIT",
    "EMBED_DESCRIPTION_LIMIT",
    "EMBED_FIELDS_LIMIT",
    "EMBED_FIELD_NAME_LIMIT",
    "EMBED_FIELD_VALUE_LIMIT",
    "EMBED_TITLE_LIMIT",
    "EMBED_TOTAL_LIMIT",
    "ID",
    "MESSAGE_LIMIT",
    "MODAL_TITLE_LIMIT",
    "PIN",
    "POST",
    "PRIVATE_THREADS",
    "SELECT_LABEL_LIMIT",
    "SELECT_OPTIONS_LIMIT",
    "TEXT_INPUT_LABEL_LIMIT",
    "TEXT_INPUT_VALUE_LIMIT",
    "BaseModal",
    "BaseView",
    "ConfirmView",
    "FormRouter",
    "FormValues",
    "OwnedView",
    "PagedView",
    "PersistentItem",
    "RowButton",
    "StatelessModal",
    "SupportDirectory",
    "clip",
    "cog_of",
    "fallback_support",
    "form_values",
    "guard",
    "guarded",
    "handle_interaction_error",
    "new_error_id",
    "paginate",
    "parse_id",
    "report_unexpected",
    "report_user_error",
    "require_bot_permissions",
    "send_paged",
    "send_private",
    "shield_item",
    "show_form",
    "suggest",
    "support_payload",
    "unstored_view",
]
