"""Building one digest: figures from the running week counts, quotes from a few bounded note queries.

Everything is read through one synchronous connection in one go (a worker thread), and no query reads
more than one scope's notes of one week: the time to build a digest does not grow with the history.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.orm import aliased

from nlp import Taxonomy
from service import schemas
from service.models import FollowUp, Note, NoteTheme, Team, User, WeekCount
from service.services.digest.counts import COMPANY
from service.services.digest.emerging import MIN_SUPPORT, rises
from service.services.digest.text import digest_language, summarise
from service.settings import Settings
from service.services.digest.week_notes import WeekNotes
from service.services.digest.weeks import Week

__all__ = ["Scope", "build_digest", "company_scope", "scope_of_team"]

TREND_WEEKS = 8
BASELINE_WEEKS = 8  # emerging topics: this week against the 8 before
AVERAGE_WEEKS = 4  # themes: this week against the average of the 4 before
QUOTES = 3
PRAISE = 5
MAX_REPEATS = 20
MAX_FOLLOW_UPS = 20
_NEGATIVE = ("negative", "mixed")
_DIMS = ("notes", "channel", "lang", "sentiment", "agent", "theme", "theme_negative", "theme_positive")


@dataclass(frozen=True)
class Scope:
    """Whose digest: a team (its id and name) or the whole company (``COMPANY``, no name)."""

    id: int
    team: str | None
    timezone: str
    language: str  # da, nb or en: the digest's words


def company_scope(settings: Settings) -> Scope:
    return Scope(id=COMPANY, team=None, timezone=settings.timezone, language=digest_language(settings.language))


def scope_of_team(team: Team) -> Scope:
    return Scope(id=team.id, team=team.name, timezone=team.timezone, language=digest_language(team.language))


@dataclass
class _Counts:
    """The week counts of one scope: ``by[dim][week][value] = n``."""

    by: dict[str, dict[dt.date, dict[str, int]]]

    def get(self, dim: str, week: Week, value: str = "") -> int:
        return self.by.get(dim, {}).get(week.monday, {}).get(value, 0)

    def values(self, dim: str, week: Week) -> dict[str, int]:
        return self.by.get(dim, {}).get(week.monday, {})

    def total(self, dim: str, weeks: Iterable[Week], value: str = "") -> int:
        return sum(self.get(dim, w, value) for w in weeks)


def build_digest(
    conn: Connection, scope: Scope, week: Week, taxonomy: Taxonomy, link: str, note_link: str, repeat_days: int,
    now: dt.datetime,
) -> schemas.Digest:
    """The digest of ``scope`` for ``week``. ``note_link`` is a format string with ``{id}`` for links to notes."""
    start, end = week.bounds(scope.timezone)
    counts = _read_counts(conn, scope.id, week.shift(-TREND_WEEKS), week)
    notes = WeekNotes(conn, scope.id, start, end, counts.get("notes", week))
    volume = _volume(counts, week)
    sentiment = _sentiment(counts, week)
    themes = _themes(counts, week, taxonomy, scope.language, notes)
    emerging = _emerging(conn, scope.id, counts, week, notes)
    first, last = week.monday, week.last_day()
    digest = schemas.Digest(
        team=scope.team,
        title="",
        week=week.name,
        first_day=first,
        last_day=last,
        timezone=scope.timezone,
        language=scope.language,
        generated_at=now,
        link=link,
        summary=[],
        volume=volume,
        sentiment=sentiment,
        themes=themes,
        emerging=emerging,
        repeat_complaints=_repeats(conn, notes, taxonomy, scope.language, repeat_days),
        follow_ups=_follow_ups(conn, scope.id, start, end, last, note_link),
        praise=notes.praise(PRAISE),
    )
    digest.title, digest.summary = summarise(digest, repeat_days)
    return digest


def _read_counts(conn: Connection, scope: int, first: Week, last: Week) -> _Counts:
    by: dict[str, dict[dt.date, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    query = select(WeekCount.dim, WeekCount.week, WeekCount.value, WeekCount.n).where(
        WeekCount.scope == scope,
        WeekCount.dim.in_(_DIMS),  # not the many lemma rows: emerging topics read the few they need
        WeekCount.week.between(first.monday, last.monday),
    )
    for dim, monday, value, n in conn.execute(query):
        if n:
            by[dim][monday][value] = n
    return _Counts(by)


def _pct(now: float, before: float) -> float | None:
    return None if before <= 0 else round(100.0 * (now - before) / before, 1)


def _volume(counts: _Counts, week: Week) -> schemas.VolumeSection:
    notes, previous = counts.get("notes", week), counts.get("notes", week.shift(-1))

    def shares(dim: str) -> list[schemas.Share]:
        items = sorted(counts.values(dim, week).items(), key=lambda kv: (-kv[1], kv[0]))
        return [schemas.Share(key=k, count=n) for k, n in items]

    return schemas.VolumeSection(
        notes=notes,
        previous_week=previous,
        change_pct=_pct(notes, previous),
        agents=len(counts.values("agent", week)),
        by_channel=shares("channel"),
        by_lang=shares("lang"),
    )


def _index(counts: _Counts, week: Week) -> float | None:
    total = counts.get("notes", week)
    if not total:
        return None
    positive, negative = counts.get("sentiment", week, "positive"), counts.get("sentiment", week, "negative")
    return round(100.0 * (positive - negative) / total, 1)


def _sentiment(counts: _Counts, week: Week) -> schemas.SentimentSection:
    """The net sentiment index: positive share minus negative share. Mixed notes count in the base but on
    neither side, as a survey's passive answers do."""
    index, before = _index(counts, week), _index(counts, week.shift(-1))
    trend = [
        schemas.SentimentWeek(week=w.name, index=_index(counts, w), notes=counts.get("notes", w))
        for w in (week.shift(-k) for k in range(TREND_WEEKS - 1, -1, -1))
    ]
    return schemas.SentimentSection(
        index=index,
        notes=counts.get("notes", week),
        positive=counts.get("sentiment", week, "positive"),
        negative=counts.get("sentiment", week, "negative"),
        neutral=counts.get("sentiment", week, "neutral"),
        mixed=counts.get("sentiment", week, "mixed"),
        change=None if index is None or before is None else round(index - before, 1),
        trend=trend,
    )


