// INFO view (features U04, U16): analysis facts, pipeline warnings, the analysis report, samples, rounds, and the
// work log (messages, priority, overview comment, warning cleared; the shared component of worklog.js).
import { get } from "../api.js";
import { fmtDateTime, h, replace } from "../dom.js";
import { priorityName, session } from "../session.js";
import { requestedCell, requestedDate } from "./overview.js";
import { userName } from "./workflow.js";
import { WorkLog } from "../worklog.js";

export async function renderInfo(body, wf) {
  const a = wf.analysis;
  // Entries change the analysis (priority, overview comment, warnings cleared): reload it with the log.
  const log = new WorkLog(wf.base, { onChange: async () => { wf.analysis = await get(`analyses/${wf.analysisId}/`); } });
  const priorities = Object.keys(session.config?.analysis?.priority?.display || { 1: "", 2: "", 3: "" });
  const priority = h("select", { id: "priority", "aria-label": "Priority" },
    priorities.map((p) => h("option", { value: p, selected: Number(p) === a.priority }, priorityName(p))));
  priority.addEventListener("change", () => log.add({ priority: Number(priority.value) }, "Priority changed."));
  const comment = h("input", { type: "text", id: "review-comment", value: a.review_comment || "",
    placeholder: "Short comment shown in the overview", style: { width: "100%" } });
  const saveComment = h("button", { type: "button", onclick: () =>
    log.add({ review_comment: comment.value.trim() }, "Overview comment saved.") }, "Save comment");

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
            : h("button", { type: "button", onclick: () => log.add({ warning_cleared: true }, "Warnings cleared.") },
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
          log.messageForm(),
          log.box))));
  replace(body, content);
  await log.refresh();
}
