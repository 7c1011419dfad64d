"""The taxonomy in use: the default themes plus the company's own, and the Analyzer built from them."""

from __future__ import annotations

import time
import uuid
from typing import Any

import anyio
import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nlp import Analyzer, Taxonomy, ThemeDef, ThemeTerms
from service import schemas
from service.db import utcnow, write_session
from service.models import CustomTheme, Note, NoteTheme
from service.services.digest.counts import rebuild_counts

__all__ = ["AnalyzerHolder", "custom_themes", "theme_def", "theme_out", "put_theme", "reanalyze_all"]

_CHECK_EVERY = 10.0  # seconds between checks for themes changed by another process


class AnalyzerHolder:
    """Holds the Analyzer for the current taxonomy; rebuilt when custom themes change in the database."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._base = analyzer
        self.analyzer = analyzer
        self.version: str = ""
        self._checked = 0.0

    @property
    def taxonomy(self) -> Taxonomy:
        return self.analyzer.taxonomy

    async def refresh(self, session: AsyncSession, force: bool = False) -> None:
        """Rebuild the Analyzer if the custom themes changed since the last look (at most every 10 s)."""
        now = time.monotonic()
        if not force and now - self._checked < _CHECK_EVERY:
            return
        self._checked = now
        row = (await session.execute(select(func.count(), func.max(CustomTheme.updated_at)))).one()
        version = f"{row[0]}:{row[1].isoformat() if row[1] else ''}"
        if version == self.version:
            return
        themes = await custom_themes(session)
        base = self._base
        self.analyzer = await anyio.to_thread.run_sync(lambda: base.with_themes(themes)) if themes else base
        self.version = version


async def custom_themes(session: AsyncSession) -> list[ThemeDef]:
    """The company's own themes (and changes to default ones) as stored."""
    rows = (await session.execute(select(CustomTheme).order_by(CustomTheme.id))).scalars()
    return [theme_def(r.id, r.definition) for r in rows]


def theme_def(theme_id: str, definition: dict[str, Any]) -> ThemeDef:
    data = msgspec.convert(definition, schemas.ThemePut)
    return ThemeDef(
        id=theme_id,
        label=dict(data.label),
        about=data.about,
        terms={lang: msgspec.convert(msgspec.to_builtins(t), ThemeTerms) for lang, t in data.terms.items()},
        enabled=data.enabled,
    )


def theme_out(theme: ThemeDef, custom: bool) -> schemas.ThemeOut:
    return schemas.ThemeOut(
        id=theme.id,
        label=theme.label,
        about=theme.about,
        custom=custom,
        enabled=theme.enabled,
        terms={lang: msgspec.to_builtins(t) for lang, t in theme.terms.items()},
    )


async def custom_ids(session: AsyncSession) -> set[str]:
    return set((await session.execute(select(CustomTheme.id))).scalars())


async def put_theme(session: AsyncSession, theme_id: str, data: schemas.ThemePut) -> ThemeDef:
    definition = msgspec.to_builtins(data)
    row = await session.get(CustomTheme, theme_id)
    if row is None:
        session.add(CustomTheme(id=theme_id, definition=definition, updated_at=utcnow()))
    else:
        row.definition = definition
        row.updated_at = utcnow()
    return theme_def(theme_id, definition)


async def reanalyze_all(
    sessionmaker: async_sessionmaker, holder: AnalyzerHolder, company_tz: str, batch: int = 500  # type: ignore[type-arg]
) -> int:
    """Re-read every note's themes with the current taxonomy; agents' own choices are kept as they are."""
    done = 0
    last: uuid.UUID | None = None
    async with sessionmaker() as session:
        await holder.refresh(session, force=True)
    analyzer = holder.analyzer
    while True:
        async with write_session(sessionmaker) as session:
            query = select(Note.id, Note.text, Note.lang).order_by(Note.id).limit(batch)
            if last is not None:
                query = query.where(Note.id > last)
            rows = (await session.execute(query)).all()
            if not rows:
                break
            for note_id, text, lang in rows:
                agent_set = set(
                    (
                        await session.execute(
                            select(NoteTheme.theme_id).where(NoteTheme.note_id == note_id, NoteTheme.source == "agent")
                        )
                    ).scalars()
                )
                await session.execute(delete(NoteTheme).where(NoteTheme.note_id == note_id, NoteTheme.source == "nlp"))
                if agent_set or lang not in analyzer.languages:
                    continue
                for hit in analyzer.analyze(text, lang=lang).themes:
                    session.add(NoteTheme(note_id=note_id, theme_id=hit.id, source="nlp", score=hit.score))
            done += len(rows)
            last = rows[-1][0]
    # Themes changed: the digests' counts are recounted from the notes as they now are.
    async with write_session(sessionmaker) as session:
        await session.run_sync(lambda s: rebuild_counts(s.connection(), company_tz))
    return done
