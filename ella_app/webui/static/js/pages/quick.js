// QUICK mode (ella-features U10, ELLA's quick classification): the variants of the analysis in their sections
// (Unclassified, Classified, Not relevant, Technical) with the facts needed to triage them, and per variant the
// buttons T (technical), NR (not relevant), NP (class "Not provided") and 2 (class 2, enabled once a benign
// criterion is added), the quick criteria BS1 and BS2, and a comment. Each button moves the variant to its
// section, as in ELLA; everything is kept in the interpretation state (SAVE sends it), and "Save class" saves a
// class chosen here as a classification (finalizeallele), as "Save classification" does in FULL mode.
//
// Keyboard: ↑/↓ (k/j) select, t technical, r not relevant, p not provided, 2 class 2, a BS1, h BS2, c comment,
// Enter opens the variant in the classification view. A mark moves the selection to the next variant that was
// below it, so a run of variants can be triaged without the mouse.
import { get } from "../api.js";
import { h, replace, toast } from "../dom.js";
import { isBenign, label, parseCode } from "../acmg.js";
import { className, classOptions, session } from "../session.js";
import { classTag, geneOf, sectionOf, sections } from "./variantlist.js";
import { autoReuse, classify, draftOf } from "./evidence.js";

const ALL_BUTTONS = ["technical", "notrelevant", "classnp", "class2"];
const SECTION_KEYS = { unclassified: "unclassified", classified: "classified", notrelevant: "not_relevant", technical: "technical" };
const MAX_ROWS = 500; // rows per section in the page (beyond: the FULL view's side list)
const DETAILS_PER_REQUEST = 200; // the limit of GET alleles/
export const KEYS = [["t", "Technical"], ["r", "Not relevant"], ["p", "Not provided"], ["2", "Class 2"],
  ["a", "BS1"], ["h", "BS2"], ["c", "Comment"], ["Enter", "Open in FULL"]];

// ELLA's analysis.sidebar.quick of its example config, used when ella_config.yml has none (the API start and
// `ella-cli config validate` check the keys and values of a configured one: config.schema.json).
const ELLA_QUICK = {
  columns: ["qual", "dp", "ratio", "hi-freq", "hi-count", "external"],
  classification_options: { unclassified: ALL_BUTTONS, classified: ALL_BUTTONS, not_relevant: ALL_BUTTONS, technical: ALL_BUTTONS },
  comment_type: { unclassified: "analysis", classified: "evaluation", not_relevant: "analysis", technical: "analysis" },
  shade_multiple_in_gene: true,
};

// The optional columns (ELLA's sidebar column keys): header, title, cell.
const COLUMNS = {
  qual: ["QUAL", "Variant quality (QUAL) of the call", (q, allele) => num(allele.genotype?.variant_quality)],
  dp: ["DP", "Sequencing depth of the proband", (q, allele) => num(allele.genotype?.sequencing_depth)],
  ratio: ["Ratio", "Allele ratio of the proband",
    (q, allele) => (typeof allele.genotype?.allele_ratio === "number" ? allele.genotype.allele_ratio.toFixed(2) : "–")],
  "hi-freq": ["Hi freq", null, (q, allele) => q.hiCell(allele.id, "freq")],
  "hi-count": ["Hi count", null, (q, allele) => q.hiCell(allele.id, "count")],
  external: ["External", "External databases with data on the variant (HGMD, ClinVar)", (q, allele) => q.externalCell(allele.id)],
};

function num(value) {
  return value === null || value === undefined || value === "" ? "–" : String(value);
}

// ELLA's number format of the side list: integers as they are, below 1e-4 in scientific notation, else 6 decimals.
function formatFrequency(value) {
  if (Number.isInteger(value)) return String(value);
  if (value < 1e-4) return value.toExponential(3);
  return value.toFixed(6);
}

