"""Capturing and reading notes through the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from service.models import AuditEntry, Note, NoteCorrection
from tests.service.conftest import World

pytestmark = pytest.mark.anyio


async def count_notes(world: World) -> int:
    async with world.session() as session:
        return (await session.execute(select(func.count()).select_from(Note))).scalar_one()


async def test_a_note_is_stored_redacted_with_its_analysis(world: World) -> None:
    r = await world.client.post(
        "/api/notes",
        json={
            "text": "  Pakken kom først efter ti dage, ring på 28 91 34 57. Kunden er meget utilfreds  ",
            "customer_ref": "C-100",
            "channel": "phone",
            "verbatim": False,
            "tags": ["ordre", "ordre", "vip"],
            "mood": -2,
        },
        headers=world.auth("agent_north"),
    )
    assert r.status_code == 201, r.text
    note = r.json()
    assert note["text"] == "Pakken kom først efter ti dage, ring på [PHONE]. Kunden er meget utilfreds"
    assert note["team"] == "north" and note["agent"] == "agent_north"
    assert note["lang"] == "da" and note["sentiment"] == "negative"
    assert {"id": "delivery", "source": "nlp"}.items() <= next(t for t in note["themes"] if t["id"] == "delivery").items()
    assert note["tags"] == ["ordre", "vip"] and note["mood"] == -2 and note["verbatim"] is False
    async with world.session() as session:
        stored = (await session.execute(select(Note.text))).scalars().all()
    assert all("28 91 34 57" not in t for t in stored)


async def test_a_retry_with_the_same_client_key_returns_the_stored_note(world: World) -> None:
    body = {"text": "Appen logger mig ud hele tiden", "client_key": str(uuid.uuid4())}
    first = await world.client.post("/api/notes", json=body, headers=world.auth("agent_north"))
    again = await world.client.post("/api/notes", json=body, headers=world.auth("agent_north"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert await count_notes(world) == 1


async def test_the_same_client_key_with_other_content_is_a_conflict(world: World) -> None:
    key = str(uuid.uuid4())
    await world.post_note("agent_north", text="Prisen er for høj", client_key=key)
    r = await world.client.post("/api/notes", json={"text": "Noget helt andet", "client_key": key}, headers=world.auth("agent_north"))
    assert r.status_code == 409
    assert r.json()["error"] == "conflict" and r.json()["field"] == "client_key"


async def test_concurrent_retries_store_the_note_exactly_once(world: World) -> None:
    body = {"text": "Leveringen var hurtig, tak", "client_key": str(uuid.uuid4())}
    answers = await asyncio.gather(
        *(world.client.post("/api/notes", json=body, headers=world.auth("agent_north")) for _ in range(8))
    )
    assert sorted(a.status_code for a in answers).count(201) == 1
    assert {a.json()["id"] for a in answers} == {answers[0].json()["id"]}
    assert await count_notes(world) == 1


async def test_batch_answers_each_item_in_order_and_keeps_the_good_ones(world: World) -> None:
    key = str(uuid.uuid4())
    body = {
        "notes": [
            {"text": "Fakturaen er forkert, trukket to gange", "client_key": key},
            {"text": ""},
            {"text": "Hej", "colour": "blue"},
            {"text": "Fakturaen er forkert, trukket to gange", "client_key": key},
            {"text": "Hun fik hjælp med det samme, super service"},
        ]
    }
    r = await world.client.post("/api/notes/batch", json=body, headers=world.auth("agent_north"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert [x["status"] for x in out["results"]] == [201, 422, 422, 200, 201]
    assert out["results"][2]["error"]["field"] == "colour"
    assert (out["created"], out["existing"], out["failed"]) == (2, 1, 2)
    assert await count_notes(world) == 2


async def test_batch_over_500_notes_is_refused(world: World) -> None:
    body = {"notes": [{"text": f"note {i}"} for i in range(501)]}
    r = await world.client.post("/api/notes/batch", json=body, headers=world.auth("agent_north"))
    assert r.status_code == 422 and "at most 500" in r.json()["detail"]


async def test_listing_filters_and_pages_with_a_cursor(world: World) -> None:
    for i in range(5):
        await world.post_note("agent_north", text=f"Pakken er forsinket igen, dag {i}", channel="chat", tags=["fragt"])
    await world.post_note("agent_north", text="Medarbejderen var sød og hjælpsom", channel="store")
    await world.post_note("agent_south", text="Prisen er steget alt for meget")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "theme": "delivery"} | ({"cursor": cursor} if cursor else {})
        page = (await world.client.get("/api/notes", params=params, headers=world.auth("manager_north"))).json()
        seen += [n["id"] for n in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5
    by_channel = (await world.client.get("/api/notes", params={"channel": "store"}, headers=world.auth("manager_north"))).json()
    assert [n["text"] for n in by_channel["items"]] == ["Medarbejderen var sød og hjælpsom"]
    tagged = (await world.client.get("/api/notes", params={"tag": "fragt", "q": "dag 3"}, headers=world.auth("admin"))).json()
    assert len(tagged["items"]) == 1
    positive = (await world.client.get("/api/notes", params={"sentiment": "positive"}, headers=world.auth("admin"))).json()
    assert [n["channel"] for n in positive["items"]] == ["store"]
    # A manager sees only their team; an agent only their own notes.
    south = (await world.client.get("/api/notes", headers=world.auth("manager_south"))).json()
    assert [n["team"] for n in south["items"]] == ["south"]
    own = (await world.client.get("/api/notes", headers=world.auth("agent_north2"))).json()
    assert own["items"] == []


async def test_a_period_filter_finds_notes_by_when_the_remark_was_made(world: World) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    at = lambda **ago: (now - dt.timedelta(**ago)).isoformat()  # noqa: E731
    await world.post_note("agent_north", text="Faktura forkert, gammel sag", captured_at=at(days=40))  # imported history
    await world.post_note("agent_north", text="Faktura forkert, i går", captured_at=at(days=1))
    await world.post_note("agent_north", text="Faktura forkert, om lidt", captured_at=(now + dt.timedelta(hours=2)).isoformat())
    await world.post_note("agent_north", text="Faktura forkert, i dag")
    week = (await world.client.get("/api/notes", params={"from": at(days=7)}, headers=world.auth("manager_north"))).json()
    assert sorted(n["text"] for n in week["items"]) == ["Faktura forkert, i dag", "Faktura forkert, i går", "Faktura forkert, om lidt"]
    old = (await world.client.get("/api/notes", params={"to": at(days=30)}, headers=world.auth("manager_north"))).json()
    assert [n["text"] for n in old["items"]] == ["Faktura forkert, gammel sag"]


async def test_a_remark_dated_days_ahead_of_the_clock_is_refused(world: World) -> None:
    ahead = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3)).isoformat()
    r = await world.client.post("/api/notes", json={"text": "Pakken kom", "captured_at": ahead}, headers=world.auth("agent_north"))
    assert r.status_code == 422
    assert r.json()["field"] == "captured_at" and "ahead of the service's clock" in r.json()["detail"]


async def test_a_correction_of_themes_and_tags_is_kept(world: World) -> None:
    note = await world.post_note("agent_north", text="Pakken kom aldrig frem")
    r = await world.client.patch(
        f"/api/notes/{note['id']}", json={"themes": ["delivery", "communication"], "tags": ["postnord"]},
        headers=world.auth("agent_north"),
    )
    assert r.status_code == 200, r.text
    assert {(t["id"], t["source"]) for t in r.json()["themes"]} == {("delivery", "agent"), ("communication", "agent")}
    assert r.json()["tags"] == ["postnord"]
    async with world.session() as session:
        correction = (await session.execute(select(NoteCorrection))).scalar_one()
    assert correction.before["themes"] == ["delivery"] and "communication" in correction.after["themes"]
    bad = await world.client.patch(f"/api/notes/{note['id']}", json={"themes": ["weather"]}, headers=world.auth("agent_north"))
    assert bad.status_code == 422 and "weather" in bad.json()["detail"]


async def test_only_an_admin_deletes_and_the_deletion_is_audited(world: World) -> None:
    note = await world.post_note("agent_north", text="Slet venligst denne note")
    r = await world.client.delete(f"/api/notes/{note['id']}", headers=world.auth("manager_north"))
    assert r.status_code == 403
    r = await world.client.delete(f"/api/notes/{note['id']}", headers=world.auth("admin"))
    assert r.status_code == 204
    assert (await world.client.get(f"/api/notes/{note['id']}", headers=world.auth("admin"))).status_code == 404
    async with world.session() as session:
        entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "note.delete"))).scalar_one()
    assert entry.target == note["id"] and entry.detail["team"] == "north"


async def test_agent_themes_are_the_notes_themes(world: World) -> None:
    note = await world.post_note("agent_north", text="Kunden ringede om sin ordre", themes=["delivery"])
    assert [(t["id"], t["source"]) for t in note["themes"]] == [("delivery", "agent")]
    r = await world.client.post("/api/notes", json={"text": "x y", "themes": ["nope"]}, headers=world.auth("agent_north"))
    assert r.status_code == 422


async def test_a_repeat_complaint_is_flagged_and_linked(world: World) -> None:
    first = await world.post_note(
        "agent_north", text="Pakken er ikke kommet, kunden er utilfreds", customer_ref="K-7",
        captured_at=(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=10)).isoformat(),
    )
    other = await world.post_note("agent_north", text="Pakken er ikke kommet, kunden er utilfreds", customer_ref="K-8")
    again = await world.post_note("agent_south", text="Pakken er STADIG ikke leveret, helt utilfreds", customer_ref="K-7")
    assert first["repeat"] is False and other["repeat"] is False
    assert again["repeat"] is True and again["repeat_of"] == [first["id"]]
    old = await world.post_note(
        "agent_north", text="Pakken kom for sent, meget irriterende", customer_ref="K-9",
        captured_at=(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=45)).isoformat(),
    )
    later = await world.post_note("agent_north", text="Pakken kom for sent igen, irriterende", customer_ref="K-9")
    assert old["repeat"] is False and later["repeat"] is False  # outside the 30-day window


async def test_repeat_complaints_within_one_imported_batch_are_linked_to_the_earlier_ones(world: World) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    day = lambda n: (now - dt.timedelta(days=n)).isoformat()  # noqa: E731
    body = {"notes": [
        {"text": "Fakturaen er forkert, trukket to gange", "customer_ref": "K-50", "captured_at": day(20)},
        {"text": "Fakturaen er forkert, trukket to gange", "customer_ref": "K-51", "captured_at": day(15)},
        {"text": "Pakken kom for sent, kunden er utilfreds", "customer_ref": "K-50", "captured_at": day(12)},
        {"text": "Stadig trukket to gange på fakturaen, uhørt", "customer_ref": "K-50", "captured_at": day(5)},
        {"text": "Tak for hjælpen med fakturaen, nu passer den", "customer_ref": "K-50", "captured_at": day(2)},
    ]}
    r = await world.client.post("/api/notes/batch", json=body, headers=world.auth("agent_north"))
    notes = [x["note"] for x in r.json()["results"]]
    assert [n["repeat"] for n in notes] == [False, False, False, True, False]
    assert notes[3]["repeat_of"] == [notes[0]["id"]]  # same customer and theme; not K-51's, not the parcel


async def test_a_colleague_sees_the_customers_whole_history(world: World) -> None:
    await world.post_note("agent_north", text="Fakturaen var forkert, trukket to gange", customer_ref="K-42")
    second = await world.post_note("agent_south", text="Stadig trukket to gange, ingen har svaret", customer_ref="K-42")
    await world.client.post(f"/api/notes/{second['id']}/follow-up", json={"due": "2030-01-01"}, headers=world.auth("agent_south"))
    history = await world.client.get("/api/customers/K-42/notes", headers=world.auth("agent_north2"))
    assert history.status_code == 200
    assert [n["team"] for n in history.json()] == ["south", "north"]
    summary = (await world.client.get("/api/customers/K-42", headers=world.auth("agent_north2"))).json()
    assert summary["notes"] == 2 and summary["sentiment"]["negative"] == 2
    assert [f["note_id"] for f in summary["open_follow_ups"]] == [second["id"]]
    assert summary["repeat_complaints"][0]["theme"] == "billing"
    assert any(t["theme"] == "billing" and t["count"] == 2 for t in summary["themes"])
    missing = await world.client.get("/api/customers/nobody", headers=world.auth("agent_north"))
    assert missing.status_code == 404


async def test_follow_up_lifecycle(world: World) -> None:
    note = await world.post_note("agent_north", text="Kunden vil ringes op om refusionen")
    r = await world.client.post(
        f"/api/notes/{note['id']}/follow-up", json={"assignee": "agent_north2", "due": "2020-01-01"},
        headers=world.auth("agent_north"),
    )
    assert r.status_code == 201, r.text
    follow_up = r.json()
    assert follow_up["assignee"] == "agent_north2" and follow_up["status"] == "open" and follow_up["overdue"] is True
    again = await world.client.post(f"/api/notes/{note['id']}/follow-up", json={}, headers=world.auth("agent_north"))
    assert again.status_code == 409
    listed = (await world.client.get("/api/follow-ups", params={"status": "open"}, headers=world.auth("agent_north2"))).json()
    assert [f["id"] for f in listed] == [follow_up["id"]]
    no_resolution = await world.client.patch(f"/api/follow-ups/{follow_up['id']}", json={"status": "done"}, headers=world.auth("agent_north2"))
    assert no_resolution.status_code == 422
    done = await world.client.patch(
        f"/api/follow-ups/{follow_up['id']}", json={"status": "done", "resolution": "Refusion sendt, kunden ringet op"},
        headers=world.auth("agent_north2"),
    )
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["closed_at"]
    assert (await world.client.get("/api/follow-ups", params={"status": "open"}, headers=world.auth("manager_north"))).json() == []


async def test_analyze_suggests_themes_without_storing(world: World) -> None:
    r = await world.client.post("/api/analyze", json={"text": "Leveringstiden er alt for lang"}, headers=world.auth("agent_north"))
    assert r.status_code == 200
    body = r.json()
    assert body["themes"][0]["id"] == "delivery" and body["themes"][0]["label"] == "Levering"
    assert await count_notes(world) == 0


async def test_a_custom_theme_is_used_and_existing_notes_are_reread(world: World) -> None:
    note = await world.post_note("agent_north", text="Færgen sejlede en time for sent")
    assert "ferry" not in [t["id"] for t in note["themes"]]
    r = await world.client.put(
        "/api/themes/ferry",
        json={"label": {"da": "Færge", "en": "Ferry"}, "terms": {"da": {"terms": ["færge"]}}},
        headers=world.auth("admin"),
    )
    assert r.status_code == 200, r.text
    themes = (await world.client.get("/api/themes", headers=world.auth("agent_north"))).json()
    assert {"ferry": True, "delivery": False} == {t["id"]: t["custom"] for t in themes if t["id"] in ("ferry", "delivery")}
    reread = (await world.client.get(f"/api/notes/{note['id']}", headers=world.auth("agent_north"))).json()
    assert "ferry" in [t["id"] for t in reread["themes"]]
    fresh = await world.post_note("agent_north", text="Færgeafgangen blev aflyst")
    assert "ferry" in [t["id"] for t in fresh["themes"]]
    forbidden = await world.client.put("/api/themes/x", json={"label": {"da": "X"}}, headers=world.auth("manager_north"))
    assert forbidden.status_code == 403


async def test_me_health_ready_and_schema(world: World) -> None:
    me = (await world.client.get("/api/me", headers=world.auth("agent_north"))).json()
    assert me["user"]["name"] == "agent_north" and me["user"]["teams"] == ["north"] and me["user"]["role"] == "agent"
    assert (await world.client.get("/health")).json() == {"status": "ok", "checks": {}}
    ready = (await world.client.get("/ready")).json()
    assert ready == {"status": "ok", "checks": {"database": "ok", "nlp": "ok"}}
    schema = (await world.client.get("/schema/openapi.json")).json()
    for path in ("/api/notes", "/api/notes/batch", "/api/customers/{ref}", "/api/follow-ups", "/api/themes/{theme_id}"):
        assert path in schema["paths"], path
    note_in = schema["components"]["schemas"]["NoteCreate"]["properties"]
    assert {"text", "customer_ref", "channel", "verbatim", "tags", "mood", "captured_at", "client_key", "team", "agent", "themes"} <= set(note_in)
