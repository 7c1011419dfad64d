/* Lydhør quick note: what the popup, the options page and the background share.
 * Plain scripts (no build step): everything hangs off the global `Lydhor`. */
"use strict";

var Lydhor = globalThis.Lydhor || {};
globalThis.Lydhor = Lydhor;

// Firefox offers promise-based APIs as `browser`; Chromium as `chrome` (MV3).
Lydhor.ext = globalThis.browser || globalThis.chrome;

Lydhor.DEFAULT_SERVER = "http://127.0.0.1:8000";
Lydhor.CHANNELS = ["phone", "email", "chat", "store", "social", "other"];
Lydhor.MAX_RECENT_TAGS = 12;

/** The message for `key` in the browser's language (falls back to the key itself while developing). */
Lydhor.t = function (key, substitutions) {
  const text = Lydhor.ext.i18n.getMessage(key, substitutions);
  return text || key;
};

/** Fill every element marked `data-i18n` (text) or `data-i18n-placeholder`/`-title` with its message. */
Lydhor.localizePage = function (root) {
  const scope = root || document;
  scope.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = Lydhor.t(el.dataset.i18n); });
  scope.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
    el.placeholder = Lydhor.t(el.dataset.i18nPlaceholder);
  });
  scope.querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = Lydhor.t(el.dataset.i18nTitle); });
  document.documentElement.lang = Lydhor.uiLanguage();
};

/** da, nb or en: the language the interface and theme labels are shown in. */
Lydhor.uiLanguage = function () {
  const lang = (Lydhor.ext.i18n.getUILanguage() || "en").toLowerCase();
  if (lang.startsWith("da")) return "da";
  if (lang.startsWith("nb") || lang.startsWith("no") || lang.startsWith("nn")) return "nb";
  return "en";
};

/** A server address as the user typed it, reduced to scheme://host[:port][/path] without a trailing slash. */
Lydhor.normalizeServer = function (raw) {
  const value = (raw || "").trim();
  let url;
  try {
    url = new URL(value);
  } catch (_) {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return (url.origin + url.pathname).replace(/\/+$/, "");
};

/** The host-permission pattern that lets the extension call `server` (no port: any port). */
Lydhor.originPattern = function (server) {
  const url = new URL(server);
  return `${url.protocol}//${url.hostname}/*`;
};

/** The connection settings: {serverUrl, apiKey, agent, teams}. */
Lydhor.getConnection = async function () {
  const stored = await Lydhor.ext.storage.local.get(["serverUrl", "apiKey", "agent", "teams"]);
  return {
    serverUrl: stored.serverUrl || "",
    apiKey: stored.apiKey || "",
    agent: stored.agent || "",
    teams: stored.teams || [],
  };
};

/** Raised by `Lydhor.api` for every answer that is not 2xx, and when the server cannot be reached. */
class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code);
    this.status = status;     // 0 when the server could not be reached at all
    this.code = code;
    this.detail = detail;
  }

  /** True when trying again later may succeed (network down, server busy or restarting). */
  get retryable() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}
Lydhor.ApiError = ApiError;

/**
 * A JSON request to the configured server. The API key goes only to `connection.serverUrl`: the path is
 * always appended to that address, never taken from elsewhere.
 */
Lydhor.api = async function (path, { method = "GET", body, connection, timeoutMs = 10000 } = {}) {
  const conn = connection || (await Lydhor.getConnection());
  if (!conn.serverUrl || !conn.apiKey) throw new ApiError(-1, "not_configured", Lydhor.t("errorNotConfigured"));
  const headers = { Authorization: `Bearer ${conn.apiKey}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(conn.serverUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new ApiError(0, "unreachable", Lydhor.t("errorUnreachable", [conn.serverUrl]));
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch (_) {
    payload = null;
  }
  if (!response.ok) {
    const code = (payload && payload.error) || `http_${response.status}`;
    const detail = (payload && payload.detail) || response.statusText;
    throw new ApiError(response.status, code, detail);
  }
  return { status: response.status, data: payload };
};

/** A readable sentence for an error from `Lydhor.api`. */
Lydhor.describeError = function (err) {
  if (!(err instanceof ApiError)) return String((err && err.message) || err);
  if (err.status === -1) return Lydhor.t("errorNotConfigured");
  if (err.status === 0) return err.detail;
  if (err.status === 401) return Lydhor.t("errorBadKey");
  if (err.status === 403) return Lydhor.t("errorForbidden", [err.detail]);
  return Lydhor.t("errorServer", [String(err.status), err.detail || err.code]);
};

/** Labels of the taxonomy's themes in the interface language, fetched once per page. */
Lydhor.themeLabels = (function () {
  let cache = null;
  return async function () {
    if (!cache) {
      cache = Lydhor.api("/api/themes").then(({ data }) => {
        const lang = Lydhor.uiLanguage();
        const labels = {};
        for (const theme of data || []) {
          if (theme.enabled === false) continue;
          labels[theme.id] = theme.label[lang] || theme.label.en || theme.id;
        }
        return labels;
      }).catch((err) => { cache = null; throw err; });
    }
    return cache;
  };
})();
