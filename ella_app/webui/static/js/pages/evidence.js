// FULL mode of the classification view (features U07, U08, U09): the evidence of one variant (quality and
// genotypes per sample, transcripts, frequencies, ClinVar/HGMD, references, previous classifications) next to the
// classification form (class, ACMG criteria with strength, evaluation and report comments).
import { ApiError, post } from "../api.js";
import { fmtDate, fmtNum, h, replace, toast } from "../dom.js";
import { baseStrength, label, parseCode } from "../acmg.js";
import { className, classOptions } from "../session.js";
import { classBadge } from "./overview.js";
import { acmgSection } from "./acmgpanel.js";
import { predictionSection, regionSection } from "./annotationsections.js";
import { referenceList } from "./refevaluation.js";
import { FIELDS, templateMenu } from "../templates.js";
import { readOnlyReason } from "./readonly.js";
import { userName } from "./workflow.js";
import { decorateEvidence } from "../evidence-extras.js";

export function renderEvidence(box, wf, detail) {
  const left = h("div", { class: "evidence" },
    header(wf, detail),
    qualitySection(wf, detail),
    transcriptSection(detail),
    regionSection(detail),
    withComment(frequencySection(detail), wf, detail, "frequency"),
    withComment(predictionSection(detail), wf, detail, "prediction"),
    withComment(externalSection(detail), wf, detail, "external"),
    withComment(referenceSection(wf, detail), wf, detail, "reference"),
    historySection(detail));
  const right = classificationForm(wf, detail);
  replace(box, h("div", { class: "two-col" }, left, right));
  decorateEvidence(box, wf, detail); // gene popover and comment, collision warning (evidence-extras.js)
}

// ------------------------------------------------------------------------------------------ evidence

function mainTranscript(detail) {
  const shown = detail.transcripts || [];
  return shown[0] || {};
}

function header(wf, detail) {
  const tx = mainTranscript(detail);
  const gene = (detail.genes || [])[0];
  const cls = detail.allele_assessment;
  const row = wf.result.alleles.find((a) => a.id === detail.id) || {};
  return h("div", { class: "head", id: "variant-header" },
    h("span", { class: "gene" }, gene?.symbol || tx.symbol || `chr${detail.chromosome}`),
    h("span", { class: "mono" }, tx.transcript ? `${tx.transcript}:${tx.hgvsc || ""}` : ""),
    tx.hgvsp ? h("span", { class: "mono" }, tx.hgvsp) : null,
    detail.worst_consequence ? h("span", { class: "badge tag" }, detail.worst_consequence) : null,
    gene?.inheritance ? h("span", { class: "badge tag", title: "Inheritance in the gene panel" }, gene.inheritance) : null,
    cls ? h("span", { class: `badge class ${classBadge(cls.classification)}${cls.outdated ? " outdated" : ""}` },
      className(cls.classification) + (cls.outdated ? " (outdated)" : "")) : h("span", { class: "badge" }, "Not classified"),
    row.reincluded ? h("span", { class: "badge warn" }, `Re-included (filtered by ${row.filtered})`) : null,
    h("span", { class: "muted small mono" },
      `${detail.genome_reference || "GRCh37"} ${detail.chromosome}:${detail.vcf_pos} ${detail.vcf_ref}>${detail.vcf_alt}`));
}

function roleOf(sample, samples) {
  if (sample.proband) return "Proband";
  const proband = samples.find((s) => s.proband);
  if (proband && proband.father_id === sample.id) return "Father";
  if (proband && proband.mother_id === sample.id) return "Mother";
  return "Relative";
}