// The group's analysis.sidebar.quick (ELLA's keys): the optional columns, the buttons and the comment field per
// section, whether variants sharing a gene are shaded, a narrow comment column.
export function quickSettings() {
  const quick = session.config?.analysis?.sidebar?.quick || ELLA_QUICK;
  const options = quick.classification_options || {};
  const comments = quick.comment_type || {};
  return {
    columns: (quick.columns || []).filter((c) => COLUMNS[c]),
    buttons: (section) => options[SECTION_KEYS[section]] || [],
    commentType: (section) => (["analysis", "evaluation"].includes(comments[SECTION_KEYS[section]])
      ? comments[SECTION_KEYS[section]] : null),
    shade: Boolean(quick.shade_multiple_in_gene),
    narrow: Boolean(quick.narrow_comment),
  };
}

// The provider, population and allele-number threshold of each frequency the "Hi freq" and "Hi count" columns
// look at: those of the first frequency filter of the filter config in use (as ELLA's side list).
export function frequencyDefinition(filterconfig) {
  const filter = (filterconfig?.filterconfig?.filters || []).find((f) => f.name === "frequency");
  const groups = filter?.config?.groups || {};
  const thresholds = filter?.config?.num_thresholds || {};
  const found = [];
  for (const providers of Object.values(groups)) {
    for (const [provider, populations] of Object.entries(providers || {})) {
      for (const population of populations || []) {
        found.push({ provider, population, numThreshold: thresholds[provider]?.[population] ?? null });
      }
    }
  }
  return found;
}

// ELLA's highest frequency (key "freq") or count ("count") of a variant: the highest value whose allele number
// exceeds the threshold (counts have none), else the highest of all ({value, meets}); null when there is none.
export function highest(frequencies, definition, key) {
  let max = null;
  let maxMeets = null;
  for (const { provider, population, numThreshold } of definition) {
    const value = frequencies?.[provider]?.[key]?.[population];
    if (typeof value !== "number") continue;
    let meets = true;
    if (key === "freq" && numThreshold) meets = frequencies[provider].num?.[population] > numThreshold;
    if (max === null || value > max) max = value;
    if (meets && (maxMeets === null || value > maxMeets)) maxMeets = value;
  }
  if (max === null) return null;
  return maxMeets !== null ? { value: maxMeets, meets: true } : { value: max, meets: false };
}

export async function renderQuick(body, wf) {
  body.classList.add("single");
  const quick = new Quick(body, wf);
  await quick.load();
  return quick;
}

class Quick {
  constructor(body, wf) {
    this.body = body;
    this.wf = wf;
    this.settings = quickSettings();
    this.hasNP = classOptions().some((o) => String(o.value) === "NP");
    this.definition = null; // the frequencies the Hi freq / Hi count columns look at (null: not loaded yet)
  }

  async load() {
    const ids = this.wf.ids.allele_ids;
    const wanted = sections(this.wf).flatMap(([, , list]) => list.slice(0, MAX_ROWS));
    await this.wf.ensureRows(wanted.filter((id) => !this.wf.rows.has(id)));
    if (this.wf.selectedId === null && ids.length) this.wf.selectedId = this.order()[0] ?? null;
    this.render();
    this.loadAnnotation(wanted);
  }

  // The frequency and external columns need the variants' annotation (GET alleles/, 200 at a time, kept as the
  // details the FULL view uses) and the filter config's frequency groups; the rows show "…" until they arrive.
  async loadAnnotation(ids) {
    const columns = this.settings.columns;
    const hi = columns.includes("hi-freq") || columns.includes("hi-count");
    if (!hi && !columns.includes("external")) return;
    const wf = this.wf;
    const missing = ids.filter((id) => !wf.details.has(id));
    const chunks = [];
    for (let i = 0; i < missing.length; i += DETAILS_PER_REQUEST) chunks.push(missing.slice(i, i + DETAILS_PER_REQUEST));
    try {
      const [filterconfig, ...answers] = await Promise.all([
        hi && wf.filterconfigId ? get(`filterconfigs/${wf.filterconfigId}`) : null,
        ...chunks.map((chunk) => get("alleles/", { allele_ids: chunk.join(","), analysis_id: wf.analysisId })),
      ]);
      for (const detail of answers.flat()) if (!wf.details.has(detail.id)) wf.details.set(detail.id, detail);
      this.definition = frequencyDefinition(filterconfig);
    } catch (err) {
      this.failed = err.message;
    }
    if (wf.view === "quick" && wf.quick === this) this.render();
  }

