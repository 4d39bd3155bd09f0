// REPORT view (feature U12): indication and report comments, the classified variants to include (classes with
// include_report in the config are included by default), and the generated report text.
import { get } from "../api.js";
import { h, replace, toast } from "../dom.js";
import { classOptions, className, session } from "../session.js";
import { readOnlyReason } from "./readonly.js";
import { FIELDS, templateMenu } from "../templates.js";
import { classTag, geneOf, hgvsOf } from "./variantlist.js";

function includedByDefault(value) {
  const option = classOptions().find((o) => String(o.value) === String(value));
  return Boolean(option && option.include_report);
}

export async function renderReport(body, wf) {
  wf.state.report = wf.state.report || {};
  const readonly = !wf.editable;
  const shown = wf.result.alleles.filter((a) => a.classification);
  let details = [];
  if (shown.length) {
    try {
      const ids = shown.map((a) => a.id);
      const chunks = [];
      for (let i = 0; i < ids.length; i += 200) chunks.push(ids.slice(i, i + 200)); // the API's limit per request
      details = (await Promise.all(chunks.map((chunk) =>
        get("alleles/", { allele_ids: chunk.join(","), analysis_id: wf.analysisId })))).flat();
    } catch (err) {
      toast(err.message, "error");
    }
  }
  const byId = new Map(details.map((d) => [d.id, d]));
  const isIncluded = (allele) => {
    const flag = wf.alleleState(allele.id).report?.included;
    return flag === undefined || flag === null ? includedByDefault(allele.classification.classification) : Boolean(flag);
  };
  const output = h("pre", { class: "report-text", id: "report-text" });
  const regenerate = () => replace(output, reportText(wf, shown.filter(isIncluded), byId));

  const indication = h("textarea", { id: "indication-comment", disabled: readonly, placeholder: "Indications" },
    wf.state.report.indicationscomment || "");
  indication.addEventListener("input", () => { wf.state.report.indicationscomment = indication.value; wf.markDirty(); regenerate(); });
  const comment = h("textarea", { id: "report-comment-analysis", disabled: readonly, placeholder: "Report comment" },
    wf.state.report.comment || "");
  comment.addEventListener("input", () => { wf.state.report.comment = comment.value; wf.markDirty(); regenerate(); });

  const rows = shown.map((allele) => {
    const box = h("input", { type: "checkbox", checked: isIncluded(allele), disabled: readonly,
      "aria-label": `Include ${geneOf(allele)} ${hgvsOf(allele)} in the report` });
    box.addEventListener("change", () => {
      const entry = wf.alleleState(allele.id, true);
      entry.report = { ...(entry.report || {}), included: box.checked };
      wf.markDirty();
      regenerate();
    });
    const d = byId.get(allele.id);
    return h("tr", null, h("td", null, box), h("td", null, h("strong", null, geneOf(allele))),
      h("td", { class: "mono small" }, hgvsOf(allele)), h("td", null, classTag(allele)),
      h("td", { class: "small" }, d?.allele_report?.evaluation?.comment || ""));
  });
  regenerate();
  replace(body, h("div", { class: "content", style: { maxWidth: "72rem" }, id: "report-page" },
    h("h1", null, `Report — ${wf.analysis.name}`),
    readonly ? h("div", { class: "alert warn small", id: "report-readonly" }, readOnlyReason(wf, "the report")) : null,
    h("div", { class: "row label-row" }, h("label", { for: "indication-comment" }, "Indications"), h("span", { class: "spacer" }),
      templateMenu(FIELDS.indications, indication, { disabled: readonly })), indication,
    h("div", { class: "row label-row" }, h("label", { for: "report-comment-analysis" }, "Report comment"), h("span", { class: "spacer" }),
      templateMenu(FIELDS.summary, comment, { disabled: readonly })), comment,
    h("h2", null, "Classified variants"),
    rows.length ? h("table", { id: "report-variants" },
      h("thead", null, h("tr", null, ["Include", "Gene", "Variant", "Class", "Report text of the variant"].map((t) => h("th", null, t)))),
      h("tbody", null, rows)) : h("p", { class: "empty" }, "No classified variants yet."),
    h("h2", null, "Report text"), output,
    h("div", { class: "row", style: { marginTop: ".5rem" } },
      h("button", { type: "button", onclick: async () => {
        try { await navigator.clipboard.writeText(output.textContent); toast("Copied."); } catch (err) { toast("Copy the text by hand: the browser refused.", "error"); }
      } }, "Copy report text"))));
}

function reportText(wf, alleles, byId) {
  const texts = session.config?.report?.classification_text || {};
  const lines = [`${wf.analysis.name} — gene panel ${wf.analysis.genepanel.name} ${wf.analysis.genepanel.version}`];
  if (wf.state.report.indicationscomment) lines.push("", `Indications: ${wf.state.report.indicationscomment}`);
  lines.push("");
  if (!alleles.length) lines.push("No variants are included in the report.");
  for (const allele of alleles) {
    const d = byId.get(allele.id);
    const tx = (allele.transcripts || [])[0] || {};
    const proband = (d?.samples || []).find((s) => s.proband)?.genotype?.type;
    const cls = allele.classification.classification;
    lines.push(`${geneOf(allele)} ${hgvsOf(allele)}${tx.hgvsp ? ` ${tx.hgvsp}` : ""}${proband ? `, ${proband.toLowerCase()}` : ""}: `
      + `${texts[cls] || className(cls)} (${className(cls)}).`);
    const comment = d?.allele_report?.evaluation?.comment;
    if (comment) lines.push(`  ${comment}`);
  }
  if (wf.state.report.comment) lines.push("", wf.state.report.comment);
  return lines.join("\n");
}