function qualitySection(wf, detail) {
  const samples = detail.samples || [];
  const st = wf.alleleState(detail.id).analysis || {};
  const setFlag = (key, value) => {
    const entry = wf.alleleState(detail.id, true);
    entry.analysis = { ...(entry.analysis || {}), [key]: value };
    wf.markDirty();
    wf.refreshSidebar();
    wf.renderSelected();
  };
  const technical = st.verification === "technical";
  return h("section", { id: "evidence-quality", "aria-label": "Analysis-specific quality" },
    h("h3", null, "Quality and genotypes"),
    h("div", { class: "row", style: { marginBottom: ".4rem" } },
      h("span", { class: "small muted" }, `QUAL ${fmtNum(detail.variant_quality) || "–"} · FILTER ${detail.filter_status || "–"}`),
      h("span", { class: "spacer" }),
      h("button", { type: "button", class: "toggle", id: "toggle-technical", "aria-pressed": String(technical),
        disabled: !wf.editable, onclick: () => setFlag("verification", technical ? null : "technical") }, "Technical"),
      h("button", { type: "button", class: "toggle", id: "toggle-notrelevant", "aria-pressed": String(Boolean(st.notrelevant)),
        disabled: !wf.editable, onclick: () => setFlag("notrelevant", !st.notrelevant) }, "Not relevant")),
    samples.length ? h("table", null,
      h("thead", null, h("tr", null, ["Sample", "Role", "Sex", "Affected", "Genotype", "GQ", "DP", "Allele depth", "Ratio"]
        .map((t) => h("th", { class: /GQ|DP|Ratio/.test(t) ? "num" : null }, t)))),
      h("tbody", null, samples.map((s) => {
        const g = s.genotype || {};
        const depth = g.allele_depth ? Object.entries(g.allele_depth).map(([k, v]) => `${k} ${v}`).join(", ") : "";
        return h("tr", null,
          h("td", null, s.identifier), h("td", null, roleOf(s, samples)), h("td", null, s.sex || ""),
          h("td", null, s.affected ? "yes" : "no"), h("td", null, g.type || "–"),
          h("td", { class: "num" }, fmtNum(g.genotype_quality)), h("td", { class: "num" }, fmtNum(g.sequencing_depth)),
          h("td", { class: "small" }, depth), h("td", { class: "num" }, fmtNum(g.allele_ratio, 2)));
      }))) : h("p", { class: "empty" }, "No sample data."),
    analysisComment(wf, detail, st));
}

// ELLA's analysis-specific comment (also written in QUICK mode): kept in the interpretation state.
function analysisComment(wf, detail, st) {
  if (wf.subject === "variant") return null; // the VARIANTS workflow has no analysis
  const box = h("textarea", { id: "analysis-comment", disabled: !wf.editable, rows: 2,
    placeholder: "Analysis-specific comment (this analysis only)" }, st.comment || "");
  box.addEventListener("input", () => {
    const entry = wf.alleleState(detail.id, true);
    entry.analysis = { ...(entry.analysis || {}), comment: box.value };
    wf.markDirty();
  });
  return [h("div", { class: "row label-row" }, h("label", { for: "analysis-comment" }, "Analysis-specific comment"),
    h("span", { class: "spacer" }), templateMenu(FIELDS.analysis, box, { disabled: !wf.editable })), box];
}

function transcriptSection(detail) {
  const all = detail.annotation?.transcripts || [];
  const rows = [...all].sort((a, b) => Number(Boolean(b.in_genepanel)) - Number(Boolean(a.in_genepanel))).slice(0, 12);
  const table = rows.length ? h("table", null,
    h("thead", null, h("tr", null, ["Transcript", "Gene", "HGVSc", "HGVSp", "Consequence", "Exon/intron"].map((t) => h("th", null, t)))),
    h("tbody", null, rows.map((t) => h("tr", { style: t.in_genepanel ? { fontWeight: 600 } : null },
      h("td", { class: "mono small" }, t.transcript, " ",
        t.in_genepanel ? h("span", { class: "badge tag", title: "In the gene panel" }, "panel") : null),
      h("td", null, t.symbol || ""),
      h("td", { class: "mono small" }, t.HGVSc_short || t.HGVSc || ""),
      h("td", { class: "mono small" }, t.HGVSp || ""),
      h("td", { class: "small" }, (t.consequences || []).join(", ")),
      h("td", { class: "small" }, t.exon ? `exon ${t.exon}` : t.intron ? `intron ${t.intron}` : "")))))
    : h("p", { class: "empty" }, "No transcript annotation.");
  return h("section", { id: "evidence-transcripts", "aria-label": "Transcripts" },
    h("h3", null, "Transcripts"), table,
    all.length > rows.length ? h("p", { class: "small muted" }, `${all.length - rows.length} more transcripts not shown.`) : null);
}

