"""The digest's words: its title and the plain sentences at its top, made from its figures, in the team's
language (da, nb or en; Nynorsk teams read Bokmål). The words themselves live in ``service/data/digest.toml``."""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service import schemas

__all__ = ["words", "digest_language", "percent", "signed", "summarise"]

LANGUAGES = ("da", "nb", "en")
MAX_THEME_SENTENCES = 3


@lru_cache(maxsize=1)
def _all_words() -> dict[str, dict[str, str]]:
    return tomllib.loads(resources.files("service").joinpath("data/digest.toml").read_text(encoding="utf-8"))


def digest_language(language: str) -> str:
    """The digest language for a team's language: Nynorsk teams read Bokmål, unknown ones Danish."""
    return {"nn": "nb"}.get(language, language if language in LANGUAGES else "da")


def words(language: str) -> dict[str, str]:
    return _all_words()[digest_language(language)]


def signed(value: float, language: str) -> str:
    """``+12``, ``−3,5`` (da/nb decimal comma, a real minus sign)."""
    if round(value, 1) == 0:
        return "0"
    text = f"{value:+.1f}".rstrip("0").rstrip(".")
    if language != "en":
        text = text.replace(".", ",")
    return text.replace("-", "−")


def percent(value: float, language: str) -> str:
    """``+80 %`` in Danish and Norwegian, ``+80%`` in English."""
    number = signed(round(value), language)
    return f"{number}%" if language == "en" else f"{number} %"


def _quoted(phrases: list[str], language: str) -> str:
    marks = ("“", "”") if language == "en" else ("«", "»")
    return ", ".join(f"{marks[0]}{p}{marks[1]}" for p in phrases)


def summarise(digest: schemas.Digest, repeat_days: int) -> tuple[str, list[str]]:
    """The digest's title and its summary sentences, each made from a figure in the digest."""
    lang = digest_language(digest.language)
    w = words(lang)
    number = int(digest.week.split("W")[1])
    title = w["title_company"].format(number=number) if digest.team is None else w["title_team"].format(team=digest.team, number=number)
    volume = digest.volume
    if volume.notes == 0:
        return title, [w["s_quiet"].format(number=number)]
    change = ""
    if volume.change_pct is not None:
        change = w["s_volume_change"].format(pct=percent(volume.change_pct, lang), previous=(digest.first_day - dt.timedelta(days=7)).isocalendar()[1])
    lines = [w["s_volume"].format(notes=volume.notes, agents=volume.agents, number=number, change=change)]
    s = digest.sentiment
    if s.index is not None:
        index = signed(s.index, lang)
        if s.change is None:
            lines.append(w["s_sentiment_first"].format(index=index, notes=s.notes))
        else:
            lines.append(w["s_sentiment"].format(index=index, change=signed(s.change, lang), notes=s.notes))
    moving = [t for t in digest.themes if t.trend in ("new", "rising")][:MAX_THEME_SENTENCES]
    for theme in moving:
        about = w["s_about"].format(phrases=_quoted(theme.about[:2], lang)) if theme.about else ""
        if theme.trend == "new" or theme.change_pct is None:
            lines.append(w["s_theme_new"].format(label=theme.label, count=theme.count, about=about))
        else:
            lines.append(w["s_theme"].format(label=theme.label, count=theme.count, pct=percent(theme.change_pct, lang), about=about))
    top = next((t for t in digest.themes if t.count), None)
    if top is not None and top not in moving:
        share = percent(100 * top.negative_share, lang).lstrip("+")
        lines.append(w["s_top"].format(label=top.label, count=top.count, share=share))
    for topic in digest.emerging[:2]:
        outside = "" if topic.themes else w["s_emerging_outside"]
        lines.append(w["s_emerging"].format(phrase=topic.phrase, count=topic.count, outside=outside))
    customers = {r.customer_ref for r in digest.repeat_complaints}
    if customers:
        key = "s_repeats_one" if len(customers) == 1 else "s_repeats"
        lines.append(w[key].format(count=len(customers), days=repeat_days))
    if digest.follow_ups.overdue:
        key = "s_overdue_one" if digest.follow_ups.overdue == 1 else "s_overdue"
        lines.append(w[key].format(count=digest.follow_ups.overdue))
    return title, lines
