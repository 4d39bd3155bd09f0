// Comment templates (issue 13 part 5; ELLA's user group config.comment_templates: name, template, the comment
// fields it is offered in): an "Insert template" menu beside a comment editor. The template's text goes in at
// the cursor; our editors are plain text, so HTML markup in a template becomes line breaks and text.
import { h } from "./dom.js";
import { session } from "./session.js";

// ELLA's comment field names, for the editors that have them.
export const FIELDS = {
  evaluation: "classificationEvaluation",
  report: "classificationReport",
  acmg: "classificationAcmg",
  analysis: "classificationAnalysisSpecific",
  reference: "referenceEvaluation",
  frequency: "classificationFrequency",
  prediction: "classificationPrediction",
  external: "classificationExternal",
  references: "classificationReferences",
  gene: "geneInformation",
  indications: "reportIndications",
  summary: "reportSummary",
  worklog: "workLogMessage",
};

export function templatesFor(field) {
  const all = session.config?.user?.user_config?.comment_templates;
  if (!Array.isArray(all)) return [];
  return all.filter((t) => t && typeof t.template === "string" && typeof t.name === "string"
    && (!Array.isArray(t.comment_fields) || t.comment_fields.includes(field)));
}

// "<p>One</p><p>Two &amp; three</p>" → "One\nTwo & three" (parsed as an inert document: nothing runs).
export function templateText(template) {
  const doc = new DOMParser().parseFromString(
    template.replace(/<br\s*\/?>/gi, "\n").replace(/<\/(p|div|li|h[1-6])>/gi, "\n"), "text/html");
  return (doc.body.textContent || "").replace(/\n{3,}/g, "\n\n").trim();
}

// A select that inserts a template into `editor` (a textarea or input) and fires its input event; null when
// the group has no template for the field.
export function templateMenu(field, editor, { disabled = false } = {}) {
  const templates = templatesFor(field);
  if (!templates.length) return null;
  const select = h("select", { class: "template-menu", "aria-label": "Insert a comment template", disabled,
    "data-field": field },
  h("option", { value: "" }, "Insert template…"),
  templates.map((t, i) => h("option", { value: String(i) }, t.name)));
  select.addEventListener("change", () => {
    const chosen = templates[Number(select.value)];
    select.value = "";
    if (!chosen || editor.disabled) return;
    const text = templateText(chosen.template);
    const start = editor.selectionStart ?? editor.value.length;
    const end = editor.selectionEnd ?? editor.value.length;
    const before = editor.value.slice(0, start);
    const glue = before && !before.endsWith("\n") && editor.tagName === "TEXTAREA" ? "\n" : before && !before.endsWith(" ") ? " " : "";
    editor.value = before + glue + text + editor.value.slice(end);
    editor.dispatchEvent(new Event("input", { bubbles: true }));
    editor.focus();
  });
  return select;
}
