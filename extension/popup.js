/* The popup: write a remark, see live theme suggestions and the customer's history, save. */
"use strict";

const ext = Lydhor.ext;
const $ = (id) => document.getElementById(id);

const ANALYZE_DELAY_MS = 400;
const ANALYZE_MIN_CHARS = 8;
const HISTORY_DELAY_MS = 350;
const HISTORY_NOTES_SHOWN = 5;

const state = {
  // theme id -> {label, accepted, dismissed, suggested}
  themes: new Map(),
  selectedTags: new Set(),
  recentTags: [],
  analyzeSeq: 0,
  historySeq: 0,
  connected: false,
};

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function setStatus(text, kind) {
  const status = $("status");
  status.textContent = text;
  status.dataset.state = kind || "";
}

function element(tag, props, ...children) {
  const el = document.createElement(tag);
  Object.assign(el, props || {});
  for (const child of children) el.append(child);
  return el;
}

// ---- form fields -------------------------------------------------------------------------------------

function fillChoices() {
  for (const channel of Lydhor.CHANNELS) {
    $("channel").append(element("option", { value: channel, textContent: Lydhor.t(`channel_${channel}`) }));
  }
  $("mood").append(element("option", { value: "", textContent: Lydhor.t("moodNone") }));
  for (const [value, key] of [[2, "moodVeryHappy"], [1, "moodHappy"], [0, "moodNeutral"], [-1, "moodUnhappy"], [-2, "moodVeryUnhappy"]]) {
    $("mood").append(element("option", { value: String(value), textContent: Lydhor.t(key) }));
  }
}

function renderTags() {
  const chips = $("tag-chips");
  chips.replaceChildren();
  const shown = [...new Set([...state.selectedTags, ...state.recentTags])];
  for (const tag of shown) {
    const chip = element("button", { type: "button", className: "chip", textContent: tag });
    chip.dataset.tag = tag;
    chip.setAttribute("aria-pressed", String(state.selectedTags.has(tag)));
    chip.addEventListener("click", () => {
      if (state.selectedTags.has(tag)) state.selectedTags.delete(tag);
      else state.selectedTags.add(tag);
      renderTags();
      saveDraft();
    });
    chips.append(chip);
  }
}

function addTypedTag() {
  const tag = $("tag-input").value.trim().replace(/[\x00-\x1f\x7f]/g, "").slice(0, 40);
  $("tag-input").value = "";
  if (!tag || state.selectedTags.size >= 20) return;
  state.selectedTags.add(tag);
  renderTags();
  saveDraft();
}

// ---- themes: live suggestions the agent accepts or removes -------------------------------------------

function renderThemes() {
  const chips = $("theme-chips");
  chips.replaceChildren();
  for (const [id, theme] of state.themes) {
    if (theme.dismissed || !(theme.suggested || theme.accepted)) continue;
    const chip = element("span", { className: "chip theme" });
    chip.dataset.themeId = id;
    chip.dataset.accepted = String(theme.accepted);
    const toggle = element("button", {
      type: "button",
      className: "theme-toggle",
      textContent: theme.label,
      title: Lydhor.t(theme.accepted ? "themeAccepted" : "themeSuggested"),
    });
    toggle.setAttribute("aria-pressed", String(theme.accepted));
    toggle.addEventListener("click", () => {
      theme.accepted = !theme.accepted;
      renderThemes();
    });
    const remove = element("button", { type: "button", className: "theme-remove", textContent: "×", title: Lydhor.t("themeRemove") });
    remove.addEventListener("click", () => {
      theme.accepted = false;
      theme.dismissed = true;
      renderThemes();
    });
    chip.append(toggle, remove);
    chips.append(chip);
  }
  const empty = !chips.children.length;
  if (empty) chips.append(element("span", { className: "muted", textContent: Lydhor.t("themesNone") }));
}

