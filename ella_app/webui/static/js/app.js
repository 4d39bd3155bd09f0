// Entry point: hash routes (#/login, #/overview/<section>, #/workflows/analyses/<id>[/<view>]), top bar, banners.
// Hash routing keeps every asset and API URL relative, so nginx needs no rewrite rules for deep links.
import { ApiError, post, setUnauthenticatedHandler } from "./api.js";
import { $, h, replace, toast } from "./dom.js";
import { loadBroadcasts, loadConfig, loadUser, logout, session } from "./session.js";
import { installSearch } from "./search.js";

const routes = [
  { pattern: /^\/login$/, page: () => import("./pages/login.js"), public: true },
  { pattern: /^\/overview(?:\/(analyses|variants))?$/, page: () => import("./pages/overview.js"), keys: ["section"] },
  { pattern: /^\/overview\/import$/, page: () => import("./pages/import.js") },
  { pattern: /^\/workflows\/analyses\/(\d+)(?:\/(info|classification|quick|report|visual))?$/,
    page: () => import("./pages/workflow.js"), keys: ["id", "view"] },
  { pattern: /^\/workflows\/variants\/([^/]+)\/([^/]+)$/, page: () => import("./pages/variantworkflow.js"),
    keys: ["genome", "variant"] },
];

let current = null; // {module, path}
let skipNextGuard = false;

export function navigate(path, { replace: replaceHistory = false } = {}) {
  const hash = `#${path}`;
  if (replaceHistory) history.replaceState(null, "", hash);
  else if (location.hash !== hash) { location.hash = hash; return; }
  route();
}

function parse() {
  const path = (location.hash || "#/").slice(1) || "/";
  const [pathname, qs] = path.split("?");
  return { path: pathname, query: new URLSearchParams(qs || "") };
}

async function route() {
  const { path, query } = parse();
  if (current && current.module.canLeave && !skipNextGuard && current.path !== path) {
    if (!current.module.canLeave(path)) {
      if (!window.confirm("You have unsaved work. Leave this page anyway?")) {
        skipNextGuard = true;
        history.back();
        return;
      }
    }
  }
  skipNextGuard = false;
  if (path === "/" || path === "") {
    navigate(session.user ? "/overview/analyses" : "/login", { replace: true });
    return;
  }
  const match = routes.map((r) => [r, r.pattern.exec(path)]).find(([, m]) => m);
  if (!match) {
    renderMain(h("div", { class: "card" }, h("h1", null, "Page not found"),
      h("p", null, h("a", { href: "#/overview/analyses" }, "Go to the overview"))));
    return;
  }
  const [spec, m] = match;
  if (!spec.public && !session.user) {
    sessionStorage.setItem("ella.next", path);
    navigate("/login", { replace: true });
    return;
  }
  const params = Object.fromEntries((spec.keys || []).map((k, i) => [k, m[i + 1]]));
  const module = await spec.page();
  if (current && current.module !== module && current.module.leave) current.module.leave();
  current = { module, path };
  updateChrome(path);
  const main = $("#main");
  main.className = "";
  replace(main);
  try {
    await module.render(main, params, query);
  } catch (err) {
    if (!(err instanceof ApiError)) reportError(err.message || String(err), err.stack);  // a bug, not a refusal
    replace(main, h("div", { class: "alert error", role: "alert" }, err.message || String(err)));
  }
}

function renderMain(...children) {
  replace($("#main"), ...children);
}

function updateChrome(path) {
  const topbar = $("#topbar");
  topbar.classList.toggle("hidden", !session.user || path === "/login");
  if (session.user) {
    $("#who-name").textContent = `${session.user.first_name || ""} ${session.user.last_name || ""}`.trim()
      || session.user.username;
    $("#who-group").textContent = session.user.group ? `(${session.user.group.name})` : "";
  }
  const links = [...document.querySelectorAll("#topbar nav a")];
  const best = links.filter((a) => path.startsWith(`/${a.dataset.nav}`))
    .sort((a, b) => b.dataset.nav.length - a.dataset.nav.length)[0];  // the most specific link only
  for (const a of links) {
    if (a === best) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  renderBanners(path);
}

export function renderBanners(path = parse().path) {
  const box = $("#banners");
  const items = [];
  const warning = session.config?.app?.non_production_warning;
  if (warning && session.user) items.push(h("div", { class: "banner nonprod", role: "note" }, warning));
  if (session.user && path !== "/login") {
    for (const b of session.broadcasts) {
      items.push(h("div", { class: "banner broadcast", role: "note", "data-broadcast": b.id },
        h("strong", null, "Notice: "), b.message));
    }
  }
  replace(box, items);
}

// Called by the login page once the session cookie is set.
export async function afterLogin(user) {
  session.user = user;
  await Promise.all([loadConfig(), loadBroadcasts()]);
  const next = sessionStorage.getItem("ella.next");
  sessionStorage.removeItem("ella.next");
  navigate(next && next !== "/login" ? next : "/overview/analyses");
}

// Uncaught errors go to the server's error log (api/v1/ui/exceptionlog/, table uiexception): a few per page
// load, each message once, and a failing report is dropped silently (it must not cause more errors).
const reported = new Set();
function reportError(message, stack) {
  const text = String(message || "unknown error").slice(0, 2000);
  if (reported.has(text) || reported.size >= 5) return;
  reported.add(text);
  post("ui/exceptionlog/", {
    message: text,
    location: location.hash.slice(0, 500),
    stacktrace: String(stack || "").slice(0, 20000),
    state: { user: session.user ? session.user.username : null, view: current ? current.path : null },
  }).catch(() => {});
}

function watchErrors() {
  window.addEventListener("error", (event) => reportError(event.message, event.error && event.error.stack));
  window.addEventListener("unhandledrejection", (event) => {
    const reason = event.reason;
    reportError(reason && reason.message ? reason.message : reason, reason && reason.stack);
  });
}

async function boot() {
  watchErrors();
  setUnauthenticatedHandler(() => {
    if (!session.user) return;
    session.user = null;
    toast("Your session has ended. Log in again.", "error");
    skipNextGuard = true;
    navigate("/login");
  });
  $("#logout").addEventListener("click", async () => {
    if (current && current.module.canLeave && !current.module.canLeave()
        && !window.confirm("You have unsaved work. Log out anyway?")) return;
    await logout();
    skipNextGuard = true;
    renderBanners("/login");
    navigate("/login");
  });
  window.addEventListener("hashchange", route);
  installSearch();
  window.addEventListener("beforeunload", (event) => {
    if (current && current.module.canLeave && !current.module.canLeave()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  const user = await loadUser();
  if (user) await Promise.all([loadConfig(), loadBroadcasts()]);
  await route();
}

boot().catch((err) => {
  reportError(`Cannot start: ${err.message}`, err.stack);
  renderMain(h("div", { class: "alert error", role: "alert" }, `Cannot start: ${err.message}`));
});
