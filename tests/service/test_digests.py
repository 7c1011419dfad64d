"""The weekly digest as a manager reads it: from a team's real notes, through the API, the page and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from service.models import FollowUp

from tests.service.conftest import World
from tests.service.digest_history import NEW_PHRASE, REPEAT_CUSTOMER, WEEKS, history

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]


async def load_history(world: World, weeks: int = 9) -> None:
    notes = history(weeks)
    for start in range(0, len(notes), 200):
        r = await world.client.post("/api/notes/batch", json={"notes": notes[start : start + 200]}, headers=world.auth("agent_north"))
        assert r.status_code == 200, r.text
        assert all(item["status"] in (200, 201) for item in r.json()["results"]), r.text


async def digest(world: World, week: str, who: str = "manager_north", team: str = "north") -> dict:
    r = await world.client.get(f"/api/digests/{team}/{week}", headers=world.auth(who))
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_new_complaint_outside_every_theme_emerges_in_the_week_it_starts(world: World) -> None:
    await load_history(world)
    week9 = await digest(world, WEEKS[8].name)
    week8 = await digest(world, WEEKS[7].name)
    emerging9 = {e["phrase"]: e for e in week9["emerging"]}
    assert any(NEW_PHRASE in phrase for phrase in emerging9), week9["emerging"]
    topic = next(e for phrase, e in emerging9.items() if NEW_PHRASE in phrase)
    assert topic["count"] >= 8 and topic["ratio"] is None  # never seen before
    assert topic["quotes"] and all(NEW_PHRASE in q["text"].lower() for q in topic["quotes"])
    assert topic["themes"] == []  # no theme covers it: that is why it must be shown
    assert not any(NEW_PHRASE in e["phrase"] for e in week8["emerging"])
    assert week8["emerging"] == []  # the same remarks every week: nothing stands out
    assert any(NEW_PHRASE in line for line in week9["summary"])


async def test_a_flat_theme_is_not_reported_as_rising(world: World) -> None:
    await load_history(world)
    week9 = await digest(world, WEEKS[8].name)
    delivery = next(t for t in week9["themes"] if t["id"] == "delivery")
    assert delivery["count"] == delivery["last_week"] == 5 and delivery["average_4w"] == 5
    assert delivery["trend"] == "flat" and delivery["change_pct"] == 0
    assert not any(line.startswith("Levering:") for line in week9["summary"])
    assert all(t["trend"] == "flat" for t in (await digest(world, WEEKS[7].name))["themes"] if t["id"] != "billing")


async def test_the_digest_has_every_section_a_manager_reads(world: World) -> None:
    await load_history(world)
    r = await world.client.post("/api/notes", json={"text": "Kunden venter stadig på pengene for den dobbelte betaling",
                                                    "customer_ref": REPEAT_CUSTOMER, "captured_at": "2026-09-17T10:00:00+02:00"},
                                headers=world.auth("agent_north"))
    note_id = r.json()["id"]
    r = await world.client.post(f"/api/notes/{note_id}/follow-up", json={"due": "2026-09-18"}, headers=world.auth("manager_north"))
    assert r.status_code == 201, r.text
    async with world.session() as session:  # opened in that week, as if this ran then
        await session.execute(update(FollowUp).values(created_at=dt.datetime(2026, 9, 17, 9, tzinfo=dt.timezone.utc)))
        await session.commit()
    d = await digest(world, WEEKS[8].name)
    assert set(d) >= {"summary", "volume", "sentiment", "themes", "emerging", "repeat_complaints", "follow_ups", "praise"}
    assert d["week"] == "2026-W38" and d["first_day"] == "2026-09-14" and d["last_day"] == "2026-09-20"
    assert d["volume"]["notes"] == 25 + 1 + 12 + 1 and d["volume"]["previous_week"] == 26 and d["volume"]["agents"] == 1
    assert {s["key"]: s["count"] for s in d["volume"]["by_channel"]} == {"phone": 25, "email": 1, "chat": 12, "other": 1}
    s = d["sentiment"]
    assert s["notes"] == 39 and s["positive"] + s["negative"] + s["neutral"] + s["mixed"] == 39
    assert s["index"] == round(100 * (s["positive"] - s["negative"]) / 39, 1) and len(s["trend"]) == 8
    assert [t["week"] for t in s["trend"]][::7] == ["2026-W31", "2026-W38"] and s["trend"][-1]["notes"] == 39
    themes = {t["id"]: t for t in d["themes"]}
    assert themes["delivery"]["label"] == "Levering" and len(themes["delivery"]["quotes"]) == 3
    assert len({q["customer_ref"] for q in themes["delivery"]["quotes"]}) == 3
    assert themes["staff"]["positive_share"] > 0.5 and themes["wait_time"]["negative_share"] > 0.5
    repeat = [r for r in d["repeat_complaints"] if r["customer_ref"] == REPEAT_CUSTOMER]
    assert repeat and repeat[0]["theme"] == "billing" and repeat[0]["notes"] >= 2
    f = d["follow_ups"]
    assert f["opened"] == 1 and f["closed"] == 0
    assert f["open"] == 1 and f["overdue"] == 1 and f["items"][0]["note_id"] == note_id and f["items"][0]["overdue"]
    assert f["items"][0]["link"].endswith(f"/notes/{note_id}")
    assert d["praise"] and all(q["sentiment"] == "positive" for q in d["praise"])
    assert d["summary"][0].startswith("39 noter fra 1 medarbejdere i uge 38")


async def test_quotes_are_the_redacted_text(world: World) -> None:
    await load_history(world, weeks=2)
    await world.post_note("agent_north", text="Ring til mig på 22 33 44 55, pakken er forsinket igen!", captured_at="2026-08-04T10:00:00+02:00",
                          customer_ref="DK-P")
    d = await digest(world, WEEKS[2].name)
    texts = [q["text"] for t in d["themes"] for q in t["quotes"]]
    assert not any("22 33 44 55" in t for t in texts)
    assert any("[PHONE]" in t for t in texts)


async def test_a_week_belongs_to_the_teams_time_zone(world: World) -> None:
    r = await world.client.post("/api/teams", json={"name": "oslo", "language": "nb", "timezone": "Europe/Oslo"}, headers=world.auth("admin"))
    assert r.status_code == 201
    await world.client.post("/api/users", json={"name": "ola", "role": "agent", "teams": ["oslo"]}, headers=world.auth("admin"))
    key = (await world.client.post("/api/keys", json={"user": "ola"}, headers=world.auth("admin"))).json()["key"]
    # Sunday 23:30 in Oslo is Sunday 21:30 UTC: still week 38 there, whatever the server's clock says.
    r = await world.client.post("/api/notes", json={"text": "Pakka kom aldri fram", "captured_at": "2026-09-20T21:30:00Z"},
                                headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 201
    d = await digest(world, "2026-W38", who="admin", team="oslo")
    assert d["volume"]["notes"] == 1 and d["language"] == "nb" and d["title"].startswith("Ukens kundestemme: oslo, uke 38")
    assert (await digest(world, "2026-W39", who="admin", team="oslo"))["volume"]["notes"] == 0


async def test_only_the_teams_managers_and_admins_read_its_digest(world: World) -> None:
    for who, status in (("manager_north", 200), ("admin", 200), ("manager_south", 403), ("agent_north", 403), ("integration_north", 403)):
        r = await world.client.get("/api/digests/north/2026-W38", headers=world.auth(who))
        assert r.status_code == status, (who, r.text)
    assert (await world.client.get("/api/digests/north/2026-W38")).status_code == 401
    assert (await world.client.get("/api/digests/2026-W38", headers=world.auth("manager_north"))).status_code == 403
    assert (await world.client.get("/api/digests/2026-W38", headers=world.auth("admin"))).status_code == 200


async def test_a_bad_week_or_team_is_a_clear_error(world: World) -> None:
    for path, status, words in (
        ("/api/digests/north/2026-47", 422, "2026-W47"),
        ("/api/digests/north/2026-W54", 422, "no week 54"),
        ("/api/digests/nowhere/2026-W38", 404, "nowhere"),
    ):
        r = await world.client.get(path, headers=world.auth("admin"))
        assert r.status_code == status and words in r.json()["detail"], r.text


async def test_the_page_opens_with_the_signed_link_and_not_without(world: World) -> None:
    await load_history(world, weeks=2)
    d = await digest(world, WEEKS[1].name)
    link = d["link"].split("://", 1)[1].split("/", 1)[1]
    r = await world.client.get("/" + link, headers={"accept": "text/html"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Levering" in r.text and "<svg" in r.text and "<script" not in r.text
    forged = "/" + link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    r = await world.client.get(forged, headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/signin?next=")
    other = "/" + link.replace("2026-W31", "2026-W32")  # a link opens its own week only
    assert (await world.client.get(other, headers={"accept": "text/html"}, follow_redirects=False)).status_code in (302, 303)


async def test_a_manager_signs_in_and_previews_any_week(world: World) -> None:
    await load_history(world, weeks=2)
    r = await world.client.post("/signin", data={"key": world.keys["manager_north"], "next": "/digests/north/2026-W30"}, follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"] == "/digests/north/2026-W30"
    assert "httponly" in r.headers["set-cookie"].lower()
    r = await world.client.get("/digests/north/2026-W30", headers={"accept": "text/html"})
    assert r.status_code == 200 and "uge 30" in r.text
    r = await world.client.get("/digests/south/2026-W30", headers={"accept": "text/html"})
    assert r.status_code == 403 and "north" not in r.text.split("<main>")[1][:20]
    r = await world.client.post("/signin", data={"key": "lyd_nope_nope", "next": "/"})
    assert r.status_code == 401 and "unknown API key" in r.text


async def test_subscriptions_belong_to_managers_of_the_team(world: World) -> None:
    r = await world.client.post("/api/digest-subscriptions", json={"team": "north", "email": "leder@example.dk"}, headers=world.auth("manager_north"))
    assert r.status_code == 201, r.text
    again = await world.client.post("/api/digest-subscriptions", json={"team": "north", "email": "LEDER@example.dk"}, headers=world.auth("manager_north"))
    assert again.status_code == 409
    assert (await world.client.post("/api/digest-subscriptions", json={"team": "south", "email": "x@example.dk"},
                                    headers=world.auth("manager_north"))).status_code == 403
    assert (await world.client.post("/api/digest-subscriptions", json={"team": "north", "email": "not-an-address"},
                                    headers=world.auth("manager_north"))).status_code == 422
    listed = (await world.client.get("/api/digest-subscriptions", headers=world.auth("manager_north"))).json()
    assert [s["email"] for s in listed] == ["leder@example.dk"]
    assert (await world.client.get("/api/digest-subscriptions", headers=world.auth("manager_south"))).json() == []
    sid = r.json()["id"]
    assert (await world.client.delete(f"/api/digest-subscriptions/{sid}", headers=world.auth("manager_south"))).status_code == 403
    assert (await world.client.delete(f"/api/digest-subscriptions/{sid}", headers=world.auth("manager_north"))).status_code == 204


async def test_the_counts_follow_corrections_and_deletions(world: World) -> None:
    note = await world.post_note("agent_north", text="Pakken kom tre dage for sent", captured_at="2026-09-15T10:00:00+02:00")
    d = await digest(world, "2026-W38")
    assert {t["id"]: t["count"] for t in d["themes"]} == {"delivery": 1}
    r = await world.client.patch(f"/api/notes/{note['id']}", json={"themes": ["wait_time"]}, headers=world.auth("agent_north"))
    assert r.status_code == 200
    d = await digest(world, "2026-W38")
    assert {t["id"]: t["count"] for t in d["themes"] if t["count"]} == {"wait_time": 1}
    assert (await world.client.delete(f"/api/notes/{note['id']}", headers=world.auth("admin"))).status_code == 204
    d = await digest(world, "2026-W38")
    assert d["volume"]["notes"] == 0 and [t for t in d["themes"] if t["count"]] == []


def test_the_command_line_prints_a_digest_in_each_format(tmp_path: Path) -> None:
    env = {**os.environ, "LYDHOR_DATA_DIR": str(tmp_path), "LYDHOR_DATABASE_URL": ""}
    run = lambda *args: subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: E731
    assert run("teams", "create", "north").returncode == 0
    out = run("digest", "--team", "north", "--week", "2026-W38", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["week"] == "2026-W38"
    text = run("digest", "--team", "north", "--week", "2026-W38", "--format", "text")
    assert text.returncode == 0 and "uge 38" in text.stdout and "Ingen noter i uge 38." in text.stdout
    html = run("digest", "--team", "north", "--week", "2026-W38", "--format", "html")
    assert html.returncode == 0 and html.stdout.lstrip().startswith("<!doctype html>")
    bad = run("digest", "--team", "north", "--week", "W38")
    assert bad.returncode == 2 and "2026-W47" in bad.stderr
    unsent = run("digest", "send", "--team", "north", "--week", "2026-W38")
    assert unsent.returncode == 2 and "LYDHOR_SMTP_HOST" in unsent.stderr




async def test_a_follow_up_link_opens_the_note_with_the_customers_history(world: World) -> None:
    first = await world.post_note("agent_north", text="Pakken kom ikke", customer_ref="DK-77", captured_at="2026-09-14T10:00:00+02:00")
    second = await world.post_note("agent_north", text="Pakken er stadig ikke kommet, jeg vil have pengene tilbage",
                                   customer_ref="DK-77", captured_at="2026-09-16T10:00:00+02:00")
    await world.client.post(f"/api/notes/{second['id']}/follow-up", json={"due": "2026-09-18"}, headers=world.auth("manager_north"))
    page = f"/notes/{second['id']}"
    r = await world.client.get(page, headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/signin")
    r = await world.client.get(page, headers={"accept": "text/html", **world.auth("manager_north")})
    assert r.status_code == 200 and "jeg vil have pengene tilbage" in r.text
    assert "Follow-up" in r.text and "open" in r.text and f"/notes/{first['id']}" in r.text
    # A customer's history is open to every agent and manager; a note without a customer to its team only.
    assert (await world.client.get(page, headers={"accept": "text/html", **world.auth("manager_south")})).status_code == 200
    internal = await world.post_note("agent_north", text="Intern note om lageret")
    r = await world.client.get(f"/notes/{internal['id']}", headers={"accept": "text/html", **world.auth("manager_south")})
    assert r.status_code == 403 and "<h1>403</h1>" in r.text


async def test_notes_from_before_the_digests_are_counted_when_the_service_starts(
    database_url: str, shared_analyzer: Any, tmp_path: Path
) -> None:
    from litestar.testing import AsyncTestClient
    from sqlalchemy import delete

    from service.app import create_app
    from service.models import WeekCount
    from service.settings import Settings
    from tests.service.conftest import make_world

    async with make_world(database_url, shared_analyzer, tmp_path / "a") as world:
        await load_history(world, weeks=2)
        counted = await digest(world, WEEKS[1].name)
        async with world.session() as session:  # as a database upgraded from before the week counts
            await session.execute(delete(WeekCount))
            await session.commit()
        assert (await digest(world, WEEKS[1].name))["volume"]["notes"] == 0
    restarted = create_app(Settings(data_dir=str(tmp_path / "b"), database_url=database_url), analyzer=shared_analyzer)
    async with AsyncTestClient(restarted) as client:
        r = await client.get(f"/api/digests/north/{WEEKS[1].name}", headers=world.auth("manager_north"))
        assert r.status_code == 200
        recounted = r.json()
        assert recounted["volume"]["notes"] == counted["volume"]["notes"] == 25
        assert [(t["id"], t["count"]) for t in recounted["themes"]] == [(t["id"], t["count"]) for t in counted["themes"]]