def _theme_trend(count: int, earlier: int) -> str:
    """Compare this week's count with the 4 weeks before as Poisson rates (one week against four)."""
    if earlier == 0:
        return "new" if count >= 3 else "flat"
    average = earlier / AVERAGE_WEEKS
    significant = _poisson_g2(count, earlier) >= 3.84  # p < 0.05
    if count >= 3 and count >= 1.5 * average and significant:
        return "rising"
    if average >= 3 and count <= average / 1.5 and significant:
        return "falling"
    return "flat"


def _poisson_g2(count: int, earlier: int) -> float:
    """G² of one week's count against the four weeks before, as Poisson counts over exposures 1 and 4."""
    total = count + earlier
    expected_now, expected_before = total / (AVERAGE_WEEKS + 1), total * AVERAGE_WEEKS / (AVERAGE_WEEKS + 1)
    g2 = 0.0
    for observed, expected in ((count, expected_now), (earlier, expected_before)):
        if observed > 0:
            g2 += observed * math.log(observed / expected)
    return 2.0 * g2


def _themes(
    counts: _Counts, week: Week, taxonomy: Taxonomy, language: str, notes: WeekNotes
) -> list[schemas.ThemeSection]:
    previous = [week.shift(-k) for k in range(1, AVERAGE_WEEKS + 1)]
    now, last = counts.values("theme", week), counts.values("theme", week.shift(-1))
    sections: list[tuple[float, schemas.ThemeSection]] = []
    for theme_id in set(now) | set(last):
        count = now.get(theme_id, 0)
        earlier = counts.total("theme", previous, theme_id)
        negative = counts.get("theme_negative", week, theme_id)
        positive = counts.get("theme_positive", week, theme_id)
        trend = _theme_trend(count, earlier)
        quotes, about = notes.theme_quotes(theme_id, QUOTES) if count else ([], [])
        label = taxonomy[theme_id].label_for(language) if theme_id in taxonomy else theme_id
        section = schemas.ThemeSection(
            id=theme_id,
            label=label,
            count=count,
            last_week=last.get(theme_id, 0),
            average_4w=round(earlier / AVERAGE_WEEKS, 2),
            change_pct=_pct(count, last.get(theme_id, 0)),
            change_vs_average_pct=_pct(count, earlier / AVERAGE_WEEKS),
            negative_share=round(negative / count, 3) if count else 0.0,
            positive_share=round(positive / count, 3) if count else 0.0,
            trend=trend,  # type: ignore[arg-type]
            about=about,
            quotes=quotes,
        )
        # What matters most: many notes, mostly negative, and growing.
        weight = count * (0.5 + section.negative_share) * (1.5 if trend in ("new", "rising") else 1.0)
        sections.append((weight, section))
    sections.sort(key=lambda ws: (-ws[0], -ws[1].count, ws[1].id))
    return [s for _, s in sections]


