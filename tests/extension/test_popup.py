"""The quick-note extension in real Chromium against a real running service: connect, write, save."""

from __future__ import annotations

from typing import Any

from tests.extension.harness import Agent, Browser, LydhorServer, free_port

LATE_PARCEL = "Pakken kom fire dage for sent, og ingen svarede, da jeg ringede til kundeservice"


def _wait_for_status(page: Any, state: str) -> str:
    page.wait_for_selector(f"[data-testid=status][data-state={state}]", timeout=10_000)
    return str(page.inner_text("[data-testid=status]"))


def test_options_explain_a_wrong_key_and_connect_with_the_right_one(browser: Browser, server: LydhorServer, agent: Agent) -> None:
    page = browser.page("options.html")
    page.fill("[data-testid=server-url]", server.url + "/")
    page.fill("[data-testid=api-key]", "lyd_not-a-real-key")
    page.click("[data-testid=save-options]")
    page.wait_for_selector("[data-testid=options-status][data-state=error]")
    message = page.inner_text("[data-testid=options-status]")
    assert "did not accept this API key" in message and "not saved" in message
    assert browser.evaluate("chrome.storage.local.get('apiKey')") == {}

    page.fill("[data-testid=api-key]", f"  {agent.key} ")
    page.click("[data-testid=save-options]")
    page.wait_for_selector("[data-testid=options-status][data-state=ok]")
    assert page.inner_text("[data-testid=options-status]") == f"Connected as anna to {server.url}."
    stored = browser.evaluate("chrome.storage.local.get(['serverUrl', 'apiKey', 'agent'])")
    assert stored == {"serverUrl": server.url, "apiKey": agent.key, "agent": "anna"}


def test_options_say_when_the_server_cannot_be_reached(browser: Browser) -> None:
    page = browser.page("options.html")
    nowhere = f"http://127.0.0.1:{free_port()}"
    page.fill("[data-testid=server-url]", nowhere)
    page.fill("[data-testid=api-key]", "lyd_anything")
    page.click("[data-testid=save-options]")
    page.wait_for_selector("[data-testid=options-status][data-state=error]")
    assert f"Could not reach the server at {nowhere}" in page.inner_text("[data-testid=options-status]")


def test_a_remark_saved_in_the_popup_is_stored_with_agent_channel_verbatim_flag_and_chosen_themes(
    browser: Browser, server: LydhorServer, agent: Agent
) -> None:
    browser.connect(server, agent)
    page = browser.page("popup.html")
    page.fill("[data-testid=customer-ref]", "C-1001")
    page.select_option("[data-testid=channel]", "email")
    page.uncheck("[data-testid=verbatim]")
    page.fill("[data-testid=note-text]", LATE_PARCEL)
    suggestion = page.wait_for_selector("[data-testid=themes] [data-theme-id][data-accepted=false]", timeout=10_000)
    chosen = suggestion.get_attribute("data-theme-id")
    suggestion.query_selector(".theme-toggle").click()  # the agent keeps this suggestion
    page.wait_for_selector(f"[data-theme-id={chosen}][data-accepted=true]")
    page.click("[data-testid=save]")

    status = _wait_for_status(page, "ok")
    assert status.startswith("Saved.") and "Themes:" in status and "Sentiment: negative" in status
    assert page.input_value("[data-testid=note-text]") == ""
    [note] = server.notes_of("C-1001")
    assert (note["agent"], note["team"], note["channel"], note["verbatim"], note["source"]) == (
        "anna", "support", "email", False, "extension",
    )
    assert {"id": chosen, "source": "agent"}.items() <= next(t for t in note["themes"] if t["id"] == chosen).items()
    assert browser.badge() == ""


def test_live_suggestions_appear_while_typing_and_a_removed_one_stays_away(
    browser: Browser, server: LydhorServer, agent: Agent
) -> None:
    browser.connect(server, agent)
    page = browser.page("popup.html")
    page.locator("[data-testid=note-text]").press_sequentially("Fakturaen var alt for høj", delay=15)
    chip = page.wait_for_selector("[data-testid=themes] [data-theme-id]", timeout=10_000)
    removed = chip.get_attribute("data-theme-id")
    chip.query_selector(".theme-remove").click()
    page.locator("[data-testid=note-text]").press_sequentially(", og gebyret kom bag på mig", delay=15)
    page.wait_for_timeout(900)  # longer than the typing pause before suggestions are asked for
    assert page.query_selector(f"[data-testid=themes] [data-theme-id={removed}]") is None


def test_the_popup_shows_what_the_customer_said_before(browser: Browser, server: LydhorServer, agent: Agent) -> None:
    headers = {"Authorization": f"Bearer {agent.key}"}
    import httpx

    for text in ("Leveringen var forsinket igen, det er tredje gang", "Pakken kom for sent, og chaufføren var uhøflig"):
        answer = httpx.post(f"{server.url}/api/notes", json={"text": text, "customer_ref": "C-2002"}, headers=headers)
        assert answer.status_code == 201
    browser.connect(server, agent)
    page = browser.page("popup.html")
    page.fill("[data-testid=customer-ref]", "C-2002")
    page.wait_for_selector("[data-testid=history] .history-notes li", timeout=10_000)
    history = page.inner_text("[data-testid=history]")
    assert "2 earlier note(s)" in history
    assert "tredje gang" in history and "chaufføren var uhøflig" in history

    page.fill("[data-testid=customer-ref]", "C-nobody")
    page.wait_for_selector("[data-testid=history] >> text=No earlier notes about this customer.", timeout=10_000)