function frequencySection(detail) {
  const freqs = detail.annotation?.frequencies || {};
  const providers = Object.keys(freqs).sort();
  const tables = providers.map((provider) => {
    const data = freqs[provider] || {};
    const kinds = ["freq", "count", "num", "het", "hom"].filter((k) => data[k] && typeof data[k] === "object");
    const pops = [...new Set(kinds.flatMap((k) => Object.keys(data[k])))].sort((a, b) => (a === "G" ? -1 : b === "G" ? 1 : a.localeCompare(b)));
    return h("div", { style: { marginBottom: ".6rem" } },
      h("strong", { class: "small" }, provider),
      h("table", null,
        h("thead", null, h("tr", null, h("th", null, "Population"), kinds.map((k) => h("th", { class: "num" },
          { freq: "Frequency", count: "Count", num: "Alleles", het: "Het", hom: "Hom" }[k])))),
        h("tbody", null, pops.map((pop) => h("tr", null, h("td", null, pop === "G" ? "All (G)" : pop),
          kinds.map((k) => h("td", { class: "num" }, fmtNum(data[k][pop], 5))))))));
  });
  return h("section", { id: "evidence-frequencies", "aria-label": "Frequencies" },
    h("h3", null, "Frequencies"), tables.length ? tables : h("p", { class: "empty" }, "No frequency data."));
}

function externalSection(detail) {
  const external = detail.annotation?.external || {};
  const clinvar = detail.annotation?.clinvar;
  const parts = [];
  const vcf = external.CLINVAR_VCF;
  if (vcf && Array.isArray(vcf.accessions) && vcf.accessions.length) {
    parts.push(clinvarVcf(vcf));
  } else if (clinvar) {
    parts.push(h("div", { id: "clinvar" }, h("strong", { class: "small" }, "ClinVar"),
      h("dl", { class: "kv" },
        clinvar.variant_id ? [h("dt", null, "Variant id"), h("dd", null, String(clinvar.variant_id))] : null,
        h("dt", null, "Significance"), h("dd", null, clinvar.significance.map(clinvarSignificance).join(", ") || "–"),
        clinvar.review_status?.length ? [h("dt", null, "Review status"), h("dd", null, clinvar.review_status.join(", "))] : null,
        clinvar.num_stars !== undefined ? [h("dt", null, "Stars"), h("dd", null, "★".repeat(clinvar.num_stars) || "0")] : null),
      clinvar.submissions?.length ? h("ul", { class: "small" }, clinvar.submissions.slice(0, 10).map((s) =>
        h("li", null, `${s.significance || "?"} — ${s.submitter || ""} ${s.last_evaluated ? `(${s.last_evaluated})` : ""}`,
          s.traitnames ? ` · ${[].concat(s.traitnames).join(", ")}` : ""))) : null));
  }
  if (external.HGMD && typeof external.HGMD === "object") {
    const hgmd = external.HGMD;
    parts.push(h("div", { id: "hgmd" }, h("strong", { class: "small" }, "HGMD"),
      h("dl", { class: "kv" }, ["acc_num", "tag", "disease"].filter((k) => hgmd[k]).map((k) =>
        [h("dt", null, { acc_num: "Accession", tag: "Tag", disease: "Disease" }[k]), h("dd", null, String(hgmd[k]))]))));
  }
  for (const [key, value] of Object.entries(external)) {
    if (key === "HGMD" || key.startsWith("CLINVAR") || value === null || typeof value !== "object") continue;
    const entries = Object.entries(value).filter(([, v]) => v !== null && typeof v !== "object" && v !== "-").slice(0, 12);
    if (entries.length) {
      parts.push(h("details", null, h("summary", { class: "small" }, key),
        h("dl", { class: "kv small" }, entries.map(([k, v]) => [h("dt", null, k), h("dd", null, String(v))]))));
    }
  }
  return h("section", { id: "evidence-external", "aria-label": "External databases" },
    h("h3", null, "External databases"), parts.length ? parts : h("p", { class: "empty" }, "No external annotation."));
}

// ClinVar VCF CLNSIG codes (ClinVar's VCF before 2017) and review status words.
const CLNSIG = { 0: "Uncertain significance", 1: "Not provided", 2: "Benign", 3: "Likely benign", 4: "Likely pathogenic",
  5: "Pathogenic", 6: "Drug response", 7: "Histocompatibility", 255: "Other" };
