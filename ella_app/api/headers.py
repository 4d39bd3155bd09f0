"""Browser security headers of every answer, and ``Cache-Control: no-store`` on answers with patient data.

nginx sets the same headers for the static web UI and fills in any the app did not send (the
``ella_nginx_content_security_policy`` default and tests/e2e/nginx.conf.in carry :data:`PAGE_CSP` verbatim;
tests/security/test_headers.py keeps them equal).
"""

from __future__ import annotations

from flask import Flask, Response, request

# HTML pages (the web UI, the Swagger UI at /api/v1/docs): scripts only from files of this site (no inline
# script, no eval), no framing. Inline *styles* are allowed: igv.js sets style attributes and adds <style>
# elements at run time (style injection cannot run script; see docs/security.md).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Everything else the API answers (JSON, track files): nothing may load or run, even if a browser renders it.
API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# Answers without patient data that browsers may cache (revalidated): the API description, the Swagger UI
# and the IGV reference files and static tracks (same for every user). Every other /api answer is no-store.
CACHEABLE_ENDPOINTS = frozenset(
    {"openapi.spec", "openapi.specs", "openapi.docs", "openapi.docs_asset", "igv.resource", "igv.static_track"}
)


def add_security_headers(response: Response) -> Response:
    for name, value in COMMON.items():
        response.headers.setdefault(name, value)
    html = response.mimetype == "text/html"
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP if html else API_CSP)
    if request.endpoint not in CACHEABLE_ENDPOINTS or response.status_code >= 400:
        # errors are never stored, even on a cacheable path (a 403 before login must not outlive the login)
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