async function analyzeNow() {
  const text = $("note-text").value.trim();
  const seq = ++state.analyzeSeq;
  if (!state.connected || text.length < ANALYZE_MIN_CHARS) return;
  try {
    const { data } = await Lydhor.api("/api/analyze", { method: "POST", body: { text: text.slice(0, 4000) } });
    if (seq !== state.analyzeSeq) return; // an older answer arriving after a newer one
    const found = new Set();
    for (const suggestion of data.themes || []) {
      found.add(suggestion.id);
      const theme = state.themes.get(suggestion.id) || { accepted: false, dismissed: false };
      state.themes.set(suggestion.id, { ...theme, label: suggestion.label, suggested: true });
    }
    for (const [id, theme] of state.themes) if (!found.has(id)) theme.suggested = false;
    renderThemes();
  } catch (_) {
    // Suggestions are a help, not a requirement: offline, the agent still writes and saves.
  }
}
const analyzeSoon = debounce(analyzeNow, ANALYZE_DELAY_MS);

async function fillThemeMenu() {
  try {
    const labels = await Lydhor.themeLabels();
    const entries = Object.entries(labels).sort((a, b) => a[1].localeCompare(b[1]));
    for (const [id, label] of entries) $("theme-add").append(element("option", { value: id, textContent: label }));
  } catch (_) {
    $("theme-add").hidden = true;
  }
}

function addChosenTheme() {
  const id = $("theme-add").value;
  $("theme-add").value = "";
  if (!id) return;
  const label = $("theme-add").querySelector(`option[value="${CSS.escape(id)}"]`).textContent;
  const theme = state.themes.get(id) || { suggested: false };
  state.themes.set(id, { ...theme, label, accepted: true, dismissed: false });
  renderThemes();
}

// ---- customer history ----------------------------------------------------------------------------------

function formatDate(iso) {
  return new Date(iso).toLocaleDateString(Lydhor.ext.i18n.getUILanguage(), { day: "numeric", month: "short", year: "numeric" });
}

async function themeLabel(id) {
  try {
    return (await Lydhor.themeLabels())[id] || id;
  } catch (_) {
    return id;
  }
}

async function renderHistory(summary) {
  const body = $("history-body");
  body.replaceChildren();
  for (const repeat of summary.repeat_complaints || []) {
    body.append(element("p", {
      className: "warning",
      textContent: Lydhor.t("historyRepeat", [await themeLabel(repeat.theme), String(repeat.notes.length)]),
    }));
  }
  const followUps = summary.open_follow_ups || [];
  if (followUps.length) {
    const list = element("ul", { className: "follow-ups" });
    for (const f of followUps) {
      const due = f.due ? Lydhor.t("historyDue", [formatDate(f.due)]) : "";
      list.append(element("li", { textContent: `${Lydhor.t("historyFollowUp", [f.assignee || f.team])} ${due}`.trim() }));
    }
    body.append(element("p", { textContent: Lydhor.t("historyOpenFollowUps", [String(followUps.length)]) }), list);
  }
  body.append(element("p", { className: "muted", textContent: Lydhor.t("historyCount", [String(summary.notes)]) }));
  const list = element("ul", { className: "history-notes" });
  for (const note of (summary.recent || []).slice(0, HISTORY_NOTES_SHOWN)) {
    const labels = await Promise.all(note.themes.map((t) => themeLabel(t.id)));
    const item = element("li", { className: `note sentiment-${note.sentiment}` });
    item.dataset.noteId = note.id;
    item.append(
      element("span", { className: "muted", textContent: `${formatDate(note.captured_at)} · ${Lydhor.t(`channel_${note.channel}`)}` }),
      element("span", { className: "note-text", textContent: note.text.length > 160 ? `${note.text.slice(0, 157)}…` : note.text }),
    );
    if (labels.length) item.append(element("span", { className: "note-themes", textContent: labels.join(", ") }));
    list.append(item);
  }
  body.append(list);
}