const REVSTAT = { not: "no assertion", single: "single submitter", mult: "multiple submitters", conf: "conflicting",
  exp: "expert panel", guideline: "practice guideline", no_criteria: "no assertion criteria" };

function clinvarSignificance(value) {
  return String(value).split(/[,|]/).map((v) => CLNSIG[v.trim()] || v.trim().replace(/_/g, " ")).join(" / ");
}

function clinvarVcf(vcf) {
  const rows = vcf.accessions.map((acc, i) => h("tr", null,
    h("td", { class: "mono small" }, String(acc).replace(/,/g, ", ")),
    h("td", null, clinvarSignificance((vcf.clnsig || [])[i] ?? "")),
    h("td", { class: "small" }, String((vcf.revstat || [])[i] ?? "").split(",").map((r) => REVSTAT[r] || r).join(", ")),
    h("td", { class: "small" }, String((vcf.diseases || [])[i] ?? "").replace(/_/g, " ").replace(/,/g, ", "))));
  return h("div", { id: "clinvar" }, h("strong", { class: "small" }, "ClinVar"), vcf.rs ? h("span", { class: "small muted" }, ` rs${vcf.rs}`) : null,
    h("table", null, h("thead", null, h("tr", null, ["Accession", "Significance", "Review", "Condition"].map((t) => h("th", null, t)))),
      h("tbody", null, rows)));
}

function referenceSection(wf, detail) {
  const refs = detail.references || [];
  const annotated = detail.annotation?.references || [];
  const known = new Set(refs.map((r) => r.pubmed_id));
  const missing = annotated.filter((r) => r.pubmed_id && !known.has(r.pubmed_id));
  // Evaluations are kept in the state and feed the suggestions: the view is drawn again after one.
  const changed = async () => {
    wf.markDirty();
    const top = wf.content?.scrollTop || 0;
    await wf.renderSelected();
    if (wf.content) wf.content.scrollTop = top;
  };
  return h("section", { id: "evidence-references", "aria-label": "Studies and references" },
    h("h3", null, "Studies and references"),
    refs.length || missing.length ? [
      referenceList(wf, detail, { readonly: !wf.editable || isReused(wf, detail.id), changed }),
      missing.length ? h("ul", { class: "small" }, missing.map((r) => h("li", { class: "muted" },
        `PMID ${r.pubmed_id} (${(r.sources || [r.source]).join(", ")}) — not in the reference database`))) : null]
      : h("p", { class: "empty" }, "No references."));
}

function criteriaText(evaluation) {
  const included = evaluation?.acmg?.included || [];
  return included.map((c) => label(c)).join(", ");
}

function historySection(detail) {
  const history = detail.history || [];
  return h("section", { id: "evidence-history", "aria-label": "Classification history" },
    h("h3", null, "Classification history"),
    history.length ? h("ul", { class: "history small" }, history.map((a) => h("li", null,
      h("span", { class: `badge class ${classBadge(a.classification)}` }, a.classification), " ",
      `${fmtDate(a.date_created)} by ${userName(a.user)}`,
      a.genepanel ? ` (${a.genepanel.name} ${a.genepanel.version})` : "",
      criteriaText(a.evaluation) ? ` · ${criteriaText(a.evaluation)}` : "",
      a.date_superceeded ? h("span", { class: "muted" }, ` · superseded ${fmtDate(a.date_superceeded)}`) : "",
      a.outdated ? h("span", { class: "badge warn" }, "outdated") : null)))
      : h("p", { class: "empty" }, "Never classified."));
}

// ELLA's comment per evidence section, kept in the classification's evaluation (evaluation.<key>.comment) and
// offered the group's templates for that section. A read-only view shows the classification's comments only.
const SECTION_COMMENTS = {
  frequency: ["Frequency", FIELDS.frequency],
  prediction: ["Prediction", FIELDS.prediction],
  external: ["External databases", FIELDS.external],
  reference: ["Studies and references", FIELDS.references],
};
const EVALUATION_COMMENTS = ["prediction", "classification", "external", "frequency", "reference", "similar"];

