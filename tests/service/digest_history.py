"""A team's nine weeks of notes for the digest tests (ISO weeks 2026-W30 to W38, Europe/Copenhagen).

Weeks 1–9 carry the same 25 everyday remarks (delivery, price, staff praise, wait time, billing, web shop),
so nothing in them changes from week to week. Week 9 adds a new complaint that no theme covers (glass
splinters in a product); one customer complains about billing in weeks 8 and 9.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from service.services.digest.weeks import Week, parse_week

FIRST_WEEK = parse_week("2026-W30")
WEEKS = [FIRST_WEEK.shift(k) for k in range(9)]
NEW_PHRASE = "glasskår"
REPEAT_CUSTOMER = "DK-REPEAT-1"

EVERY_WEEK = [
    "Pakken kom tre dage for sent",
    "Leveringen tog over en uge, det er for dårligt",
    "Pakken blev leveret til den forkerte adresse",
    "Kurereren kom slet ikke med pakken",
    "Min pakke er stadig ikke leveret",
    "Prisen er alt for høj i forhold til kvaliteten",
    "I er meget dyrere end konkurrenten",
    "Prisstigningen kom uden varsel",
    "Fragtprisen er for høj",
    "Medarbejderen var meget venlig og hjælpsom, tusind tak",
    "Tak for den søde hjælp i butikken",
    "Rådgiveren var dygtig og forklarede det hele så godt",
    "Super venlig service i telefonen i dag",
    "Jeg ventede 40 minutter i telefonkøen",
    "Ingen svarer på mine mails",
    "Det tager alt for lang tid at få svar fra jer",
    "Jeg har ventet to uger på et svar",
    "Jeg er blevet trukket to gange for samme ordre",
    "Fakturaen er forkert igen",
    "Jeg har stadig ikke fået mine penge tilbage",
    "Rykkergebyret er urimeligt",
    "Appen logger mig ud hele tiden",
    "Hjemmesiden virker ikke på mobilen",
    "Jeg kan ikke logge ind på min konto",
    "Betalingen i webshoppen fejler hver gang",
]

NEW_COMPLAINT = [
    "Der var glasskår i syltetøjet, det er farligt",
    "Kunden fandt glasskår i marmeladen og er rystet",
    "Glasskår i bunden af glasset, helt uacceptabelt",
    "Mit barn var ved at spise glasskår fra jeres produkt",
    "Igen glasskår i syltetøjet, hvad sker der",
    "Der lå glasskår i låget på syltetøjet",
    "Glasskår i marmeladen, vil have pengene tilbage",
    "Fandt glasskår i jeres jordbærsyltetøj",
    "Der er glasskår i produktet, I må trække det tilbage",
    "Kunden ringede om glasskår i syltetøjet",
    "Glasskår igen, tredje glas i denne uge",
    "Vi har fundet glasskår i to glas syltetøj",
]


def _at(week: Week, i: int) -> str:
    """A moment inside ``week`` (Copenhagen time), spread over Monday to Friday office hours."""
    day = week.monday + dt.timedelta(days=i % 5)
    moment = dt.datetime.combine(day, dt.time(9 + i % 8, (7 * i) % 60), dt.timezone(dt.timedelta(hours=2)))
    return moment.isoformat()


def history(weeks: int = 9) -> list[dict[str, Any]]:
    """The notes of the first ``weeks`` weeks, as note bodies for the API."""
    notes: list[dict[str, Any]] = []
    for number, week in enumerate(WEEKS[:weeks], start=1):
        for i, text in enumerate(EVERY_WEEK):
            notes.append({"text": text, "customer_ref": f"DK-{number}-{i}", "channel": "phone", "captured_at": _at(week, i)})
        if number >= 8:
            notes.append({"text": "Jeg er blevet opkrævet to gange, og fakturaen er stadig forkert", "customer_ref": REPEAT_CUSTOMER,
                          "channel": "email", "captured_at": _at(week, 3)})
        if number == 9:
            for i, text in enumerate(NEW_COMPLAINT):
                notes.append({"text": text, "customer_ref": f"DK-G-{i}", "channel": "chat", "captured_at": _at(week, i)})
    return notes