  hiCell(id, key) {
    const detail = this.wf.details.get(id);
    if (this.failed) return h("span", { class: "muted", title: this.failed }, "?");
    if (!detail || this.definition === null) return h("span", { class: "muted", title: "Loading" }, "…");
    const found = highest(detail.annotation?.frequencies, this.definition, key);
    if (found === null) return h("span", { class: "muted", title: "No frequency of the filter's populations" }, "–");
    const text = key === "freq" ? formatFrequency(found.value) : String(found.value);
    return found.meets ? text
      : h("span", { class: "muted", title: "No population reaches the filter's allele-number threshold" }, `(${text})`);
  }

  externalCell(id) {
    const detail = this.wf.details.get(id);
    if (this.failed) return h("span", { class: "muted", title: this.failed }, "?");
    if (!detail) return h("span", { class: "muted", title: "Loading" }, "…");
    const external = detail.annotation?.external || {};
    const found = [external.HGMD ? "HGMD" : null, detail.annotation?.clinvar ? "ClinVar" : null].filter(Boolean);
    return found.length ? found.join(" ") : h("span", { class: "muted", title: "Neither HGMD nor ClinVar in the annotation" }, "–");
  }

  // ELLA's title of the Hi freq / Hi count columns: where the highest value is taken from.
  hiTitle(kind) {
    if (this.definition === null) return `Highest ${kind} of the filter config's frequency groups`;
    if (!this.definition.length) return "No frequency filter configured";
    return `Highest ${kind} from:\n${this.definition.map(({ provider, population, numThreshold }) =>
      `${provider}.${population}${numThreshold && kind === "frequency" ? ` (number > ${numThreshold})` : ""}`).join("\n")}`;
  }

  order() {
    return sections(this.wf).flatMap(([, , ids]) => ids.slice(0, MAX_ROWS));
  }

  // The assessment the row shows: the saved one when reused (ELLA's getAlleleAssessment), else the state's.
  assessment(id) {
    const state = this.wf.alleleState(id).alleleassessment;
    return state?.reuse === true ? this.wf.details.get(id)?.allele_assessment : state;
  }

  included(id) {
    return this.assessment(id)?.evaluation?.acmg?.included || [];
  }

  draftClass(id) {
    return this.wf.alleleState(id).alleleassessment?.classification || null;
  }

  canClass2(id) {
    return this.included(id).some((c) => isBenign(parseCode(c.code).base));
  }

  // A variant whose saved classification is reused (ELLA: the class and criteria cannot change until it is
  // re-evaluated in the classification view).
  reused(id) {
    return autoReuse(this.wf, id, this.wf.rows.get(id)?.classification);
  }

  // ------------------------------------------------------------------------------------------ actions

  // Apply one of the quick actions to a variant; answers whether something changed.
  act(id, action) {
    const wf = this.wf;
    if (!wf.editable) return false;
    const detail = wf.details.get(id);
    const entry = wf.alleleState(id, true);
    const analysis = { ...(entry.analysis || {}) };
    if (action === "technical") {
      analysis.verification = analysis.verification === "technical" ? null : "technical";
      entry.analysis = analysis;
    } else if (action === "notrelevant") {
      analysis.notrelevant = !analysis.notrelevant;
      entry.analysis = analysis;
    } else if (["classnp", "class2", "BS1", "BS2"].includes(action) && this.reused(id)) {
      toast("The saved classification is reused: press Re-evaluate in the classification view to change it.", "error");
      return false;
    } else if (action === "classnp" || action === "class2") {
      if (action === "class2" && !this.canClass2(id)) {
        toast("Class 2 needs a benign criterion: add BS1 or BS2 (or another in the classification view) first.", "error");
        return false;
      }
      const value = action === "class2" ? "2" : "NP";
      const draft = this.draft(id, detail);
      draft.classification = String(draft.classification) === value ? null : value;
    } else if (action === "BS1" || action === "BS2") {
      const draft = this.draft(id, detail);
      const included = draft.evaluation.acmg.included;
      const at = included.findIndex((c) => parseCode(c.code).base === action);
      if (at >= 0) included.splice(at, 1);
      else included.push({ code: action, strength: "BS", comment: "" });
    } else {
      return false;
    }
    wf.markDirty();
    return true;
  }

