"""Batch capture: each item is validated and stored on its own, so one bad item loses no other."""

from __future__ import annotations

import msgspec

from service import schemas
from service.errors import Invalid, LydhorError
from service.http_errors import status_of
from service.services.notes import NoteService

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
    results: list[schemas.BatchItemResult | None] = [None] * len(data.notes)
    valid: list[tuple[int, schemas.NoteCreate]] = []
    for index, raw in enumerate(data.notes):
        try:
            valid.append((index, msgspec.convert(raw, schemas.NoteCreate)))
        except msgspec.ValidationError as exc:
            results[index] = schemas.BatchItemResult(index=index, status=422, error=validation_error(exc))
    stored = await service.create_many([item for _, item in valid])
    for (index, _), (result, is_new) in zip(valid, stored):
        if isinstance(result, LydhorError):
            error = schemas.ErrorOut(error=result.code, detail=result.detail, field=result.field)
            results[index] = schemas.BatchItemResult(index=index, status=status_of(result), error=error)
        else:
            results[index] = schemas.BatchItemResult(index=index, status=201 if is_new else 200, note=result)
    final = [r for r in results if r is not None]
    created = sum(r.status == 201 for r in final)
    existing = sum(r.status == 200 for r in final)
    return schemas.BatchOut(results=final, created=created, existing=existing, failed=len(final) - created - existing)