function withComment(section, wf, detail, key) {
  const { assessment, reused } = draftOf(wf, detail);
  const entry = assessment.evaluation[key] || (assessment.evaluation[key] = { comment: "" });
  const readonly = !wf.editable || reused;
  if (readonly && !entry.comment) return section;
  const [title, field] = SECTION_COMMENTS[key];
  const box = h("textarea", { id: `comment-${key}`, class: "section-comment", rows: 2, disabled: readonly,
    "aria-label": `${title}: comment`, placeholder: `${title}: comment for the classification` }, entry.comment || "");
  box.addEventListener("input", () => { entry.comment = box.value; wf.markDirty(); });
  section.append(h("div", { class: "row label-row" }, h("label", { for: box.id, class: "small" }, "Comment"),
    h("span", { class: "spacer" }), templateMenu(field, box, { disabled: readonly })), box);
  return section;
}

// ------------------------------------------------------------------------------------------ classification

// The form's model of a saved classification: its evaluation with every comment of ELLA's evaluation keys (not
// only those this view edits: a reclassification must not drop a section comment) and its criteria.
function modelOf(current) {
  const carried = Object.fromEntries(EVALUATION_COMMENTS.map((key) =>
    [key, { ...(current?.evaluation?.[key] || {}), comment: current?.evaluation?.[key]?.comment || "" }]));
  return {
    classification: current ? current.classification : null,
    evaluation: {
      ...structuredClone(current?.evaluation || {}),
      ...carried,
      acmg: { included: (current?.evaluation?.acmg?.included || []).map((c) => ({
        code: c.base || parseCode(c.code).base, strength: c.strength || parseCode(c.code).strength, comment: c.comment || "",
      })) },
      classification: { comment: current?.evaluation?.classification?.comment || "" },
    },
  };
}

// ELLA's reuse of a variant's current classification (its state alleleassessment {reuse, reuseCheckedId}): a
// classification newer than the one the state last looked at is reused as it is — whatever the state held for
// the variant is dropped, as ELLA does — until the user presses Re-evaluate. `current`: {id} of the variant's
// classification (detail.allele_assessment or a list row's classification). Answers whether it is reused.
export function autoReuse(wf, alleleId, current) {
  if (!current || typeof current.id !== "number") return false;
  const state = wf.alleleState(alleleId).alleleassessment;
  if (!wf.editable) return Boolean(state?.reuse);
  if (state && typeof state.reuseCheckedId === "number" && state.reuseCheckedId >= current.id) return Boolean(state.reuse);
  const hadWork = Boolean(state && !state.reuse && (state.classification || state.evaluation?.acmg?.included?.length));
  wf.alleleState(alleleId, true).alleleassessment = { allele_id: alleleId, reuse: true, reuseCheckedId: current.id };
  if (hadWork) {
    toast("This variant was classified again meanwhile: the new classification is reused (Re-evaluate to change it).",
      "info", 8000);
  }
  return true;
}

export function isReused(wf, alleleId) {
  return wf.alleleState(alleleId).alleleassessment?.reuse === true;
}

export function draftOf(wf, detail) {
  const current = detail.allele_assessment;
  const reused = autoReuse(wf, detail.id, current);
  const savedReport = { evaluation: { comment: detail.allele_report?.evaluation?.comment || "" } };
  if (!wf.editable) return { assessment: modelOf(current), report: savedReport, reused };
  const entry = wf.alleleState(detail.id, true);
  if (!entry.allelereport) entry.allelereport = savedReport;
  // Reused: the saved classification is shown as it is and cannot be edited (only the report can).
  if (reused) return { assessment: modelOf(current), report: entry.allelereport, reused };
  if (!entry.alleleassessment) entry.alleleassessment = modelOf(null);
  return { assessment: entry.alleleassessment, report: entry.allelereport, reused };
}

// Re-evaluate (ELLA): a new assessment in the state, starting from the saved one's evaluation, criteria and
// attachments, with no class chosen yet and the references' evaluations as saved; Undo goes back to reusing it.
function setReuse(wf, detail, reuse) {
  const current = detail.allele_assessment;
  const entry = wf.alleleState(detail.id, true);
  entry.alleleassessment = reuse ? { allele_id: detail.id, reuse: true, reuseCheckedId: current.id }
    : { ...modelOf(current), classification: null, allele_id: detail.id, reuse: false, reuseCheckedId: current.id };
  entry.referenceassessments = [];
  wf.markDirty();
  wf.refreshSidebar();
  wf.renderSelected();
}

