"""Batch capture: each item is validated and stored on its own, so one bad item loses no other."""

from __future__ import annotations

import msgspec

from service import schemas
from service.errors import Invalid, LydhorError
from service.http_errors import status_of
from service.services.notes import NoteService, note_out

__all__ = ["create_batch", "validation_error"]



def validation_error(exc: msgspec.ValidationError | msgspec.DecodeError) -> schemas.ErrorOut:
    """msgspec's message as the service's error shape, with the field it names."""
    message = str(exc)
    field = None
    if " - at `$." in message:
        message, _, path = message.partition(" - at `$.")
        field = path.rstrip("`").split("[")[0].split(".")[0] or None
    elif "unknown field `" in message:
        field = message.split("unknown field `", 1)[1].split("`", 1)[0]
    elif "missing required field `" in message:
        field = message.split("missing required field `", 1)[1].split("`", 1)[0]
    return schemas.ErrorOut(error="invalid", detail=message, field=field)


async def create_batch(service: NoteService, data: schemas.NoteBatch) -> schemas.BatchOut:
    limit = service.settings.max_batch_notes
    if len(data.notes) > limit:
        raise Invalid(f"a batch holds at most {limit} notes; this one has {len(data.notes)}", field="notes")
    results: list[schemas.BatchItemResult] = []
    created = existing = failed = 0
    for index, raw in enumerate(data.notes):
        try:
            item = msgspec.convert(raw, schemas.NoteCreate)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            failed += 1
            results.append(schemas.BatchItemResult(index=index, status=422, error=validation_error(exc)))
            continue
        try:
            async with service.session.begin_nested():
                note, is_new = await service.create(item)
        except LydhorError as exc:
            failed += 1
            error = schemas.ErrorOut(error=exc.code, detail=exc.detail, field=exc.field)
            results.append(schemas.BatchItemResult(index=index, status=status_of(exc), error=error))
            continue
        created += is_new
        existing += not is_new
        results.append(schemas.BatchItemResult(index=index, status=201 if is_new else 200, note=note_out(note)))
    return schemas.BatchOut(results=results, created=created, existing=existing, failed=failed)