async function loadHistory() {
  const ref = $("customer-ref").value.trim();
  const seq = ++state.historySeq;
  const section = $("history");
  if (!ref || !state.connected) {
    section.hidden = true;
    return;
  }
  try {
    const { data } = await Lydhor.api(`/api/customers/${encodeURIComponent(ref)}`);
    if (seq !== state.historySeq) return;
    await renderHistory(data);
  } catch (err) {
    if (seq !== state.historySeq) return;
    const text = err.status === 404 ? Lydhor.t("historyNone") : Lydhor.describeError(err);
    $("history-body").replaceChildren(element("p", { className: "muted", textContent: text }));
  }
  section.hidden = false;
}
const loadHistorySoon = debounce(loadHistory, HISTORY_DELAY_MS);

// ---- the draft survives closing the popup --------------------------------------------------------------

function currentDraft() {
  return {
    text: $("note-text").value,
    verbatim: $("verbatim").checked,
    customerRef: $("customer-ref").value,
    tags: [...state.selectedTags],
    mood: $("mood").value,
  };
}

const saveDraft = debounce(() => ext.storage.session.set({ draft: currentDraft() }), 250);

function applyDraft(draft) {
  if (!draft) return;
  if (typeof draft.text === "string") $("note-text").value = draft.text;
  if (typeof draft.verbatim === "boolean") $("verbatim").checked = draft.verbatim;
  if (draft.customerRef) $("customer-ref").value = draft.customerRef;
  for (const tag of draft.tags || []) state.selectedTags.add(tag);
  if (draft.mood !== undefined) $("mood").value = draft.mood;
}

// ---- saving -------------------------------------------------------------------------------------------

function buildNote() {
  const note = {
    text: $("note-text").value.trim(),
    verbatim: $("verbatim").checked,
    channel: $("channel").value,
    tags: [...state.selectedTags],
    themes: [...state.themes].filter(([, t]) => t.accepted).map(([id]) => id),
    client_key: crypto.randomUUID(),
    captured_at: new Date().toISOString(),
    source: "extension",
  };
  const ref = $("customer-ref").value.trim();
  if (ref) note.customer_ref = ref;
  if ($("mood").value !== "") note.mood = Number($("mood").value);
  return note;
}

async function describeSaved(note) {
  const labels = await Promise.all(note.themes.map((t) => themeLabel(t.id)));
  const themes = labels.length ? labels.join(", ") : Lydhor.t("themesNone");
  return Lydhor.t("savedResult", [themes, Lydhor.t(`sentiment_${note.sentiment}`)]);
}

function clearAfterSave() {
  $("note-text").value = "";
  $("verbatim").checked = true;
  $("mood").value = "";
  state.themes.clear();
  state.selectedTags.clear();
  renderThemes();
  renderTags();
  ext.storage.session.remove("draft");
}

async function rememberTags(tags) {
  state.recentTags = [...new Set([...tags, ...state.recentTags])].slice(0, Lydhor.MAX_RECENT_TAGS);
  await ext.storage.local.set({ recentTags: state.recentTags });
}

async function save() {
  if ($("save").disabled) return; // one save at a time: Ctrl+Enter pressed twice sends one note
  const note = buildNote();
  if (!note.text) {
    setStatus(Lydhor.t("errorEmpty"), "error");
    $("note-text").focus();
    return;
  }
  $("save").disabled = true;
  setStatus(Lydhor.t("saving"), "busy");
  try {
    await ext.storage.local.set({ lastChannel: note.channel });
    const answer = await ext.runtime.sendMessage({ type: "save-note", note });
    if (answer.status === "saved") {
      await rememberTags(note.tags);
      clearAfterSave();
      setStatus(`${Lydhor.t("saved")} ${await describeSaved(answer.note)}`, "ok");
      loadHistory();
    } else if (answer.status === "queued") {
      await rememberTags(note.tags);
      clearAfterSave();
      setStatus(Lydhor.t("queued", [String(answer.waiting)]), "queued");
    } else {
      setStatus(answer.detail || Lydhor.t("errorUnknown"), "error");
    }
  } catch (err) {
    setStatus(Lydhor.describeError(err), "error");
  } finally {
    $("save").disabled = false;
    showRejected();
  }
}

