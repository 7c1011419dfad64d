/* Customer references read from the page the agent is on: per-site rules of a URL match pattern plus a
 * regular expression on the URL and/or a CSS selector whose text is the reference. */
"use strict";

var Lydhor = globalThis.Lydhor || {};
globalThis.Lydhor = Lydhor;

/**
 * Defaults for common helpdesks, CRMs and shop admins. Where a page's address holds the customer's id
 * the regex reads it from there (stable across redesigns); ticket pages name the requester only in the
 * page, so those rules read an element's text instead. Users can edit all of them on the options page.
 */
Lydhor.DEFAULT_REF_RULES = [
  { name: "Zendesk user", match: "https://*.zendesk.com/agent/users/*", regex: "/agent/users/(\\d+)", selector: "" },
  {
    name: "Zendesk ticket requester",
    match: "https://*.zendesk.com/agent/tickets/*",
    regex: "",
    selector: "[data-test-id='ticket-system-field-requester-select'] [data-garden-id='tags.tag_view']",
  },
  { name: "Freshdesk contact", match: "https://*.freshdesk.com/a/contacts/*", regex: "/a/contacts/(\\d+)", selector: "" },
  {
    name: "Freshdesk ticket requester",
    match: "https://*.freshdesk.com/a/tickets/*",
    regex: "",
    selector: "[data-test-id='requester-info-contact-email']",
  },
  {
    name: "HubSpot contact",
    match: "https://app*.hubspot.com/contacts/*",
    regex: "/(?:record/0-1|contact)/(\\d+)",
    selector: "",
  },
  {
    name: "Salesforce contact or account",
    match: "https://*.lightning.force.com/lightning/r/*",
    regex: "/lightning/r/(?:Contact|Account|Person_Account)/([a-zA-Z0-9]{15,18})/",
    selector: "",
  },
  { name: "Intercom user", match: "https://app.intercom.com/a/apps/*", regex: "/users/([0-9a-f]{24})", selector: "" },
  { name: "Shopify customer", match: "https://admin.shopify.com/store/*", regex: "/customers/(\\d+)", selector: "" },
];

/**
 * A RegExp for a page pattern in the style of WebExtension match patterns (`https://*.example.com/path/*`,
 * `*://host/*`, `<all_urls>`); a `*` inside a host name (`app*.hubspot.com`) matches within that label.
 * Returns null for a pattern that is not valid.
 */
Lydhor.matchPatternToRegExp = function (pattern) {
  const value = (pattern || "").trim();
  if (value === "<all_urls>") return /^(?:https?|file):\/\//;
  const parts = /^(\*|https?|file):\/\/(\*|\*\.[^/*]+|[^/]+)?(\/.*)$/.exec(value);
  if (!parts) return null;
  const [, scheme, host = "", path] = parts;
  const escape = (s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  const schemeRe = scheme === "*" ? "https?" : scheme;
  let hostRe;
  if (host === "*") hostRe = "[^/]+";
  else if (host.startsWith("*.")) hostRe = `(?:[^/]+\\.)?${escape(host.slice(2))}`;
  else hostRe = escape(host).replace(/\*/g, "[^/.]*");
  const portRe = "(?::\\d+)?";
  const pathRe = path.split("*").map(escape).join(".*");
  return new RegExp(`^${schemeRe}://${hostRe}${portRe}${pathRe}$`);
};

/** The rules that apply to `url`, in order. */
Lydhor.rulesFor = function (url, rules) {
  return (rules || []).filter((rule) => {
    const re = Lydhor.matchPatternToRegExp(rule.match);
    return re !== null && re.test(url || "");
  });
};

/** The reference in `text` by `regex` (its first group, or the whole match), or the trimmed text itself. */
Lydhor.applyRefRegex = function (text, regex) {
  const value = (text || "").trim();
  if (!regex) return value;
  let re;
  try {
    re = new RegExp(regex);
  } catch (_) {
    return "";
  }
  const found = re.exec(value);
  if (!found) return "";
  return (found[1] !== undefined ? found[1] : found[0]).trim();
};

/** The reference from the URL alone (rules with a regex and no selector), or "". */
Lydhor.refFromUrl = function (url, rules) {
  for (const rule of Lydhor.rulesFor(url, rules)) {
    if (rule.regex && !rule.selector) {
      const ref = Lydhor.applyRefRegex(url, rule.regex);
      if (ref) return ref.slice(0, 128);
    }
  }
  return "";
};

/**
 * Runs inside the page (through chrome.scripting): the text of the first element matching each selector.
 * Self-contained on purpose: it is serialised and injected, so it may not use anything outside itself.
 */
Lydhor.readSelectorsInPage = function (selectors) {
  return selectors.map((selector) => {
    try {
      const el = document.querySelector(selector);
      if (!el) return "";
      return String(el.value || el.getAttribute("data-customer-ref") || el.textContent || "").trim();
    } catch (_) {
      return "";
    }
  });
};

/**
 * The customer reference for a tab: URL rules first, then selector rules read from the page. Reading the
 * page needs the temporary access the browser grants when the agent opens the popup (activeTab).
 */
Lydhor.detectCustomerRef = async function (tab, rules) {
  const url = (tab && tab.url) || "";
  const fromUrl = Lydhor.refFromUrl(url, rules);
  if (fromUrl) return fromUrl;
  const selectorRules = Lydhor.rulesFor(url, rules).filter((rule) => rule.selector);
  if (!selectorRules.length || !tab || tab.id === undefined || !Lydhor.ext.scripting) return "";
  try {
    const [result] = await Lydhor.ext.scripting.executeScript({
      target: { tabId: tab.id },
      func: Lydhor.readSelectorsInPage,
      args: [selectorRules.map((rule) => rule.selector)],
    });
    const texts = (result && result.result) || [];
    for (let i = 0; i < selectorRules.length; i++) {
      const ref = Lydhor.applyRefRegex(texts[i], selectorRules[i].regex);
      if (ref) return ref.slice(0, 128);
    }
  } catch (_) {
    // No access to this page (not granted, or a browser page): the agent types the reference.
  }
  return "";
};

/** The rules in use: the user's own when they saved some, else the defaults. */
Lydhor.getRefRules = async function () {
  const { refRules } = await Lydhor.ext.storage.local.get("refRules");
  return Array.isArray(refRules) ? refRules : Lydhor.DEFAULT_REF_RULES;
};
