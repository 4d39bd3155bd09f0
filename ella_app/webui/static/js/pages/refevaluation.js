// Reference evaluation (issue 13 part 4, ELLA's Studies & References section): per reference of the variant its
// current evaluation (relevance, comment, the study's ACMG evidence, by whom), reused unless changed; "Evaluate"
// opens a form whose answer goes into the interpretation state (allele.<id>.referenceassessments, as in ELLA),
// is sent with "Save classification" (finalizeallele's referenceassessments) and feeds the rule engine's
// suggestions at once (the refassessment.* rules: segregation, de novo, functional studies, ...).
import { h, modal, replace } from "../dom.js";
import { FIELDS, templateMenu } from "../templates.js";

export const RELEVANCE = ["Yes", "Partially", "No", "Ignore"];

// The evaluation keys the rules read (services/acmg/rules.json) and their values, with our labels.
export const EVIDENCE = [
  ["ref_segregation", "Segregation", [["segr", "segregates with the disease"], ["no_segr", "does not segregate"]]],
  ["ref_segregation_quality", "Segregation evidence", [["segr_HQ", "strong"], ["segr_MQ", "moderate"], ["segr_WQ", "weak"]]],
  ["ref_de_novo", "De novo", [["de_novo_confirmed", "confirmed (maternity and paternity)"], ["de_novo_unconfirmed", "not confirmed"]]],
  ["ref_phase", "Phase", [["in_trans_pathogenic", "in trans with a pathogenic variant"], ["in_cis_pathogenic", "in cis with a pathogenic variant"]]],
  ["ref_population_affecteds", "Unrelated affected carriers", [["in_few_aff", "2"], ["in_more_aff", "3"], ["in_many_aff", "4 or more"]]],
  ["ref_population_healthy", "Healthy carriers", [["in_healthy", "seen in healthy adults"]]],
  ["ref_prot", "Protein studies", [["prot_abnormal", "abnormal"], ["prot_normal", "normal"]]],
  ["ref_prot_quality", "Protein study quality", [["prot_HQ", "strong"], ["prot_MQ", "moderate"]]],
  ["ref_rna", "RNA studies", [["rna_abnormal", "abnormal"], ["rna_normal", "normal"]]],
  ["ref_rna_quality", "RNA study quality", [["rna_HQ", "strong"], ["rna_MQ", "moderate"]]],
  ["ref_aa_overlap", "Overlapping amino acid change", [["overlap_pat", "reported pathogenic"]]],
  ["ref_aa_overlap_same_novel", "Compared with ours", [["same_aa", "same amino acid change"], ["novel_aa", "different amino acid change"]]],
  ["ref_aa_overlap_sim", "Properties of the other change", [["sim_prop", "similar"], ["diff_prop", "different"]]],
  ["ref_aa_overlap_quality", "Overlap evidence", [["overlap_HQ", "strong"], ["overlap_MQ", "moderate"]]],
  ["ref_domain_overlap", "Domain", [["critical_site", "critical site"], ["critical_domain", "critical domain"], ["mut_hotspot", "mutational hot spot"]]],
  ["ref_domain_benign", "Benign variation in the domain", [["no_benign_variation", "none reported"]]],
  ["ref_repeat_overlap", "Repeat region", [["repeat", "in a repeat without known function"]]],
  ["ref_ihc", "Immunohistochemistry", [["mmr_loss", "loss of MMR protein"]]],
  ["ref_ihc_quality", "IHC evidence", [["ihc_HQ", "strong"], ["ihc_MQ", "moderate"]]],
  ["ref_msi", "Microsatellite instability", [["msi", "MSI"], ["no_msi", "no MSI"]]],
  ["ref_msi_quality", "MSI evidence", [["msi_HQ", "strong"], ["msi_MQ", "moderate"]]],
];

// The evaluations in effect for a variant: those made in this round (state) over the saved ones.
// Answers Map reference_id -> {evaluation, saved (the stored assessment or null), changed}.
export function evaluations(wf, detail) {
  const found = new Map();
  for (const ra of detail.reference_assessments || []) {
    found.set(ra.reference_id, { evaluation: ra.evaluation || {}, saved: ra, changed: false });
  }
  for (const ra of wf.alleleState(detail.id).referenceassessments || []) {
    const saved = found.get(ra.reference_id)?.saved || null;
    found.set(ra.reference_id, { evaluation: ra.evaluation || {}, saved, changed: true });
  }
  return found;
}

// What the rule engine and finalizeallele get: [{reference_id, evaluation}] in effect (saved ones included).
export function referenceAssessments(wf, detail) {
  return [...evaluations(wf, detail)].map(([referenceId, e]) => ({ reference_id: referenceId, evaluation: e.evaluation }));
}

