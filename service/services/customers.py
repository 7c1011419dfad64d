"""A customer's history across teams, so that no colleague asks them to explain twice."""

from __future__ import annotations

import collections
import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service import schemas
from service.errors import Forbidden, NotFound
from service.models import FollowUp, Note, User
from service.services.auth import Principal
from service.services.followups import follow_up_out
from service.services.note_views import note_out
from service.settings import Settings

__all__ = ["CustomerService"]

RECENT = 20
HISTORY_LIMIT = 1000


class CustomerService:
    def __init__(self, session: AsyncSession, settings: Settings, principal: Principal) -> None:
        self.session = session
        self.settings = settings
        self.principal = principal
        if principal.role == "integration":
            raise Forbidden("integration keys cannot read customer histories")

    async def notes(self, ref: str, limit: int = 100) -> list[Note]:
        query = (
            select(Note)
            .where(Note.customer_ref == ref)
            .order_by(Note.captured_at.desc(), Note.id.desc())
            .limit(min(max(1, limit), HISTORY_LIMIT))
        )
        return list((await self.session.execute(query)).unique().scalars())

    async def summary(self, ref: str) -> schemas.CustomerSummary:
        notes = await self.notes(ref, HISTORY_LIMIT)
        if not notes:
            raise NotFound(f"no notes about customer {ref!r}")
        sentiment = collections.Counter(n.sentiment for n in notes)
        by_month: dict[tuple[str, str], list[int]] = collections.defaultdict(lambda: [0, 0])
        for n in notes:
            for t in n.themes:
                cell = by_month[(t.theme_id, n.captured_at.strftime("%Y-%m"))]
                cell[0] += 1
                cell[1] += n.sentiment == "negative"
        follow_ups = list(
            (
                await self.session.execute(
                    select(FollowUp).where(FollowUp.note_id.in_([n.id for n in notes]), FollowUp.status == "open")
                )
            ).scalars()
        )
        names = {n.id: n.team.name for n in notes}
        assignees = {
            u.id: u.name
            for u in (
                await self.session.execute(select(User).where(User.id.in_({f.assignee_id for f in follow_ups if f.assignee_id})))
            ).scalars()
        }
        return schemas.CustomerSummary(
            customer_ref=ref,
            notes=len(notes),
            first_seen=min(n.captured_at for n in notes),
            last_seen=max(n.captured_at for n in notes),
            sentiment=dict(sentiment),
            themes=[
                schemas.ThemeCount(theme=theme, month=month, count=c[0], negative=c[1])
                for (theme, month), c in sorted(by_month.items(), key=lambda kv: (kv[0][1], kv[0][0]))
            ],
            open_follow_ups=[follow_up_out(f, names[f.note_id], assignees.get(f.assignee_id)) for f in follow_ups],
            repeat_complaints=self._repeats(notes),
            recent=[note_out(n) for n in notes[:RECENT]],
        )

    def _repeats(self, notes: list[Note]) -> list[schemas.RepeatComplaint]:
        """Themes on which the customer made two or more negative notes within the repeat window."""
        window = dt.timedelta(days=self.settings.repeat_window_days)
        by_theme: dict[str, list[Note]] = collections.defaultdict(list)
        for n in sorted(notes, key=lambda n: n.captured_at):
            if n.sentiment in ("negative", "mixed"):
                for t in n.themes:
                    by_theme[t.theme_id].append(n)
        found = []
        for theme, items in by_theme.items():
            cluster = [i for i in items if any(o is not i and abs(i.captured_at - o.captured_at) <= window for o in items)]
            if len(cluster) >= 2:
                found.append(
                    schemas.RepeatComplaint(
                        theme=theme, notes=[n.id for n in cluster], first=cluster[0].captured_at, last=cluster[-1].captured_at
                    )
                )
        return found