  // The variant's classification draft (created as the classification form creates it).
  draft(id, detail) {
    const entry = this.wf.alleleState(id, true);
    if (!entry.alleleassessment) {
      if (detail) {
        draftOf(this.wf, detail);
      } else { // a variant without a saved classification (one with is reused or re-evaluated: in the state)
        entry.alleleassessment = {
          classification: null,
          evaluation: { acmg: { included: [] }, classification: { comment: "" } },
        };
        entry.allelereport = entry.allelereport || { evaluation: { comment: "" } };
      }
    }
    const draft = entry.alleleassessment;
    draft.evaluation = draft.evaluation || {};
    draft.evaluation.acmg = draft.evaluation.acmg || { included: [] };
    draft.evaluation.acmg.included = draft.evaluation.acmg.included || [];
    draft.evaluation.classification = draft.evaluation.classification || { comment: "" };
    return draft;
  }

  // A mark on the selected variant, then the selection moves to the next one that was below it.
  mark(id, action) {
    const before = this.order();
    const section = sectionOf(this.wf, id);
    if (!this.act(id, action)) return;
    const moved = sectionOf(this.wf, id) !== section;
    if (moved && id === this.wf.selectedId) {
      const next = before.slice(before.indexOf(id) + 1).find((other) => other !== id && this.order().includes(other));
      if (next !== undefined) this.wf.selectedId = next;
    }
    this.render();
  }

  async saveClass(id, button) {
    const wf = this.wf;
    const detail = await wf.detail(id);
    const draft = this.draft(id, detail);
    const entry = wf.alleleState(id, true);
    const report = entry.allelereport || (entry.allelereport = { evaluation: { comment: "" } });
    await classify(wf, detail, draft, report, button);
    if (wf.view === "quick") {
      this.render();
      await this.loadAnnotation(this.order()); // the list was loaded again: so are the annotations
    }
  }

