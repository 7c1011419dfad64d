/* Background: the outbox and its resend timer, the badge, and the context-menu entry.
 * Chromium runs this as the service worker; Firefox loads the same files as background scripts. */
"use strict";

if (typeof importScripts === "function" && !globalThis.Lydhor) {
  importScripts("lib/core.js", "lib/refs.js", "lib/queue.js");
}

const CONTEXT_MENU_ID = "lydhor-save-selection";

/** Context menu entry and badge, on install, update and browser start. */
async function setUp() {
  await Lydhor.ext.contextMenus.removeAll();
  Lydhor.ext.contextMenus.create({
    id: CONTEXT_MENU_ID,
    title: Lydhor.t("contextMenuTitle"),
    contexts: ["selection"],
  });
  await Lydhor.updateBadge();
}

/**
 * "Save selection as customer remark": keep the selection as the popup's draft (verbatim: it is the
 * customer's own words) and open the popup; where the browser refuses, open the same page in a small window.
 */
async function handleContextClick(info, tab) {
  if (info.menuItemId !== CONTEXT_MENU_ID || !info.selectionText) return "ignored";
  await Lydhor.ext.storage.session.set({
    draft: {
      text: info.selectionText.trim().slice(0, 4000),
      verbatim: true,
      pageUrl: info.pageUrl || (tab && tab.url) || "",
      tabId: tab && tab.id,
    },
  });
  try {
    await Lydhor.ext.action.openPopup();
    return "popup";
  } catch (_) {
    await Lydhor.ext.windows.create({
      url: Lydhor.ext.runtime.getURL("popup.html"),
      type: "popup",
      width: 420,
      height: 640,
    });
    return "window";
  }
}

/** Messages from the popup: save a note through the outbox, or resend what waits. */
function handleMessage(message, sender, sendResponse) {
  if (sender.id !== Lydhor.ext.runtime.id) return false;
  let work = null;
  if (message && message.type === "save-note") work = Lydhor.saveNote(message.note);
  else if (message && message.type === "flush-outbox") work = Lydhor.flushOutbox();
  if (!work) return false;
  work.then(sendResponse, (err) => sendResponse({ status: "error", detail: String(err && err.message) }));
  return true; // the answer comes asynchronously
}

function handleAlarm(alarm) {
  if (alarm.name === Lydhor.RESEND_ALARM) return Lydhor.flushOutbox();
  return Promise.resolve(null);
}

// Listeners are registered at the top level so that the browser can wake the worker for them.
Lydhor.ext.runtime.onInstalled.addListener(() => { setUp(); });
Lydhor.ext.runtime.onStartup.addListener(() => { setUp(); });
Lydhor.ext.contextMenus.onClicked.addListener((info, tab) => { handleContextClick(info, tab); });
Lydhor.ext.runtime.onMessage.addListener(handleMessage);
Lydhor.ext.alarms.onAlarm.addListener((alarm) => { handleAlarm(alarm); });
