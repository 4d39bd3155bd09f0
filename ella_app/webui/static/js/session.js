// Who is logged in and the configuration they work with (ella_config.yml merged with group and user config).
import { ApiError, get, hasSessionCookie, post } from "./api.js";

// Used until GET api/v1/config/ answers (and for keys it leaves out).
export const DEFAULT_CONFIG = {
  app: { non_production_warning: null },
  analysis: { priority: { display: { 1: "Normal", 2: "High", 3: "Urgent" } } },
  classification: {
    options: [
      { name: "Class 1", value: "1" }, { name: "Class 2", value: "2" }, { name: "Class 3", value: "3" },
      { name: "Class 4", value: "4" }, { name: "Class 5", value: "5" },
    ],
  },
  report: { classification_text: {} },
  user: { user_config: { overview: { views: ["analyses", "variants"] } } },
  igv: { reference: null },
};

export const session = { user: null, config: DEFAULT_CONFIG, broadcasts: [] };

export async function loadUser() {
  if (!hasSessionCookie()) { session.user = null; return null; }
  try {
    session.user = await get("users/currentuser/");
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 401)) { session.user = null; return null; }
    throw err;
  }
  return session.user;
}

export async function loadConfig() {
  try {
    const config = await get("config/");
    session.config = { ...DEFAULT_CONFIG, ...config };
  } catch (err) {
    session.config = DEFAULT_CONFIG;
  }
  return session.config;
}

export async function loadBroadcasts() {
  try {
    const items = await get("broadcasts/");
    session.broadcasts = Array.isArray(items) ? items : [];
  } catch (err) {
    session.broadcasts = [];
  }
  return session.broadcasts;
}

export async function logout() {
  try { await post("users/actions/logout/"); } catch (err) { /* the session is gone either way */ }
  session.user = null;
}

export function classOptions() {
  const options = session.config?.classification?.options;
  return Array.isArray(options) && options.length ? options : DEFAULT_CONFIG.classification.options;
}

export function className(value) {
  const found = classOptions().find((o) => String(o.value) === String(value));
  return found ? found.name : String(value);
}

export function priorityName(priority) {
  const display = session.config?.analysis?.priority?.display || DEFAULT_CONFIG.analysis.priority.display;
  return display[String(priority)] || String(priority);
}

export function overviewViews() {
  const views = session.config?.user?.user_config?.overview?.views;
  return Array.isArray(views) && views.length ? views : ["analyses", "variants"];
}