def _emerging(conn: Connection, scope: int, counts: _Counts, week: Week, notes: WeekNotes) -> list[schemas.EmergingTopic]:
    baseline = [week.shift(-k) for k in range(1, BASELINE_WEEKS + 1)]
    notes_now, notes_before = counts.get("notes", week), counts.total("notes", baseline)
    if notes_before == 0 or notes_now == 0:
        return []  # without earlier weeks everything would look new
    # One query: this week's frequent phrases, each with its count in the baseline weeks (a seek per phrase
    # on the lemma index, in the database rather than a round trip per phrase).
    now, before = aliased(WeekCount), aliased(WeekCount)
    query = (
        select(now.value, now.n, func.coalesce(func.sum(before.n), 0))
        .outerjoin(
            before,
            and_(
                before.scope == now.scope,
                before.dim == "lemma",
                before.value == now.value,
                before.week.between(baseline[-1].monday, baseline[0].monday),
            ),
        )
        .where(now.scope == scope, now.dim == "lemma", now.week == week.monday, now.n >= MIN_SUPPORT)
        .group_by(now.value, now.n)
    )
    this_week: dict[str, int] = {}
    earlier: dict[str, int] = {}
    for value, n, b in conn.execute(query):
        this_week[value], earlier[value] = n, int(b)
    topics = []
    for rise in rises(this_week, notes_now, earlier, notes_before, len(baseline)):
        quotes, themes = notes.phrase_quotes(rise.phrase, QUOTES)
        topics.append(
            schemas.EmergingTopic(
                phrase=rise.phrase,
                count=rise.count,
                baseline_per_week=round(rise.baseline, 2),
                ratio=None if math.isinf(rise.ratio) else round(rise.ratio, 1),
                themes=themes,
                quotes=quotes,
            )
        )
    return topics


def _repeats(
    conn: Connection, notes: WeekNotes, taxonomy: Taxonomy, language: str, repeat_days: int
) -> list[schemas.DigestRepeat]:
    """Customers with two or more negative notes on one theme within the repeat window, seen this week."""
    latest = dict(list(notes.repeats().items())[: MAX_REPEATS * 3])
    if not latest:
        return []
    window = dt.timedelta(days=repeat_days)
    since = min(n.captured_at for n in latest.values()) - window
    history: dict[tuple[str, str], list[dt.datetime]] = defaultdict(list)
    rows = conn.execute(
        select(Note.customer_ref, NoteTheme.theme_id, Note.captured_at)
        .join(NoteTheme, NoteTheme.note_id == Note.id)
        .where(
            Note.customer_ref.in_({customer for customer, _ in latest}),
            Note.sentiment.in_(_NEGATIVE),
            Note.captured_at >= since,
        )
    )
    for customer, theme_id, captured in rows:
        history[(customer, theme_id)].append(captured)
    found: list[schemas.DigestRepeat] = []
    for (customer, theme_id), note in latest.items():
        last = note.captured_at
        within = [c for c in history.get((customer, theme_id), []) if last - window <= c <= last]
        if len(within) < 2:
            continue
        label = taxonomy[theme_id].label_for(language) if theme_id in taxonomy else theme_id
        found.append(
            schemas.DigestRepeat(
                customer_ref=customer, theme=theme_id, theme_label=label, notes=len(within), first=min(within),
                last=last, latest=note.quote(),
            )
        )
    found.sort(key=lambda r: (-r.notes, r.customer_ref, r.theme))
    return found[:MAX_REPEATS]


def _follow_ups(
    conn: Connection, scope: int, start: dt.datetime, end: dt.datetime, last_day: dt.date, note_link: str
) -> schemas.FollowUpSection:
    """Follow-ups opened and closed this week, and those open at its end (overdue first)."""
    where = [] if scope == COMPANY else [FollowUp.team_id == scope]
    in_week = lambda column: and_(column >= start, column < end, *where)  # noqa: E731
    opened = conn.execute(select(func.count()).select_from(FollowUp).where(in_week(FollowUp.created_at))).scalar_one()
    closed = conn.execute(select(func.count()).select_from(FollowUp).where(in_week(FollowUp.closed_at))).scalar_one()
    open_at_end = and_(FollowUp.created_at < end, or_(FollowUp.closed_at.is_(None), FollowUp.closed_at >= end), *where)
    total = conn.execute(select(func.count()).select_from(FollowUp).where(open_at_end)).scalar_one()
    overdue = conn.execute(
        select(func.count()).select_from(FollowUp).where(open_at_end, FollowUp.due <= last_day)
    ).scalar_one()
    rows = conn.execute(
        select(FollowUp.id, FollowUp.note_id, FollowUp.due, Note.text, Note.customer_ref, User.name)
        .join(Note, Note.id == FollowUp.note_id)
        .outerjoin(User, User.id == FollowUp.assignee_id)
        .where(open_at_end)
        .order_by(FollowUp.due.is_(None), FollowUp.due, FollowUp.id)
        .limit(MAX_FOLLOW_UPS)
    ).all()
    items = [
        schemas.FollowUpItem(
            id=r.id, note_id=r.note_id, text=r.text, customer_ref=r.customer_ref, assignee=r.name, due=r.due,
            overdue=r.due is not None and r.due <= last_day, link=note_link.format(id=r.note_id),
        )
        for r in rows
    ]
    return schemas.FollowUpSection(opened=opened, closed=closed, open=total, overdue=overdue, items=items)
