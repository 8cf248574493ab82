"""How a need with no local contact and the organisers' counts are drawn: pure, within Discord's
limits, and the lines word for word from bot.support."""

from __future__ import annotations

from datetime import date, timedelta

from bot.services.signposts_contacts import CATEGORIES, Contact, validate_contact
from bot.services.signposts_gaps import COUNTED_NEEDS, RETAIN_WEEKS, UnmetNeed, WeekCount
from bot.support import crisis_fields
from bot.ui import EMBED_DESCRIPTION_LIMIT, EMBED_FIELDS_LIMIT, EMBED_TOTAL_LIMIT
from cogs.signposts.render import ADVICE_CENTRE_TEXT, directory_embeds, support_embeds, unmet_embed


def _contact(index: int, name: str, categories: list[str]) -> Contact:
    draft = validate_contact(
        {
            "name": name,
            "categories": categories,
            "description": "D" * 250,
            "email": "e" * 100 + "@example.ac.uk",
            "web": "https://example.ac.uk/" + "w" * 178,
            "in_person": "P" * 150,
            "hours": "Mon–Fri 09:00–17:00",
        }
    )
    return Contact(
        **{**draft.as_dict(), "categories": draft.categories}, id=index, guild_id=1, position=index
    )


def test_every_need_without_a_contact_shows_lines_and_the_advice_centre() -> None:
    lines = dict(crisis_fields())
    for need in COUNTED_NEEDS:
        _urgent, shown = support_embeds([], need)
        fields = {f.name: f.value for f in shown.fields}
        assert fields["Your students' union advice centre"] == ADVICE_CENTRE_TEXT
        national = {name: value for name, value in fields.items() if name in lines}
        assert national and all(lines[name] == value for name, value in national.items()), need
        assert CATEGORIES[need].label in (shown.title or "")


def test_with_a_full_directory_and_the_largest_advice_centre_it_stays_within_limits() -> None:
    contacts = [_contact(i, f"{i:03d} Urgent line", ["urgent"]) for i in range(98)]
    contacts.append(_contact(98, "Students' Union Advice Centre " + "N" * 49, ["urgent"]))
    for need in COUNTED_NEEDS:
        for embeds in (support_embeds(contacts, need), directory_embeds(contacts, need)):
            assert sum(len(e) for e in embeds) <= EMBED_TOTAL_LIMIT, need
            assert all(len(e.fields) <= EMBED_FIELDS_LIMIT for e in embeds)
            assert any("Students' Union Advice Centre" in f.name for f in embeds[-1].fields)


def test_the_counts_fit_one_embed_however_many_weeks() -> None:
    monday = date(2026, 10, 5)
    counts = [
        UnmetNeed(need, tuple(WeekCount(monday - timedelta(weeks=n), 999_999) for n in range(RETAIN_WEEKS)))
        for need in sorted(COUNTED_NEEDS)
    ]
    embed = unmet_embed(counts, [])
    assert len(embed.description or "") <= EMBED_DESCRIPTION_LIMIT
    assert "earlier weeks" in (embed.description or "")
    empty = unmet_embed([], [])
    assert "No need was looked up without a local contact" in (empty.description or "")
