// Tiny DOM helpers. Text is always inserted as text nodes (never innerHTML), so data from the API cannot inject markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (key === "value") el.value = value;
      else if (key === "checked" || key === "disabled" || key === "selected" || key === "hidden") el[key] = Boolean(value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

// Short messages in the corner. They do not pile up: the same message again restarts its timer (and counts,
// "×2"), at most TOAST_LIMIT are shown (the oldest goes first), and each can be dismissed.
export const TOAST_LIMIT = 3;
const toastTimers = new WeakMap();

export function toast(message, kind = "info", ms = 4000) {
  const box = document.getElementById("toast");
  if (!box) return;
  const text = String(message);
  let item = Array.from(box.children).find((el) => el.dataset.text === text && el.dataset.kind === kind);
  if (item) {
    const count = Number(item.dataset.count || 1) + 1;
    item.dataset.count = String(count);
    replace(item.querySelector(".count"), `×${count}`);
    clearTimeout(toastTimers.get(item));
    box.append(item); // the newest last
  } else {
    item = h("div", { class: `msg ${kind}`, dataset: { text, kind, count: "1" } },
      h("span", { class: "text" }, text), h("span", { class: "count" }),
      h("button", { type: "button", class: "dismiss", "aria-label": "Dismiss", title: "Dismiss" }, "✕"));
    item.querySelector(".dismiss").addEventListener("click", () => item.remove());
    box.append(item);
    while (box.children.length > TOAST_LIMIT) box.firstElementChild.remove();
  }
  toastTimers.set(item, setTimeout(() => item.remove(), ms));
}

export function fmtDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 10);
}

export function fmtDateTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toTimeString().slice(0, 5)}`;
}

export function fmtNum(value, digits = 4) {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 0.0001) return value.toExponential(2);
  return value.toFixed(digits).replace(/\.?0+$/, "");
}

// A modal <dialog>: Esc closes it (native), focus goes to the first field, returns {dialog, close}.
export function modal({ title, body, actions = [], onClose, wide = false }) {
  const footer = h("footer", null, actions);
  const dialog = h("dialog", { "aria-label": title, style: wide ? { maxWidth: "min(70rem, 95vw)" } : null },
    h("header", null, h("span", null, title)),
    h("div", { class: "body" }, body),
    footer);
  document.body.append(dialog);
  const close = () => { if (dialog.open) dialog.close(); };
  dialog.addEventListener("close", () => { dialog.remove(); if (onClose) onClose(); });
  dialog.showModal();
  const first = dialog.querySelector("input:not([disabled]), select, textarea, button.primary");
  if (first) first.focus();
  return { dialog, close, footer };
}
