/* Options: the server and API key (checked against GET /api/me), and the customer-reference rules. */
"use strict";

const ext = Lydhor.ext;
const $ = (id) => document.getElementById(id);

function setStatus(id, text, kind) {
  $(id).textContent = text;
  $(id).dataset.state = kind || "";
}

// ---- connection -----------------------------------------------------------------------------------------

async function showConnection() {
  const conn = await Lydhor.getConnection();
  $("server-url").value = conn.serverUrl || Lydhor.DEFAULT_SERVER;
  $("api-key").value = conn.apiKey;
  if (conn.serverUrl && conn.agent) {
    setStatus("options-status", Lydhor.t("connectedAs", [conn.agent, conn.serverUrl]), "ok");
  }
}

/**
 * Save and check. The permission request comes first, before any other await, because browsers grant
 * access to a new server only while the click that asked for it is still being handled.
 */
async function saveConnection(event) {
  event.preventDefault();
  const server = Lydhor.normalizeServer($("server-url").value);
  const apiKey = $("api-key").value.trim();
  if (!server) return setStatus("options-status", Lydhor.t("errorServerUrl"), "error");
  if (!apiKey) return setStatus("options-status", Lydhor.t("errorNoKey"), "error");
  let granted = false;
  try {
    granted = await ext.permissions.request({ origins: [Lydhor.originPattern(server)] });
  } catch (_) {
    granted = false;
  }
  if (!granted) return setStatus("options-status", Lydhor.t("errorPermission", [server]), "error");

  setStatus("options-status", Lydhor.t("checking", [server]), "busy");
  $("save-options").disabled = true;
  try {
    const { data } = await Lydhor.api("/api/me", { connection: { serverUrl: server, apiKey } });
    const user = data.user;
    await ext.storage.local.set({ serverUrl: server, apiKey, agent: user.name, teams: user.teams });
    $("server-url").value = server;
    setStatus("options-status", Lydhor.t("connectedAs", [user.name, server]), "ok");
    ext.runtime.sendMessage({ type: "flush-outbox" }).catch(() => undefined);
  } catch (err) {
    const reason = err.status === 401 ? Lydhor.t("errorKeyRefused", [server]) : Lydhor.describeError(err);
    setStatus("options-status", `${reason} ${Lydhor.t("notSaved")}`, "error");
  } finally {
    $("save-options").disabled = false;
  }
}

// ---- customer-reference rules -----------------------------------------------------------------------------

const RULE_FIELDS = ["name", "match", "selector", "regex"];

function ruleRow(rule) {
  const row = document.createElement("tr");
  for (const field of RULE_FIELDS) {
    const cell = document.createElement("td");
    const input = document.createElement("input");
    input.name = field;
    input.value = rule[field] || "";
    input.spellcheck = false;
    input.setAttribute("aria-label", Lydhor.t(`rule${field[0].toUpperCase()}${field.slice(1)}`));
    cell.append(input);
    row.append(cell);
  }
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "×";
  remove.title = Lydhor.t("removeRule");
  remove.addEventListener("click", () => row.remove());
  const cell = document.createElement("td");
  cell.append(remove);
  row.append(cell);
  return row;
}

function showRules(rules) {
  $("ref-rules").tBodies[0].replaceChildren(...rules.map(ruleRow));
}

/** The rules in the table, or an error message naming the first one that cannot work. */
function readRules() {
  const rules = [];
  for (const row of $("ref-rules").tBodies[0].rows) {
    const rule = {};
    for (const field of RULE_FIELDS) rule[field] = row.querySelector(`input[name="${field}"]`).value.trim();
    if (!rule.match && !rule.selector && !rule.regex) continue; // an empty row
    const label = rule.name || rule.match;
    if (!Lydhor.matchPatternToRegExp(rule.match)) return { error: Lydhor.t("errorRuleMatch", [label]) };
    if (!rule.selector && !rule.regex) return { error: Lydhor.t("errorRuleEmpty", [label]) };
    if (rule.regex) {
      try {
        new RegExp(rule.regex);
      } catch (_) {
        return { error: Lydhor.t("errorRuleRegex", [label]) };
      }
    }
    if (rule.selector) {
      try {
        document.createDocumentFragment().querySelector(rule.selector);
      } catch (_) {
        return { error: Lydhor.t("errorRuleSelector", [label]) };
      }
    }
    rules.push(rule);
  }
  return { rules };
}

async function saveRules() {
  const { rules, error } = readRules();
  if (error) return setStatus("rules-status", error, "error");
  await ext.storage.local.set({ refRules: rules });
  setStatus("rules-status", Lydhor.t("rulesSaved", [String(rules.length)]), "ok");
}

Lydhor.localizePage();
$("connection-form").addEventListener("submit", saveConnection);
$("add-rule").addEventListener("click", () => $("ref-rules").tBodies[0].append(ruleRow({})));
$("restore-rules").addEventListener("click", () => showRules(Lydhor.DEFAULT_REF_RULES));
$("save-rules").addEventListener("click", saveRules);
showConnection();
Lydhor.getRefRules().then(showRules);