// ---- notes the service refused for good ----------------------------------------------------------------

async function showRejected() {
  const { rejected = [] } = await ext.storage.local.get("rejected");
  $("rejected").hidden = rejected.length === 0;
  if (rejected.length) $("rejected-text").textContent = Lydhor.t("rejectedNotes", [String(rejected.length), rejected[0].detail]);
}

async function restoreRejected() {
  const { rejected = [] } = await ext.storage.local.get("rejected");
  const [first, ...rest] = rejected;
  if (!first) return;
  $("note-text").value = first.note.text;
  $("verbatim").checked = first.note.verbatim;
  $("customer-ref").value = first.note.customer_ref || "";
  await ext.storage.local.set({ rejected: rest });
  showRejected();
}

// ---- start ----------------------------------------------------------------------------------------------

async function activeTab() {
  try {
    const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
    return tab;
  } catch (_) {
    return undefined;
  }
}

/** The keys that open this popup, as the browser has them (the agent may have changed them). */
async function showShortcut() {
  try {
    const commands = await ext.commands.getAll();
    const action = commands.find((c) => c.name === "_execute_action");
    if (action && action.shortcut) $("shortcut").textContent = `· ${Lydhor.t("shortcutHint", [action.shortcut])}`;
  } catch (_) {
    // Not every browser lists commands to extension pages; the hint is optional.
  }
}

async function start() {
  Lydhor.localizePage();
  fillChoices();
  const conn = await Lydhor.getConnection();
  state.connected = Boolean(conn.serverUrl && conn.apiKey);
  $("not-configured").hidden = state.connected;
  $("who").textContent = state.connected ? conn.agent : "";

  // Whatever waits in the outbox gets another chance now.
  ext.runtime.sendMessage({ type: "flush-outbox" }).then(showRejected, () => undefined);

  const stored = await ext.storage.local.get(["lastChannel", "recentTags"]);
  $("channel").value = Lydhor.CHANNELS.includes(stored.lastChannel) ? stored.lastChannel : "phone";
  state.recentTags = stored.recentTags || [];

  const { draft } = await ext.storage.session.get("draft");
  applyDraft(draft);
  renderTags();
  renderThemes();
  showRejected();
  await showShortcut();

  if (!$("customer-ref").value) {
    const tab = draft && draft.pageUrl ? { url: draft.pageUrl, id: draft.tabId } : await activeTab();
    const ref = await Lydhor.detectCustomerRef(tab, await Lydhor.getRefRules());
    if (ref && !$("customer-ref").value) $("customer-ref").value = ref;
  }
  $("customer-ref").dataset.detected = "done"; // the page has been looked at (a hook for tests)
  if (state.connected) {
    fillThemeMenu();
    loadHistory();
    analyzeNow();
  }
  $("note-text").focus();
  document.body.dataset.ready = "true"; // start-up has finished writing into the fields (a hook for tests)
}

$("note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    save();
  }
});
$("note-text").addEventListener("input", () => {
  analyzeSoon();
  saveDraft();
});
$("customer-ref").addEventListener("input", () => {
  loadHistorySoon();
  saveDraft();
});
$("verbatim").addEventListener("change", saveDraft);
$("mood").addEventListener("change", saveDraft);
$("channel").addEventListener("change", () => ext.storage.local.set({ lastChannel: $("channel").value }));
$("tag-input").addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === ",") {
    event.preventDefault();
    addTypedTag();
  }
});
$("theme-add").addEventListener("change", addChosenTheme);
$("rejected-restore").addEventListener("click", restoreRejected);
$("open-options").addEventListener("click", () => ext.runtime.openOptionsPage());
$("not-configured").addEventListener("click", () => ext.runtime.openOptionsPage());

start();