function reuseControls(wf, detail, reused) {
  const current = detail.allele_assessment;
  if (!current || !wf.editable) return null;
  if (reused) {
    return h("button", { type: "button", id: "reevaluate", title: "Make a new classification of this variant",
      onclick: () => setReuse(wf, detail, false) }, "Re-evaluate");
  }
  return h("button", { type: "button", id: "undo-reevaluate", title: "Drop this re-evaluation and reuse the saved classification",
    onclick: () => {
      if (window.confirm("Drop the changes of this re-evaluation and reuse the saved classification?")) setReuse(wf, detail, true);
    } }, "Undo re-evaluation");
}

function classificationForm(wf, detail) {
  const { assessment, report, reused } = draftOf(wf, detail);
  const readonly = !wf.editable;
  const locked = readonly || reused; // the assessment's fields (the report stays editable when reused)
  assessment.evaluation = assessment.evaluation || {};
  assessment.evaluation.acmg = assessment.evaluation.acmg || { included: [] };
  assessment.evaluation.classification = assessment.evaluation.classification || { comment: "" };
  report.evaluation = report.evaluation || { comment: "" };
  const included = assessment.evaluation.acmg.included;

  const changed = () => { wf.markDirty(); };
  const classButtons = h("div", { class: "class-options", role: "radiogroup", "aria-label": "Class" },
    classOptions().map((o) => h("button", {
      type: "button", class: "toggle", role: "radio", "data-class": o.value, disabled: locked,
      "aria-pressed": String(String(assessment.classification) === String(o.value)),
      "aria-checked": String(String(assessment.classification) === String(o.value)),
      title: o.name,
      onclick: (e) => {
        assessment.classification = String(o.value);
        for (const b of e.currentTarget.parentElement.children) {
          const on = b.dataset.class === String(o.value);
          b.setAttribute("aria-pressed", String(on));
          b.setAttribute("aria-checked", String(on));
        }
        submit.disabled = readonly || !assessment.classification;
        acmg.update();
        changed();
        wf.refreshSidebar();
      },
    }, o.name.replace(/^Class /, ""))));

  // The ACMG criteria: added ones, the rule engine's suggestions and REQs, the palette, the suggested class.
  const acmg = acmgSection(wf, detail, included, { readonly: locked, chosenClass: () => assessment.classification, changed });

  const evaluation = h("textarea", { id: "evaluation-comment", disabled: locked, placeholder: "Evaluation" },
    assessment.evaluation.classification.comment || "");
  evaluation.addEventListener("input", () => { assessment.evaluation.classification.comment = evaluation.value; changed(); });
  const reportComment = h("textarea", { id: "report-comment", disabled: readonly, placeholder: "Text for the report" },
    report.evaluation.comment || "");
  // Reused: only a changed report can be submitted (ELLA's "Submit report").
  const savedReport = detail.allele_report?.evaluation?.comment || "";
  const canSubmit = () => (reused ? report.evaluation.comment !== savedReport : Boolean(assessment.classification));
  reportComment.addEventListener("input", () => {
    report.evaluation.comment = reportComment.value;
    submit.disabled = readonly || !canSubmit();
    changed();
  });

  const submit = h("button", { type: "button", class: "primary", id: "classify", disabled: readonly || !canSubmit(),
    title: reused ? "Save the report text; the classification is reused as it is" : null },
  reused ? "Submit report" : detail.allele_assessment ? "Save new classification" : "Save classification");
  submit.addEventListener("click", () => classify(wf, detail, assessment, report, submit, { reused }));
  const current = detail.allele_assessment;
  return h("aside", { class: `card classification${reused ? " reused" : ""}`, id: "classification-form", "aria-label": "Classification" },
    h("div", { class: "row" }, h("h2", { style: { margin: 0 } }, "Classification"), h("span", { class: "spacer" }),
      reuseControls(wf, detail, reused)),
    readonly ? h("div", { class: "alert warn small", id: "classification-readonly" }, readOnlyReason(wf, "the classification")) : null,
    current ? h("p", { class: "small", id: "current-classification" }, "Current: ",
      h("span", { class: `badge class ${classBadge(current.classification)}` }, className(current.classification)),
      ` by ${userName(current.user)} on ${fmtDate(current.date_created)}`,
      current.outdated ? h("span", { class: "badge warn" }, "outdated") : null) : null,
    reused ? h("div", { class: `alert ${current.outdated ? "warn" : "ok"} small`, id: "reused-note" },
      current.outdated
        ? "Reused, but outdated: it does not count as classified in this analysis. Re-evaluate it."
        : "Reused in this analysis as it is. Re-evaluate to make a new classification.") : null,
    !reused && current && wf.editable ? h("div", { class: "alert small", id: "reevaluating-note" },
      "Re-evaluating: choose a class and save to make a new classification.") : null,
    h("label", null, "Class"), classButtons,
    acmg.element,
    h("div", { class: "row label-row" }, h("label", { for: "evaluation-comment" }, "Evaluation"), h("span", { class: "spacer" }),
      templateMenu(FIELDS.evaluation, evaluation, { disabled: locked })), evaluation,
    h("div", { class: "row label-row" }, h("label", { for: "report-comment" }, "Report"), h("span", { class: "spacer" }),
      templateMenu(FIELDS.report, reportComment, { disabled: readonly })), reportComment,
    h("div", { class: "row", style: { marginTop: ".8rem" } }, h("span", { class: "spacer" }), submit));
}