export function summary(evaluation) {
  const parts = [];
  if (evaluation.relevance) parts.push(`Relevance: ${evaluation.relevance}`);
  for (const [key, title, options] of EVIDENCE) {
    const chosen = options.find(([value]) => value === evaluation[key]);
    if (chosen) parts.push(`${title}: ${chosen[1]}`);
  }
  return parts.join(" · ");
}

// The evaluation form for one reference; `onSave(evaluation)` when the user keeps it.
export function evaluateDialog(reference, current, onSave) {
  const evaluation = { ...(current || {}) };
  const relevance = h("select", { id: "ref-relevance" }, h("option", { value: "" }, "–"),
    RELEVANCE.map((r) => h("option", { value: r, selected: evaluation.relevance === r }, r)));
  const comment = h("textarea", { id: "ref-comment", placeholder: "What the study shows about this variant" },
    evaluation.comment || "");
  const selects = EVIDENCE.map(([key, title, options]) => {
    const select = h("select", { id: `ref-${key}`, "data-key": key, "aria-label": title },
      h("option", { value: "" }, "–"),
      options.map(([value, text]) => h("option", { value, selected: evaluation[key] === value }, text)));
    return h("label", { class: "ref-field" }, h("span", { class: "small" }, title), select);
  });
  const save = h("button", { type: "button", class: "primary", id: "ref-save" }, "Keep evaluation");
  const { close } = modal({
    title: `Evaluate: ${reference.title || `PMID ${reference.pubmed_id}`}`,
    wide: true,
    body: h("div", { id: "ref-eval-form" },
      h("p", { class: "small muted" }, [reference.authors, reference.journal, reference.year].filter(Boolean).join(" · ")),
      reference.abstract ? h("details", null, h("summary", { class: "small" }, "Abstract"), h("p", { class: "small" }, reference.abstract)) : null,
      h("label", { for: "ref-relevance" }, "Relevance"), relevance,
      h("div", { class: "row" }, h("label", { for: "ref-comment" }, "Comment"), h("span", { class: "spacer" }),
        templateMenu(FIELDS.reference, comment)), comment,
      h("h4", { class: "small" }, "ACMG evidence in this study (read by the suggestion rules)"),
      h("div", { class: "ref-fields" }, selects)),
    actions: [h("button", { type: "button", onclick: () => close() }, "Cancel"), save],
  });
  save.addEventListener("click", () => {
    const result = {};
    if (relevance.value) result.relevance = relevance.value;
    if (comment.value.trim()) result.comment = comment.value;
    for (const select of selects.map((label) => label.querySelector("select"))) {
      if (select.value) result[select.dataset.key] = select.value;
    }
    close();
    onSave(result);
  });
}

// The list of references with their evaluations; `changed()` after an evaluation is kept.
export function referenceList(wf, detail, { readonly, changed }) {
  const box = h("div", { id: "reference-evaluations" });
  const paint = () => {
    const refs = detail.references || [];
    const byRef = evaluations(wf, detail);
    replace(box, refs.length ? h("ul", { class: "small ref-list" }, refs.map((r) => {
      const e = byRef.get(r.id);
      const evaluate = readonly ? null : h("button", { type: "button", class: "link ref-evaluate", "data-reference-id": r.id,
        onclick: () => evaluateDialog(r, e?.evaluation, (evaluation) => {
          const entry = wf.alleleState(detail.id, true);
          entry.referenceassessments = (entry.referenceassessments || []).filter((ra) => ra.reference_id !== r.id);
          entry.referenceassessments.push({ reference_id: r.id, allele_id: detail.id, evaluation });
          paint();
          changed();
        }) }, e ? "Change evaluation" : "Evaluate");
      return h("li", { "data-reference-id": r.id },
        h("strong", null, r.title || "(no title)"), " ",
        h("span", { class: "muted" }, [r.authors, r.journal, r.year].filter(Boolean).join(" · ")),
        r.pubmed_id ? h("span", { class: "badge tag" }, `PMID ${r.pubmed_id}`) : null, " ", evaluate,
        e ? h("div", { class: "ref-evaluation" },
          h("span", null, summary(e.evaluation) || "Evaluated"),
          e.evaluation.comment ? h("div", { class: "muted" }, e.evaluation.comment) : null,
          h("div", { class: "muted" }, e.changed ? "Evaluated in this interpretation (saved with the classification)"
            : `Earlier evaluation${e.saved?.user ? ` by ${e.saved.user.username}` : ""}${e.saved?.date_created ? ` on ${String(e.saved.date_created).slice(0, 10)}` : ""}: reused`))
          : h("div", { class: "muted" }, "Not evaluated"));
    })) : null);
  };
  paint();
  return box;
}
