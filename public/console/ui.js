// What every view shares: errors and notices in words, confirmations before writes, and navigation.
import { explain } from "./api.js";
import { $ } from "./dom.js";

export function showError(err) {
  const box = $("error");
  box.textContent = typeof err === "string" ? err : explain(err);
  box.hidden = false;
}
export const clearError = () => ($("error").hidden = true);

/** Says what a write did, in words, until the next action. */
export function notify(text) {
  const box = $("notice");
  box.textContent = text;
  box.hidden = false;
}
const clearNotice = () => ($("notice").hidden = true);

/** Runs a UI action: clears the last error and notice, shows a new error in words. */
export const action = (fn) => async (event) => {
  event?.preventDefault();
  clearError();
  clearNotice();
  try {
    await fn(event);
  } catch (err) {
    showError(err);
  }
};

/** Asks before a write, in words that say exactly what it will do; resolves to whether it may go ahead. */
export function confirmed(text) {
  const dialog = $("confirm");
  $("confirm-text").textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    $("confirm-yes").focus();
  });
}
$("confirm-yes").addEventListener("click", () => $("confirm").close("yes"));
$("confirm-no").addEventListener("click", () => $("confirm").close("no"));

/**
 * The one way a write is made from the page: ask `question` in words, then run `send` with `button` disabled
 * (so a double click cannot send twice; the write's Idempotency-Key covers a retry), then say `done(answer)`.
 */
const confirmThenWrite = (button, question, send, done) =>
  action(async () => {
    if (!(await confirmed(typeof question === "function" ? question() : question))) return;
    button.disabled = true;
    try {
      notify(await done(await send()));
    } finally {
      button.disabled = false;
    }
  });

/** A write from a form, on its submit button; `question` is asked when the form is sent. */
export function writeAction(form, question, send, done) {
  form.addEventListener("submit", confirmThenWrite(form.querySelector("button[type=submit]"), question, send, done));
}

/** A button that writes (release, fulfil, retry, delete…); `question` may be a function. */
export function writeButton(label, ariaLabel, question, send, done) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  if (ariaLabel) button.setAttribute("aria-label", ariaLabel);
  button.addEventListener("click", confirmThenWrite(button, question, send, done));
  return button;
}

/** Deep links: `#/view/id?query`; the address names the view and what it shows, so back and forward work. */
export function link(view, id = "", params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();
  return `#/${view}${id ? `/${encodeURIComponent(id)}` : ""}${q ? `?${q}` : ""}`;
}
export const go = (view, id, params) => {
  location.hash = link(view, id, params);
};
