// The API docs page (/api/v1/docs): Swagger UI on this API's OpenAPI description. A file of its own, not an
// inline script, so that the page works under the Content-Security-Policy (script-src 'self').
window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  const csrf = () => {
    const found = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith("csrf_token="));
    return found ? decodeURIComponent(found.slice("csrf_token=".length)) : null;
  };
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specs,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null, // no badge from validator.swagger.io: nothing leaves the host
    // "Try it out" runs with the session of the web UI: state-changing requests carry its CSRF token
    requestInterceptor: (request) => {
      if (!["GET", "HEAD"].includes((request.method || "GET").toUpperCase()) && csrf()) {
        request.headers["X-CSRF-Token"] = csrf();
      }
      return request;
    },
  });
});
