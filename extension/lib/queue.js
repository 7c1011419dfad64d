/* The outbox: every note is written here first, with its idempotency key, and leaves only when the service
 * has stored it. Resending the same key is safe: the service answers with the note it already has. */
"use strict";

var Lydhor = globalThis.Lydhor || {};
globalThis.Lydhor = Lydhor;

Lydhor.RESEND_ALARM = "lydhor-resend";
Lydhor.RESEND_MINUTES = 0.5;

// Every read-modify-write of the outbox runs one after the other, so that a save, a timer and a popup
// opening at the same moment neither drop nor double an entry.
let outboxChain = Promise.resolve();
function serialized(work) {
  const run = outboxChain.then(work, work);
  outboxChain = run.catch(() => undefined);
  return run;
}

async function readOutbox() {
  const { outbox = [], rejected = [] } = await Lydhor.ext.storage.local.get(["outbox", "rejected"]);
  return { outbox, rejected };
}

/** The toolbar badge: how many notes wait to be sent ("" when none). */
Lydhor.updateBadge = async function () {
  const { outbox } = await readOutbox();
  const action = Lydhor.ext.action;
  await action.setBadgeBackgroundColor({ color: "#b45309" });
  await action.setBadgeText({ text: outbox.length ? String(outbox.length) : "" });
  if (outbox.length) {
    await Lydhor.ext.alarms.create(Lydhor.RESEND_ALARM, { periodInMinutes: Lydhor.RESEND_MINUTES });
  } else {
    await Lydhor.ext.alarms.clear(Lydhor.RESEND_ALARM);
  }
  return outbox.length;
};

/** Send one outbox entry. Returns {ok, note} or {ok: false, error, retry}. */
async function sendEntry(entry) {
  try {
    const { data } = await Lydhor.api("/api/notes", { method: "POST", body: entry.note });
    return { ok: true, note: data };
  } catch (err) {
    const retry = !(err instanceof Lydhor.ApiError) || err.retryable || err.status === -1 || err.status === 401;
    return { ok: false, error: err, retry };
  }
}

/** Apply one send result to the stored outbox (the entry leaves it, stays, or moves to `rejected`). */
async function settle(entry, result) {
  const { outbox, rejected } = await readOutbox();
  const rest = outbox.filter((e) => e.note.client_key !== entry.note.client_key);
  const patch = { outbox: rest };
  if (!result.ok && result.retry) {
    const kept = { ...entry, attempts: (entry.attempts || 0) + 1, lastError: Lydhor.describeError(result.error) };
    patch.outbox = outbox.map((e) => (e.note.client_key === entry.note.client_key ? kept : e));
  } else if (!result.ok) {
    // The service refused this note for good (invalid, conflicting): keep it for the agent to see, not resend.
    patch.rejected = [...rejected, { note: entry.note, detail: Lydhor.describeError(result.error) }];
  }
  await Lydhor.ext.storage.local.set(patch);
}

/**
 * Save a note: put it in the outbox, then try to send it at once.
 * Returns {status: "saved", note} | {status: "queued", waiting, detail} | {status: "rejected", detail}.
 */
Lydhor.saveNote = function (note) {
  return serialized(async () => {
    const entry = { note, queuedAt: new Date().toISOString(), attempts: 0 };
    const { outbox } = await readOutbox();
    await Lydhor.ext.storage.local.set({ outbox: [...outbox, entry] });
    const result = await sendEntry(entry);
    if (result.ok) {
      const current = await readOutbox();
      await Lydhor.ext.storage.local.set({ outbox: current.outbox.filter((e) => e.note.client_key !== note.client_key) });
    } else if (result.retry) {
      await settle(entry, result);
    } else {
      // Refused outright while the agent is looking: hand it back to the popup instead of the rejected list.
      const current = await readOutbox();
      await Lydhor.ext.storage.local.set({ outbox: current.outbox.filter((e) => e.note.client_key !== note.client_key) });
    }
    const waiting = await Lydhor.updateBadge();
    if (result.ok) return { status: "saved", note: result.note, waiting };
    const detail = Lydhor.describeError(result.error);
    return result.retry ? { status: "queued", waiting, detail } : { status: "rejected", detail, waiting };
  });
};

/** Resend everything waiting, oldest first; stops at the first failure that means "not now". */
Lydhor.flushOutbox = function () {
  return serialized(async () => {
    const { outbox } = await readOutbox();
    let sent = 0;
    for (const entry of outbox) {
      const result = await sendEntry(entry);
      await settle(entry, result);
      if (result.ok) sent += 1;
      else if (result.retry) break;
    }
    const waiting = await Lydhor.updateBadge();
    return { sent, waiting };
  });
};
