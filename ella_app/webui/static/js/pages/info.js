// INFO view (features U04, U16): analysis facts, pipeline warnings, the analysis report, samples, rounds, and the
// work log (messages, priority, overview comment, warning cleared).
import { get, post } from "../api.js";
import { fmtDateTime, h, replace, toast } from "../dom.js";
import { priorityName, session } from "../session.js";
import { requestedCell, requestedDate } from "./overview.js";
import { userName } from "./workflow.js";
import { FIELDS, templateMenu } from "../templates.js";

export async function renderInfo(body, wf) {
  const a = wf.analysis;
  const logBox = h("div", { id: "worklog" }, h("p", { class: "muted" }, "Loading the work log…"));
  const priorities = Object.keys(session.config?.analysis?.priority?.display || { 1: "", 2: "", 3: "" });
  const priority = h("select", { id: "priority", "aria-label": "Priority" },
    priorities.map((p) => h("option", { value: p, selected: Number(p) === a.priority }, priorityName(p))));
  priority.addEventListener("change", () => addLog(wf, { priority: Number(priority.value) }, logBox, "Priority changed."));
  const comment = h("input", { type: "text", id: "review-comment", value: a.review_comment || "",
    placeholder: "Short comment shown in the overview", style: { width: "100%" } });
  const saveComment = h("button", { type: "button", onclick: () =>
    addLog(wf, { review_comment: comment.value.trim() }, logBox, "Overview comment saved.") }, "Save comment");
  const message = h("textarea", { id: "log-message", placeholder: "Message to colleagues" });
  const send = h("button", { type: "button", class: "primary", id: "add-log", onclick: async () => {
    if (!message.value.trim()) return;
    await addLog(wf, { message: message.value.trim() }, logBox, "Message added.");
    message.value = "";
  } }, "Add message");

  const samples = a.samples || [];
  const content = h("div", { class: "content", style: { maxWidth: "72rem" } },
    h("h1", null, a.name),
    h("div", { class: "two-col" },
      h("div", null,
        h("dl", { class: "kv card" },
          h("dt", null, "Gene panel"), h("dd", null, `${a.genepanel.name} ${a.genepanel.version}`),
          h("dt", null, "Requested"), h("dd", { id: "info-requested" }, requestedCell(a),
            requestedDate(a).deposited ? h("span", { class: "small muted" }, " (no request date given: deposited)") : null),
          h("dt", null, "Deposited"), h("dd", null, fmtDateTime(a.date_deposited) || "–"),
          h("dt", null, "Variants"), h("dd", null,
            `${wf.result.alleles.length} shown, ${Object.values(wf.result.excluded_allele_ids || {}).flat().length} filtered`)),
        a.warnings ? h("div", { class: "alert warn", id: "pipeline-warnings" }, h("strong", null, "Pipeline warnings"),
          h("pre", { style: { whiteSpace: "pre-wrap", margin: ".3rem 0" } }, a.warnings),
          a.warning_cleared ? h("span", { class: "small" }, "Marked as cleared.")
            : h("button", { type: "button", onclick: () => addLog(wf, { warning_cleared: true }, logBox, "Warnings cleared.") },
              "Mark warnings as cleared")) : null,
        h("h2", null, "Analysis report"),
        a.report ? h("pre", { class: "report-text", id: "analysis-report" }, a.report) : h("p", { class: "empty" }, "No report from the pipeline."),
        h("h2", null, "Samples"),
        h("table", null, h("thead", null, h("tr", null, ["Sample", "Technology", "Proband", "Affected", "Sex", "Family"].map((t) => h("th", null, t)))),
          h("tbody", null, samples.map((s) => h("tr", null, h("td", null, s.identifier), h("td", null, s.sample_type),
            h("td", null, s.proband ? "yes" : ""), h("td", null, s.affected ? "yes" : "no"), h("td", null, s.sex || ""),
            h("td", null, s.family_id || ""))))),
        h("h2", null, "Interpretation rounds"),
        h("table", null, h("thead", null, h("tr", null, ["#", "Workflow status", "Status", "User", "Last update"].map((t) => h("th", null, t)))),
          h("tbody", null, wf.rounds.map((r, i) => h("tr", null, h("td", null, String(i + 1)), h("td", null, r.workflow_status),
            h("td", null, r.status === "Done" && r.finalized ? "Finalized" : r.status), h("td", null, userName(r.user)),
            h("td", null, fmtDateTime(r.date_last_update))))))),
      h("div", null,
        h("div", { class: "card" },
          h("h2", { style: { marginTop: 0 } }, "Work log"),
          h("label", { for: "priority" }, "Priority"), priority,
          h("label", { for: "review-comment" }, "Overview comment"), comment,
          h("div", { class: "row", style: { marginTop: ".4rem" } }, saveComment),
          h("div", { class: "row label-row" }, h("label", { for: "log-message" }, "Message"), h("span", { class: "spacer" }),
            templateMenu(FIELDS.worklog, message)), message,
          h("div", { class: "row", style: { marginTop: ".4rem" } }, h("span", { class: "spacer" }), send),
          logBox))));
  replace(body, content);
  await renderLog(wf, logBox);
}

async function renderLog(wf, box) {
  let entries;
  try {
    entries = await get(`${wf.base}/logs/`);
  } catch (err) {
    replace(box, h("div", { class: "alert error" }, err.message));
    return;
  }
  const items = entries.slice().reverse().map((e) => {
    const what = [];
    if (e.message) what.push(e.message);
    if (e.priority) what.push(`Priority set to ${priorityName(e.priority)}`);
    if (e.review_comment !== null && e.review_comment !== undefined) what.push(`Overview comment: “${e.review_comment}”`);
    if (e.warning_cleared) what.push("Warnings cleared");
    return h("li", null, h("span", { class: "small muted" }, `${fmtDateTime(e.date_created)} ${userName(e.user) || "system"}: `),
      what.join(" · "));
  });
  replace(box, h("h3", null, "History"), items.length ? h("ul", { class: "small", id: "worklog-entries" }, items)
    : h("p", { class: "empty" }, "Nothing logged yet."));
}

async function addLog(wf, body, box, done) {
  try {
    await post(`${wf.base}/logs/`, body);
    toast(done);
    wf.analysis = await get(`analyses/${wf.analysisId}/`);
    await renderLog(wf, box);
  } catch (err) {
    toast(err.message, "error");
  }
}
