// The REST API at api/v1/ (relative: the UI and the API share one origin behind nginx).
// Unsafe requests carry the csrf_token cookie in X-CSRF-Token (double-submit CSRF protection).
// GET answers that carry an ETag (the overview) are kept in memory (never in the browser's HTTP cache): the
// next GET of the same URL sends If-None-Match, and a 304 answer reuses the kept body.

export class ApiError extends Error {
  constructor(status, body) {
    const message = (body && (body.message || body.error)) || `HTTP ${status}`;
    super(typeof message === "string" ? message : JSON.stringify(message));
    this.status = status;
    this.body = body || {};
  }
}

export function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export function hasSessionCookie() {
  return Boolean(cookie("csrf_token"));
}

let onUnauthenticated = () => {};
export function setUnauthenticatedHandler(fn) { onUnauthenticated = fn; }

function url(path, query) {
  let full = `api/v1/${path.replace(/^\/+/, "")}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) full += `?${qs}`;
  }
  return full;
}

const revalidated = new Map(); // URL -> {etag, data, headers}
const REVALIDATED_MAX = 20;

export function forgetCached() { revalidated.clear(); }

export async function request(path, { method = "GET", body, query, raw = false } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!["GET", "HEAD"].includes(method)) {
    const token = cookie("csrf_token");
    if (token) headers["X-CSRF-Token"] = token;
  }
  const target = url(path, query);
  const kept = method === "GET" ? revalidated.get(target) : undefined;
  if (kept) headers["If-None-Match"] = kept.etag;
  let response;
  try {
    response = await fetch(target, {
      method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, { message: "The server cannot be reached. Check the network and try again." });
  }
  if (response.status === 304 && kept) {
    revalidated.delete(target);
    revalidated.set(target, kept); // most recently used last
    return raw ? { data: kept.data, headers: kept.headers } : kept.data;
  }
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    const error = new ApiError(response.status, typeof data === "object" ? data : { message: data });
    if (response.status === 403 && /log in/i.test(error.message)) { forgetCached(); onUnauthenticated(error); }
    throw error;
  }
  const etag = method === "GET" ? response.headers.get("ETag") : null;
  if (etag) {
    revalidated.delete(target);
    revalidated.set(target, { etag, data, headers: response.headers });
    if (revalidated.size > REVALIDATED_MAX) revalidated.delete(revalidated.keys().next().value);
  } else if (method !== "GET") {
    revalidated.clear(); // a change: the next GETs ask again (they still revalidate with the server)
  }
  return raw ? { data, headers: response.headers } : data;
}

export const get = (path, query) => request(path, { query });
export const post = (path, body) => request(path, { method: "POST", body: body === undefined ? {} : body });
export const patch = (path, body) => request(path, { method: "PATCH", body });

// A paged list: {items, total, pages, page}.
export async function paged(path, query) {
  const { data, headers } = await request(path, { query, raw: true });
  return {
    items: data,
    total: Number(headers.get("Total-Count") || data.length),
    pages: Number(headers.get("Total-Pages") || 1),
    page: Number(headers.get("Page") || 1),
  };
}
