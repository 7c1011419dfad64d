"""The digest as a web page, an e-mail (HTML and plain text) and JSON, from the templates in templates/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import msgspec

import service
from service import schemas
from service.services.digest.text import digest_language, percent, signed, words

__all__ = ["templates", "render_page", "render_email_html", "render_text", "render_json", "Bar", "sentiment_bars"]

_CHART_WEEKS_HEIGHT = 140


def templates_dir() -> Path:
    """templates/ beside the package in a checkout, or inside it when installed (see pyproject)."""
    here = Path(service.__file__).resolve().parent
    checkout = here.parent / "templates"
    return checkout if checkout.is_dir() else here / "templates"


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["signed"] = lambda v, lang: "–" if v is None else signed(v, lang)
    env.filters["percent"] = lambda v, lang: "–" if v is None else percent(v, lang)
    env.filters["share"] = lambda v, lang: percent(100 * v, lang).lstrip("+")
    env.filters["day"] = _day
    env.filters["bare"] = _bare
    return env


def _day(value: dt.date | dt.datetime, lang: str = "da") -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat() if lang == "en" else f"{value.day}.{value.month}.{value.year}"


_QUOTES = "\"'“”«»„"


def _bare(text: str) -> str:
    """A remark without the quotation marks an agent typed around it: the digest adds its own."""
    stripped = text.strip()
    if len(stripped) > 2 and stripped[0] in _QUOTES and stripped[-1] in _QUOTES:
        return stripped[1:-1].strip()
    return stripped


@dataclass(frozen=True)
class Bar:
    """One week's bar of the sentiment chart, in SVG coordinates."""

    x: float
    y: float
    height: float
    label: str
    value: str
    positive: bool
    empty: bool


def sentiment_bars(digest: schemas.Digest, width: int = 560) -> list[Bar]:
    """Bars for the 8-week net sentiment chart: up for positive, down for negative, from a zero line."""
    half = _CHART_WEEKS_HEIGHT / 2
    step = width / max(1, len(digest.sentiment.trend))
    bars = []
    for i, week in enumerate(digest.sentiment.trend):
        index = week.index or 0.0
        height = abs(index) / 100 * (half - 16)
        y = 20 + half - height if index >= 0 else 20 + half
        bars.append(
            Bar(
                x=round(i * step + step * 0.2, 1),
                y=round(y, 1),
                height=round(max(height, 1.0), 1),
                label="W" + week.week.split("W")[1],
                value="–" if week.index is None else signed(week.index, digest_language(digest.language)),
                positive=index >= 0,
                empty=week.index is None,
            )
        )
    return bars


def _context(digest: schemas.Digest) -> dict[str, object]:
    lang = digest_language(digest.language)
    top = max((t.count for t in digest.themes), default=0)
    return {
        "d": digest,
        "w": words(lang),
        "lang": lang,
        "bars": sentiment_bars(digest),
        "chart_width": 560,
        "chart_height": _CHART_WEEKS_HEIGHT + 40,
        "theme_max": max(top, 1),
    }


def render_page(digest: schemas.Digest) -> str:
    return templates().get_template("digest.html.j2").render(_context(digest))


def render_email_html(digest: schemas.Digest) -> str:
    return templates().get_template("digest_email.html.j2").render(_context(digest))


def render_text(digest: schemas.Digest) -> str:
    return templates().get_template("digest.txt.j2").render(_context(digest))


_encoder = msgspec.json.Encoder()


def render_json(digest: schemas.Digest) -> bytes:
    return _encoder.encode(digest)