  keydown(e) {
    if (document.querySelector("dialog[open]") || e.altKey || e.ctrlKey || e.metaKey) return;
    if (/INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    const order = this.order();
    const index = order.indexOf(this.wf.selectedId);
    const id = this.wf.selectedId;
    const keys = { t: "technical", r: "notrelevant", p: "classnp", 2: "class2", a: "BS1", h: "BS2" };
    if ((e.key === "ArrowDown" || e.key === "j") && index < order.length - 1) {
      e.preventDefault();
      this.select(order[index + 1]);
    } else if ((e.key === "ArrowUp" || e.key === "k") && index > 0) {
      e.preventDefault();
      this.select(order[index - 1]);
    } else if (id !== null && keys[e.key] && !e.shiftKey) {
      e.preventDefault();
      const action = keys[e.key];
      if (!this.available(id, action)) return;
      this.mark(id, action);
    } else if (id !== null && e.key === "c") {
      e.preventDefault();
      const box = this.body.querySelector(`tr[data-allele-id='${id}'] input.quick-comment`);
      if (box) box.focus();
    } else if (id !== null && e.key === "Enter") {
      e.preventDefault();
      location.hash = `#/workflows/analyses/${this.wf.analysisId}/classification`;
    }
  }

  available(id, action) {
    if (!this.wf.editable) return false;
    if (action === "BS1" || action === "BS2") return this.settings.buttons(sectionOf(this.wf, id)).includes("class2");
    if (action === "classnp" && !this.hasNP) return false;
    return this.settings.buttons(sectionOf(this.wf, id)).includes(action);
  }

  select(id) {
    this.wf.selectedId = id;
    for (const tr of this.body.querySelectorAll("tr[data-allele-id]")) {
      tr.setAttribute("aria-selected", String(Number(tr.dataset.alleleId) === id));
    }
    const row = this.body.querySelector(`tr[data-allele-id='${id}']`);
    if (row) row.scrollIntoView({ block: "nearest" });
  }

  // ------------------------------------------------------------------------------------------ rendering

  render() {
    const wf = this.wf;
    const groups = sections(wf);
    const shaded = this.settings.shade ? multipleInGene(wf, groups) : new Set();
    const hint = h("p", { class: "small muted", id: "quick-keys" }, KEYS.map(([key, text], i) =>
      [i ? " · " : "", h("span", { class: "kbd" }, key), ` ${text}`]), " · ", h("span", { class: "kbd" }, "↑"), " ",
    h("span", { class: "kbd" }, "↓"), " select");
    const tables = groups.map(([key, title, ids]) => h("section", { class: "quick-section", id: `quick-${key}` },
      h("h3", null, `${title} (${ids.length})`),
      h("table", { class: "quick-table" },
        h("thead", null, h("tr", null, this.header(key))),
        h("tbody", null, ids.slice(0, MAX_ROWS).map((id) => this.row(id, key, shaded)))),
      ids.length > MAX_ROWS ? h("p", { class: "small muted" },
        `${ids.length - MAX_ROWS} more: use the classification view's list for them.`) : null));
    replace(this.body, h("div", { class: "content quick", id: "quick-view" },
      h("div", { class: "row" }, h("h2", { style: { margin: 0 } }, "Quick classification"), h("span", { class: "spacer" }),
        h("a", { href: `#/workflows/analyses/${wf.analysisId}/classification`, class: "button", id: "quick-to-full" }, "Full")),
      !wf.editable ? h("div", { class: "alert warn small" }, "Read only: start (or take over) the interpretation to mark variants.") : null,
      hint,
      groups.length ? tables : h("p", { class: "empty" }, "No variants pass the filter.")));
    this.select(wf.selectedId);
  }

  header(section) {
    const titles = { "hi-freq": this.hiTitle("frequency"), "hi-count": this.hiTitle("count") };
    const comment = this.settings.commentType(section);
    return [
      ["Gene"], ["Variant"], ["Consequence"], ["Genotype"],
      ...this.settings.columns.map((c) => [COLUMNS[c][0], titles[c] || COLUMNS[c][1], c]),
      ["Class"], ["ACMG"], this.settings.buttons(section).length ? ["Quick"] : null,
      comment ? [comment === "analysis" ? "Analysis specific" : "Evaluation", null, "comment"] : null,
    ].filter(Boolean).map(([text, title, key]) => h("th", { title, "data-column": key || null,
      class: key === "comment" && this.settings.narrow ? "narrow" : null }, text));
  }

  row(id, section, shaded = new Set()) {
    const wf = this.wf;
    const allele = wf.rows.get(id) || { id, transcripts: [] };
    const tx = (allele.transcripts || [])[0] || {};
    const g = allele.genotype || {};
    const reused = this.reused(id); // first: it may put the variant's state into reuse
    const included = this.included(id);
    const draft = this.draftClass(id);
    const buttons = this.settings.buttons(section);
    const readonly = !wf.editable;
    const reusedTitle = "The saved classification is reused: Re-evaluate it in the classification view to change it";
    const st = wf.alleleState(id).analysis || {};
    const pressed = { technical: st.verification === "technical", notrelevant: Boolean(st.notrelevant),
      classnp: draft === "NP", class2: draft === "2" };
    const button = (action, text, title, extra = {}) => h("button", {
      type: "button", class: `toggle quick-${action}`, "aria-pressed": String(Boolean(pressed[action])), title,
      disabled: readonly || extra.disabled, "aria-label": `${title}: ${geneOf(allele)} ${tx.hgvsc || ""}`.trim(),
      onclick: (e) => { e.stopPropagation(); this.wf.selectedId = id; this.mark(id, action); },
    }, text);
    const quickButtons = [
      buttons.includes("technical") ? button("technical", "T", "Technical (t)") : null,
      buttons.includes("notrelevant") ? button("notrelevant", "NR", "Not relevant (r)") : null,
      buttons.includes("classnp") && this.hasNP ? button("classnp", "NP", reused ? reusedTitle : "Not provided (p)",
        { disabled: reused }) : null,
      buttons.includes("class2") ? button("class2", "2", reused ? reusedTitle : "Class 2 (2): needs a benign criterion",
        { disabled: reused || !this.canClass2(id) }) : null,
      buttons.includes("class2") ? ["BS1", "BS2"].map((code) => h("button", {
        type: "button", class: "toggle quick-acmg", "data-code": code, disabled: readonly || reused,
        "aria-pressed": String(included.some((c) => parseCode(c.code).base === code)),
        title: code === "BS1" ? "BS1: frequency greater than expected for the disorder (a)"
          : "BS2: seen in a healthy adult (h)",
        onclick: (e) => { e.stopPropagation(); this.wf.selectedId = id; this.mark(id, code); },
      }, code)) : null,
    ];
    const current = allele.classification;
    const changedClass = draft && !(current && String(current.classification) === String(draft));
    const save = changedClass && wf.editable ? h("button", { type: "button", class: "link quick-save",
      title: "Save this class as the variant's classification",
      onclick: (e) => { e.stopPropagation(); this.saveClass(id, e.currentTarget); } }, "Save class") : null;
    const commentType = this.settings.commentType(section);
    let comment = null;
    if (commentType) {
      const value = commentType === "analysis" ? st.comment
        : this.assessment(id)?.evaluation?.classification?.comment;
      // ELLA: the evaluation of a reused classification cannot be changed here
      comment = h("input", { type: "text", class: "quick-comment", value: value || "",
        disabled: readonly || (commentType === "evaluation" && reused),
        title: commentType === "evaluation" && reused ? reusedTitle : null,
        "data-comment-type": commentType,
        placeholder: commentType === "analysis" ? "Analysis-specific comment" : "Evaluation",
        "aria-label": `${commentType === "analysis" ? "Analysis-specific comment" : "Evaluation"} on ${geneOf(allele)} ${tx.hgvsc || ""}`.trim() });
      comment.addEventListener("input", () => {
        const entry = wf.alleleState(id, true);
        if (commentType === "analysis") entry.analysis = { ...(entry.analysis || {}), comment: comment.value };
        else this.draft(id, wf.details.get(id)).evaluation.classification.comment = comment.value;
        wf.markDirty();
      });
      comment.addEventListener("focus", () => this.select(id));
    }
    return h("tr", { "data-allele-id": id, "aria-selected": String(id === wf.selectedId), onclick: () => this.select(id),
      class: shaded.has(id) ? "multiple" : null },
      h("td", null, h("strong", null, geneOf(allele) || `chr${allele.chromosome || ""}`)),
      h("td", { class: "mono small" }, tx.hgvsc || `${allele.chromosome}:${allele.vcf_pos}`, tx.hgvsp ? ` ${tx.hgvsp}` : "",
        allele.reincluded ? h("span", { class: "badge tag", title: `Re-included (filtered by ${allele.filtered || "a filter"})` }, "I") : null),
      h("td", { class: "small" }, (allele.worst_consequence || "").replace(/_/g, " ")),
      h("td", { class: "small" }, g.type || "–"),
      this.settings.columns.map((c) => h("td", { class: "num small", "data-column": c }, COLUMNS[c][2](this, allele))),
      h("td", { class: "quick-class", "data-reused": reused ? "true" : null, title: reused ? "Reused" : null }, classTag(allele),
        changedClass ? h("span", { class: "badge tag", title: `Chosen here: ${className(draft)} (not saved as a classification yet)` },
          `→ ${draft}`) : null, save),
      h("td", { class: "mono small quick-codes" }, included.map((c) => label(c)).join(", ")),
      buttons.length ? h("td", { class: "quick-buttons" }, quickButtons) : null,
      commentType ? h("td", { class: this.settings.narrow ? "narrow" : null }, comment) : null);
  }
}

// The variants that share a gene with another one shown (ELLA's shade_multiple_in_gene).
function multipleInGene(wf, groups) {
  const byGene = new Map();
  for (const [, , ids] of groups) {
    for (const id of ids.slice(0, MAX_ROWS)) {
      const gene = geneOf(wf.rows.get(id) || {});
      if (gene) byGene.set(gene, [...(byGene.get(gene) || []), id]);
    }
  }
  return new Set([...byGene.values()].filter((ids) => ids.length > 1).flat());
}
