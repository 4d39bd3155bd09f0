// The work log of a workflow (features U04, U14, U16), shared by the analysis INFO view and the VARIANTS page:
// the history (newest first) of messages, priority and overview-comment changes, cleared warnings and the
// classifications and variant reports made in the workflow ("Updated classification for BRCA2 c.100A>G
// (Class 4 → Class 5)"), and a message box. The author may edit or delete a message of the latest round while
// it is not finalized (the API's `editable`).
//
// GET <base>/logs/ answers ELLA's {logs: [...], users: [...]}: each entry names its author by user_id.
import { request, get, patch, post } from "./api.js";
import { fmtDateTime, h, replace, toast } from "./dom.js";
import { className, priorityName } from "./session.js";
import { FIELDS, templateMenu } from "./templates.js";

export function authorName(user) {
  if (!user) return "";
  return `${user.first_name || ""} ${user.last_name || ""}`.trim() || user.username;
}

// What a classification or variant-report entry records, in ELLA's words.
export function changeText(entry) {
  const assessment = entry.alleleassessment;
  const report = entry.allelereport;
  if (assessment && assessment.allele_id) {
    const withReport = report && report.allele_id ? " and variant report" : "";
    const from = assessment.previous_classification ? `${className(assessment.previous_classification)} ` : "";
    return `Updated classification${withReport} for ${(assessment.hgvsc || []).join(", ")} `
      + `(${from}→ ${className(assessment.classification)})`;
  }
  if (report && report.allele_id) return `Updated variant report for ${(report.hgvsc || []).join(", ")}`;
  return null;
}

// The parts of an entry other than its message, as text.
export function eventTexts(entry) {
  const what = [];
  if (entry.priority) what.push(`Priority set to ${priorityName(entry.priority)}`);
  if (entry.review_comment !== null && entry.review_comment !== undefined) {
    what.push(`Overview comment: “${entry.review_comment}”`);
  }
  if (entry.warning_cleared === true) what.push("Warnings cleared");
  if (entry.warning_cleared === false) what.push("Warnings marked as not cleared");
  const change = changeText(entry);
  if (change) what.push(change);
  return what;
}

export class WorkLog {
  // base: the workflow's API path ("workflows/analyses/12"); onChange: called after an entry is added, edited
  // or deleted (e.g. to reload what the entry changed).
  constructor(base, { onChange = async () => {} } = {}) {
    this.base = base;
    this.onChange = onChange;
    this.box = h("div", { id: "worklog" }, h("p", { class: "muted" }, "Loading the work log…"));
  }

  async refresh() {
    let answer;
    try {
      answer = await get(`${this.base}/logs/`);
    } catch (err) {
      replace(this.box, h("div", { class: "alert error" }, err.message));
      return;
    }
    const users = new Map((answer.users || []).map((u) => [u.id, u]));
    const items = (answer.logs || []).slice().reverse().map((entry) => this.item(entry, users.get(entry.user_id)));
    replace(this.box, h("h3", null, "History"), items.length
      ? h("ul", { class: "small", id: "worklog-entries", style: { overflowWrap: "anywhere" } }, items)
      : h("p", { class: "empty" }, "Nothing logged yet."));
  }

  item(entry, user) {
    const text = h("span", { class: "what" }, [entry.message, ...eventTexts(entry)].filter(Boolean).join(" · "));
    const li = h("li", { "data-log-id": entry.id, class: entry.alleleassessment || entry.allelereport ? "log-change" : null },
      h("span", { class: "small muted" }, `${fmtDateTime(entry.date_created)} ${authorName(user) || "system"}: `),
      text);
    if (entry.editable) {
      const controls = h("span", { class: "log-controls", style: { marginLeft: ".5rem", display: "inline-flex", gap: ".6rem" } });
      const normal = () => replace(controls,
        h("button", { type: "button", class: "link edit-log", onclick: () => this.edit(entry, li, text, controls, normal) },
          "Edit"),
        h("button", { type: "button", class: "link delete-log", onclick: () => replace(controls, "Delete this message?",
          h("button", { type: "button", class: "link confirm-delete-log", onclick: () => this.remove(entry) }, "Delete"),
          h("button", { type: "button", class: "link", onclick: normal }, "Cancel")) }, "Delete"));
      normal();
      li.append(controls);
    }
    return li;
  }

  edit(entry, li, text, controls, normal) {
    const editor = h("textarea", { class: "edit-log-text", "aria-label": "Message", rows: 3 });
    editor.value = entry.message || "";
    const done = () => { editor.remove(); text.hidden = false; normal(); };
    text.hidden = true;
    li.insertBefore(editor, controls);
    replace(controls,
      h("button", { type: "button", class: "link save-log", onclick: async () => {
        const message = editor.value.trim();
        if (!message) { toast("A message cannot be empty: delete it instead.", "error"); return; }
        try {
          await patch(`${this.base}/logs/${entry.id}/`, { message });
          toast("Message changed.");
          await this.changed();
        } catch (err) {
          toast(err.message, "error");
          done();
        }
      } }, "Save"),
      h("button", { type: "button", class: "link", onclick: done }, "Cancel"));
    editor.focus();
  }

  async remove(entry) {
    try {
      await request(`${this.base}/logs/${entry.id}/`, { method: "DELETE" });
      toast("Message deleted.");
      await this.changed();
    } catch (err) {
      toast(err.message, "error");
    }
  }

  // Add an entry (message, priority, review_comment, warning_cleared) and show the log again.
  async add(body, done) {
    try {
      await post(`${this.base}/logs/`, body);
      toast(done);
      await this.changed();
      return true;
    } catch (err) {
      toast(err.message, "error");
      return false;
    }
  }

  async changed() {
    await this.onChange();
    await this.refresh();
  }

  // The message box: a textarea with the group's templates and an "Add message" button.
  messageForm() {
    const message = h("textarea", { id: "log-message", placeholder: "Message to colleagues" });
    const send = h("button", { type: "button", class: "primary", id: "add-log", onclick: async () => {
      if (!message.value.trim()) return;
      if (await this.add({ message: message.value.trim() }, "Message added.")) message.value = "";
    } }, "Add message");
    return [
      h("div", { class: "row label-row" }, h("label", { for: "log-message" }, "Message"), h("span", { class: "spacer" }),
        templateMenu(FIELDS.worklog, message)), message,
      h("div", { class: "row", style: { marginTop: ".4rem" } }, h("span", { class: "spacer" }), send),
    ];
  }
}