export async function classify(wf, detail, assessment, report, button, { reused = false } = {}) {
  button.disabled = true;
  const body = {
    allele_id: detail.id,
    annotation_id: detail.annotation?.annotation_id ?? null,
    alleleassessment: {
      classification: assessment.classification,
      evaluation: {
        ...(detail.allele_assessment?.evaluation || {}), // what a draft made without the details (QUICK) lacks
        ...assessment.evaluation,
        acmg: { included: assessment.evaluation.acmg.included.map((c) => ({ code: c.code, strength: c.strength || baseStrength(c.code), comment: c.comment || "" })) },
        classification: { comment: assessment.evaluation.classification.comment || "" },
      },
      presented_alleleassessment_id: detail.allele_assessment ? detail.allele_assessment.id : null,
      attachment_ids: assessment.attachment_ids || [], // attachments.js
    },
    allelereport: {
      evaluation: { comment: report.evaluation.comment || "" },
      presented_allelereport_id: detail.allele_report ? detail.allele_report.id : null,
    },
    // the references evaluated in this round (unchanged earlier evaluations stay as they are)
    referenceassessments: (wf.alleleState(detail.id).referenceassessments || [])
      .map((ra) => ({ reference_id: ra.reference_id, evaluation: ra.evaluation || {} })),
  };
  if (reused) { // ELLA: the saved classification as it is, with the report
    body.alleleassessment = { reuse: true, presented_alleleassessment_id: detail.allele_assessment.id };
    body.referenceassessments = [];
  }
  let created = null;
  try {
    if (wf.dirty) await wf.save({ quiet: true });
    created = await post(`${wf.base}/actions/finalizeallele/`, body);
  } catch (err) {
    button.disabled = false;
    toast(err instanceof ApiError && err.status === 409 ? `Someone changed this classification: ${err.message}` : err.message,
      "error", 8000);
    return;
  }
  toast(reused ? "Report saved; the classification is reused." : `Classified as ${className(assessment.classification)}.`);
  // What was saved is the variant's classification now, reused from here on (as ELLA does after finalizing);
  // the references evaluated in this round are saved with it: from now on they are earlier evaluations.
  const entry = wf.alleleState(detail.id, true);
  if (typeof created?.alleleassessment_id === "number") {
    entry.alleleassessment = { allele_id: detail.id, reuse: true, reuseCheckedId: created.alleleassessment_id };
  }
  if (entry.referenceassessments?.length) wf.details?.delete(detail.id);
  delete entry.referenceassessments;
  wf.dirty = true;
  await wf.save({ quiet: true });
  const selected = wf.selectedId;
  await wf.loadAlleles();
  if (!wf.result.alleles.some((a) => a.id === selected)) {
    toast("With this class the filter hides the variant: it is listed under Filtered variants.", "info", 8000);
  }
  wf.refreshSidebar();
  await wf.renderSelected();
}
