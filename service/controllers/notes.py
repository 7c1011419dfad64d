"""HTTP handlers for notes, follow-ups, customers and on-the-fly analysis. Thin: services do the work."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service import schemas
from service.errors import Invalid
from service.services.auth import Principal
from service.services.batch import create_batch
from service.services.customers import CustomerService
from service.services.followups import FollowUpService
from service.services.note_views import note_out
from service.services.notes import NoteFilters, NoteService
from service.services.taxonomy import AnalyzerHolder
from service.settings import Settings

__all__ = ["NoteController", "FollowUpController", "CustomerController", "AnalyzeController"]

BATCH_MAX_BYTES = 2 * 1024 * 1024

class NoteController(Controller):
    path = "/api/notes"
    tags = ["notes"]

    @post("/", status_code=HTTP_201_CREATED, summary="Capture one note (idempotent by client_key)")
    async def create(self, data: schemas.NoteCreate, note_service: NoteService) -> Response[schemas.NoteOut]:
        """201 with the stored note and its analysis; 200 with the stored note when the same client_key
        arrives again with the same content; 409 when it arrives with different content."""
        note, created = await note_service.create(data)
        return Response(note, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @post(
        "/batch",
        status_code=HTTP_200_OK,
        summary="Capture up to 500 notes; results per item, in order",
        request_max_body_size=BATCH_MAX_BYTES,
    )
    async def batch(self, data: schemas.NoteBatch, note_service: NoteService) -> schemas.BatchOut:
        """For importers and offline queues: each item is stored or rejected on its own."""
        return await create_batch(note_service, data)

    @get("/", summary="List notes, newest first, with filters and a cursor")
    async def list_notes(
        self,
        note_service: NoteService,
        team: str | None = None,
        agent: str | None = None,
        customer: str | None = None,
        theme: str | None = None,
        tag: str | None = None,
        sentiment: schemas.Sentiment | None = None,
        lang: str | None = None,
        channel: schemas.Channel | None = None,
        verbatim: bool | None = None,
        date_from: Annotated[dt.datetime | None, Parameter(query="from", description="captured_at ≥ this")] = None,
        date_to: Annotated[dt.datetime | None, Parameter(query="to", description="captured_at < this")] = None,
        q: Annotated[str | None, Parameter(max_length=200, description="words in the note's text")] = None,
        cursor: str | None = None,
        limit: Annotated[int | None, Parameter(ge=1, le=200)] = None,
    ) -> schemas.NotePage:
        filters = NoteFilters(team, agent, customer, theme, tag, sentiment, lang, channel, verbatim, date_from, date_to, q)
        notes, next_cursor = await note_service.list(filters, cursor, limit)
        return schemas.NotePage(items=notes, next=next_cursor)

    @get("/{note_id:uuid}", summary="One note")
    async def get_note(self, note_id: uuid.UUID, note_service: NoteService) -> schemas.NoteOut:
        return note_out(await note_service.get(note_id))

    @patch("/{note_id:uuid}", summary="Correct a note's themes or tags (kept as a correction)")
    async def patch_note(self, note_id: uuid.UUID, data: schemas.NotePatch, note_service: NoteService) -> schemas.NoteOut:
        return note_out(await note_service.patch(note_id, data))

    @delete("/{note_id:uuid}", summary="Delete a note (admin only, audit-logged)")
    async def delete_note(self, note_id: uuid.UUID, note_service: NoteService) -> None:
        await note_service.delete(note_id)

    @post("/{note_id:uuid}/follow-up", status_code=HTTP_201_CREATED, summary="Open a follow-up on a note")
    async def open_follow_up(
        self, note_id: uuid.UUID, data: schemas.FollowUpCreate, follow_up_service: FollowUpService
    ) -> schemas.FollowUpOut:
        return await follow_up_service.out(await follow_up_service.open(note_id, data))


class FollowUpController(Controller):
    path = "/api/follow-ups"
    tags = ["follow-ups"]

    @get("/", summary="Follow-ups visible to the caller, by due date")
    async def list_follow_ups(
        self, follow_up_service: FollowUpService, status: Annotated[str | None, Parameter(pattern="^(open|done)$")] = None
    ) -> list[schemas.FollowUpOut]:
        return [await follow_up_service.out(f) for f in await follow_up_service.list(status)]

    @get("/{follow_up_id:int}", summary="One follow-up")
    async def get_follow_up(self, follow_up_id: int, follow_up_service: FollowUpService) -> schemas.FollowUpOut:
        return await follow_up_service.out(await follow_up_service.get(follow_up_id))

    @patch("/{follow_up_id:int}", summary="Assign, reschedule or resolve a follow-up")
    async def patch_follow_up(
        self, follow_up_id: int, data: schemas.FollowUpPatch, follow_up_service: FollowUpService
    ) -> schemas.FollowUpOut:
        return await follow_up_service.out(await follow_up_service.update(follow_up_id, data))


class CustomerController(Controller):
    path = "/api/customers"
    tags = ["customers"]

    @get("/{ref:str}", summary="A customer's summary: themes over time, open follow-ups, repeat complaints")
    async def summary(self, ref: str, customer_service: CustomerService) -> schemas.CustomerSummary:
        return await customer_service.summary(ref)

    @get("/{ref:str}/notes", summary="Everything the customer said before, newest first")
    async def notes(
        self, ref: str, customer_service: CustomerService, limit: Annotated[int, Parameter(ge=1, le=1000)] = 100
    ) -> list[schemas.NoteOut]:
        return [note_out(n) for n in await customer_service.notes(ref, limit)]


class AnalyzeController(Controller):
    path = "/api/analyze"
    tags = ["analysis"]

    @post("/", status_code=HTTP_200_OK, summary="Analyse a text without storing it (live suggestions)")
    async def analyze(
        self, data: schemas.AnalyzeIn, principal: Principal, analyzer_holder: AnalyzerHolder, settings: Settings
    ) -> schemas.AnalyzeOut:
        if not data.text.strip():
            raise Invalid("text is empty after trimming white space", field="text")
        analyzer = analyzer_holder.analyzer
        a = analyzer.analyze(data.text.strip(), lang=data.lang)
        taxonomy = analyzer.taxonomy
        return schemas.AnalyzeOut(
            lang=a.lang,
            lang_confidence=a.lang_confidence,
            supported=a.supported,
            redacted=a.redacted,
            themes=[
                schemas.ThemeSuggestion(
                    id=t.id, label=taxonomy[t.id].label_for(a.lang if a.supported else "en"), score=t.score, evidence=t.evidence
                )
                for t in a.themes
            ],
            sentiment=a.sentiment,
            sentiment_score=a.sentiment_score,
            keyphrases=a.keyphrases,
        )
