"""The extension's background in real Chromium: the offline outbox, the context menu, the shortcut."""

from __future__ import annotations

import json
from typing import Any

from tests.extension.harness import Agent, Browser, LydhorServer


def _save(page: Any, text: str, customer: str) -> str:
    page.fill("[data-testid=customer-ref]", customer)
    page.fill("[data-testid=note-text]", text)
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=status][data-state=queued], [data-testid=status][data-state=ok]")
    return str(page.inner_text("[data-testid=status]"))


def test_notes_saved_while_the_service_is_down_wait_with_a_badge_and_arrive_once(
    browser: Browser, server: LydhorServer, agent: Agent
) -> None:
    browser.connect(server, agent)
    server.stop()
    page = browser.page("popup.html")
    first = _save(page, "Kunden ringede om en forkert faktura", "C-3003")
    assert "cannot be reached" in first and "(1 waiting)" in first
    second = _save(page, "Kunden vil gerne have pengene retur", "C-3003")
    assert "(2 waiting)" in second
    assert browser.badge() == "2"
    assert browser.evaluate("chrome.alarms.get('lydhor-resend').then(a => a && a.name)") == "lydhor-resend"

    server.start()
    sent = browser.evaluate("handleAlarm({name: 'lydhor-resend'})")  # what the resend timer runs
    assert sent == {"sent": 2, "waiting": 0}
    browser.page("popup.html").wait_for_timeout(300)  # opening the popup resends too: nothing is left
    notes = server.notes_of("C-3003")
    assert sorted(n["text"] for n in notes) == ["Kunden ringede om en forkert faktura", "Kunden vil gerne have pengene retur"]
    assert browser.badge() == ""
    assert browser.evaluate("chrome.alarms.get('lydhor-resend').then(a => a ? a.name : null)") is None

    # An answer lost on the way back makes the extension send the same note again: still stored once.
    again = {"note": {"text": notes[0]["text"], "customer_ref": "C-3003", "client_key": notes[0]["client_key"],
                      "verbatim": True, "channel": notes[0]["channel"], "source": "extension",
                      "captured_at": notes[0]["captured_at"], "tags": [], "themes": []}}
    browser.evaluate(f"chrome.storage.local.set({{outbox: [{json.dumps(again)}]}})")
    assert browser.evaluate("Lydhor.flushOutbox()") == {"sent": 1, "waiting": 0}
    assert len(server.notes_of("C-3003")) == 2


def test_context_menu_saves_the_selection_as_the_customers_own_words(
    browser: Browser, server: LydhorServer, agent: Agent
) -> None:
    browser.connect(server, agent)
    selection = "Jeg har ventet tre uger på min ombytning"
    page_url = "https://acme.zendesk.com/agent/users/4242/requested_tickets"
    opened = browser.evaluate(
        f"handleContextClick({{menuItemId: 'lydhor-save-selection', selectionText: {json.dumps(selection)},"
        f" pageUrl: {json.dumps(page_url)}}}, {{id: 1, url: {json.dumps(page_url)}}})"
    )
    assert opened in ("popup", "window")
    page = browser.page("popup.html")
    page.wait_for_selector("[data-testid=customer-ref][data-detected]")
    assert page.input_value("[data-testid=customer-ref]") == "4242"
    assert page.input_value("[data-testid=note-text]") == selection
    assert page.is_checked("[data-testid=verbatim]")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-testid=status][data-state=ok]", timeout=10_000)
    [note] = server.notes_of("4242")
    assert (note["text"], note["verbatim"], note["agent"]) == (selection, True, "anna")


def test_the_keyboard_shortcut_opens_the_popup(browser: Browser) -> None:
    commands = {c["name"]: c["shortcut"] for c in browser.evaluate("chrome.commands.getAll()")}
    # Alt+Shift+N everywhere it is free; Chrome and Edge keep it for themselves on Windows, Linux and ChromeOS.
    assert commands == {"_execute_action": "Alt+Shift+K"}
    assert "Alt+Shift+K" in browser.page("popup.html").inner_text("#shortcut")


def test_default_rules_read_the_customer_from_common_helpdesk_and_crm_addresses(browser: Browser) -> None:
    cases = {
        "https://acme.zendesk.com/agent/users/381/requested_tickets": "381",
        "https://acme.freshdesk.com/a/contacts/77012": "77012",
        "https://app-eu1.hubspot.com/contacts/2445/record/0-1/90210": "90210",
        "https://acme.lightning.force.com/lightning/r/Contact/003Hn00001AbCdEIAV/view": "003Hn00001AbCdEIAV",
        "https://app.intercom.com/a/apps/abc123/users/5f1d7c3e2a4b6c8d9e0f1a2b/all-conversations": "5f1d7c3e2a4b6c8d9e0f1a2b",
        "https://admin.shopify.com/store/acme/customers/6123": "6123",
        "https://example.com/customers/6123": "",
    }
    found = browser.evaluate(f"{json.dumps(list(cases))}.map(url => Lydhor.refFromUrl(url, Lydhor.DEFAULT_REF_RULES))")
    assert dict(zip(cases, found)) == cases

    # A selector rule reads the element's text in the page, narrowed by its regular expression.
    reader = browser.evaluate("Lydhor.readSelectorsInPage.toString()")
    page = browser.context.new_page()
    page.set_content("<aside><span class='requester'>Mette Hansen &lt;kunde 5521&gt;</span></aside>")
    [text] = page.evaluate(f"({reader})(['.requester'])")
    assert browser.evaluate(f"Lydhor.applyRefRegex({json.dumps(text)}, 'kunde (\\\\d+)')") == "5521"
