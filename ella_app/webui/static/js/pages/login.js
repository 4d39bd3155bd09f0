// Login, and the forced password change for one-time and expired passwords (ELLA's rules, feature U01).
import { ApiError, post } from "../api.js";
import { h, replace } from "../dom.js";
import { afterLogin } from "../app.js";
import { loadConfig, session } from "../session.js";

// The password rules of ella_config.yml (user.auth), from the public GET api/v1/config/.
function policyList() {
  const auth = session.config?.user?.auth;
  if (!auth) return null;
  const groups = auth.password_match_groups_descr || [];
  return h("ul", { class: "policy", id: "password-policy" },
    auth.password_minimum_length ? h("li", null, `At least ${auth.password_minimum_length} characters`) : null,
    groups.length && auth.password_num_match_groups
      ? h("li", null, `At least ${auth.password_num_match_groups} of: ${groups.join(", ")}`) : null,
    h("li", null, "Not the current password nor a recently used one"));
}

function sentence(text) {
  const t = String(text).trim();
  return t ? t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".") : t;
}

function problems(message) {
  // The API lists the policy problems in "message" ("; "-separated, or one sentence).
  const text = typeof message === "string" ? message : JSON.stringify(message);
  const parts = text.split(/;\s+|\n/).map((s) => s.trim()).filter(Boolean);
  return parts.length > 1 ? h("ul", null, parts.map((p) => h("li", null, sentence(p)))) : sentence(text);
}

function manualLink() {
  return h("p", { class: "small muted center" }, h("a", { href: "docs/", target: "_blank", rel: "noopener" }, "User manual"));
}

export async function render(main) {
  session.user = null;
  if (!session.config?.user?.auth) await loadConfig();
  const box = h("div", { class: "login" });
  main.append(box);
  showLogin(box);
}

function showLogin(box, notice) {
  const error = h("div", { role: "alert" });
  const username = h("input", { type: "text", id: "username", name: "username", autocomplete: "username",
    required: true, autofocus: true });
  const password = h("input", { type: "password", id: "password", name: "password",
    autocomplete: "current-password", required: true });
  const button = h("button", { type: "submit", class: "primary" }, "Log in");
  const form = h("form", { class: "card", "aria-label": "Log in" },
    h("h1", null, "ELLA"),
    notice ? h("div", { class: "alert ok", role: "status" }, notice) : null,
    error,
    h("div", { class: "field" }, h("label", { for: "username" }, "Username"), username),
    h("div", { class: "field" }, h("label", { for: "password" }, "Password"), password),
    button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(error);
    error.className = "";
    button.disabled = true;
    try {
      const user = await post("users/actions/login/", { username: username.value.trim(), password: password.value });
      await afterLogin(user);
    } catch (err) {
      button.disabled = false;
      if (err instanceof ApiError && err.body.error === "PasswordExpiredError") {
        showChange(box, username.value.trim(), password.value, err.message);
        return;
      }
      error.className = "alert error";
      replace(error, sentence(err.message || "Wrong username or password."));
      password.select();
    }
  });
  replace(box, form, manualLink());
  username.focus();
}

function showChange(box, username, oldPassword, reason) {
  const error = h("div", { role: "alert" });
  const current = h("input", { type: "password", id: "current-password", autocomplete: "current-password",
    value: oldPassword, required: true });
  const fresh = h("input", { type: "password", id: "new-password", autocomplete: "new-password", required: true });
  const repeat = h("input", { type: "password", id: "repeat-password", autocomplete: "new-password", required: true });
  const button = h("button", { type: "submit", class: "primary" }, "Change password and log in");
  const form = h("form", { class: "card", "aria-label": "Choose a new password" },
    h("h1", null, "Choose a new password"),
    h("div", { class: "alert warn", role: "status" },
      reason && !/^HTTP/.test(reason) ? sentence(reason) : "Your password must be changed before you can log in."),
    h("p", { class: "policy" }, "User ", h("strong", null, username), ". The new password needs:"),
    policyList(),
    error,
    h("div", { class: "field" }, h("label", { for: "current-password" }, "Current (one-time) password"), current),
    h("div", { class: "field" }, h("label", { for: "new-password" }, "New password"), fresh),
    h("div", { class: "field" }, h("label", { for: "repeat-password" }, "Repeat the new password"), repeat),
    button,
    h("p", null, h("button", { type: "button", class: "link", onclick: () => showLogin(box) }, "Back to log in")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(error);
    error.className = "";
    if (fresh.value !== repeat.value) {
      error.className = "alert error";
      replace(error, "The two new passwords differ.");
      repeat.select();
      return;
    }
    button.disabled = true;
    try {
      await post("users/actions/changepassword/", { username, password: current.value, new_password: fresh.value });
    } catch (err) {
      button.disabled = false;
      error.className = "alert error";
      replace(error, h("strong", null, "The password was not changed:"), problems(err.message));
      fresh.select();
      return;
    }
    try {
      const user = await post("users/actions/login/", { username, password: fresh.value });
      await afterLogin(user);
    } catch (err) {
      showLogin(box, "Your password was changed. Log in with the new password.");
    }
  });
  replace(box, form);
  fresh.focus();
}
