// The ACMG part of the classification form (issue 13 part 2, ELLA's classification section):
//   * the class the added criteria add up to (GET acmg/classifications/), beside the chosen class, with a warning
//     when the two differ;
//   * the added criteria, each with its short text, strength (down to "not weighted") and comment;
//   * the criteria the rule engine suggests for the variant (POST acmg/alleles/), apart from the added ones, each
//     with what triggered it and an Add button;
//   * the REQ codes the variant meets (requirements a person must check) as prompts, shown on demand;
//   * every criterion with its short text and a filter box, to add one by hand.
import { get, post } from "../api.js";
import { h, replace } from "../dom.js";
import { referenceAssessments } from "./refevaluation.js";
import { FIELDS, templateMenu } from "../templates.js";
import { CRITERIA, OTHER, TEXT, baseStrength, isPathogenic, label, parseCode, strengthName, strengthsFor } from "../acmg.js";

let textsPromise = null;
// Short and full texts of every criterion and REQ code (GET acmg/criteria/), fetched once per page load.
export function criteriaTexts() {
  if (!textsPromise) textsPromise = get("acmg/criteria/").catch((err) => { textsPromise = null; throw err; });
  return textsPromise;
}

const suggestionCache = new Map(); // "<panel>:<allele>:<references>" -> promise of the engine's codes

// The rule engine's answer for one variant in the analysis' gene panel: [{code, source, op, value, match}].
// The reference evaluations in effect (saved ones and those made in this round) are sent along.
export function suggestionsFor(wf, detail) {
  const alleleId = detail.id;
  const references = referenceAssessments(wf, detail).map((ra) => ({ allele_id: alleleId, ...ra }));
  // the analysis' gene panel, or in the VARIANTS workflow (variantworkflow.js) the panel it was opened in
  const panel = wf.analysis?.genepanel || wf.panel;
  const key = `${panel?.name}:${panel?.version}:${alleleId}:${JSON.stringify(references)}`;
  if (!panel) return Promise.reject(new Error("no gene panel to ask the rules in"));
  if (!suggestionCache.has(key)) {
    const request = post("acmg/alleles/", { allele_ids: [alleleId], gp_name: panel.name, gp_version: panel.version,
      referenceassessments: references })
      .then((answer) => (answer[String(alleleId)] || { codes: [] }).codes)
      .catch((err) => { suggestionCache.delete(key); throw err; });
    suggestionCache.set(key, request);
  }
  return suggestionCache.get(key);
}

// The suggested class of a list of codes ("PVS1", "PPxPM2", ...): {class, classification, contributors, meta}.
export function suggestedClass(codes) {
  return get("acmg/classifications/", { codes: codes.join(",") });
}

function shortText(texts, code) {
  return texts?.[code]?.short_criteria || TEXT[code] || "";
}

function fullText(texts, code) {
  const t = texts?.[code];
  if (!t) return TEXT[code] || "";
  return [t.criteria, t.notes].filter(Boolean).join("\n\n");
}

function side(code) {
  if (code === "OTHER") return "other";
  return isPathogenic(parseCode(code).base) ? "path" : "ben";
}

// What a rule saw: "transcript.consequences: stop_gained" or, for a rule on other codes, the codes it needed.
function trigger(entry) {
  const match = [].concat(entry.match ?? []).map((m) => (typeof m === "object" ? JSON.stringify(m) : String(m)));
  if (entry.source) return `${entry.source}: ${match.join(", ") || "–"}`;
  return match.join(" + ");
}

// {criteria: [[code, [entries]]], reqs: [[code, [entries]]]} from the engine's codes, first appearance first.
function grouped(codes) {
  const criteria = new Map();
  const reqs = new Map();
  for (const entry of codes || []) {
    const target = entry.code.startsWith("REQ_") ? reqs : criteria;
    if (!target.has(entry.code)) target.set(entry.code, []);
    target.get(entry.code).push(entry);
  }
  return { criteria: [...criteria], reqs: [...reqs] };
}

// The ACMG section of the form. `included` is the draft's list of {code, strength, comment} (changed in place);
// `chosenClass()` answers the class chosen in the form; `changed()` marks the interpretation unsaved.
// Answers {element, update}: call update() when the chosen class changes.
export function acmgSection(wf, detail, included, { readonly, chosenClass, changed }) {
  let texts = null;
  let engine = null; // the engine's codes for this variant, once answered
  let suggestion = null; // the suggested class of the added criteria
  let asked = 0;

  const classBox = h("div", { id: "acmg-suggested-class", class: "suggested-class", "aria-live": "polite" });
  const list = h("ul", { class: `acmg-list${readonly ? " readonly" : ""}`, id: "acmg-included" });
  const suggestedBox = h("div", { id: "acmg-suggested", class: "acmg-card", "aria-label": "Suggested ACMG criteria" },
    h("p", { class: "small muted" }, "Asking the rule engine…"));
  const reqList = h("ul", { class: "acmg-reqs", id: "acmg-reqs", hidden: true });
  const reqButton = h("button", { type: "button", class: "link", id: "acmg-show-req", "aria-expanded": "false",
    "aria-controls": "acmg-reqs", hidden: true }, "Show REQ");
  reqButton.addEventListener("click", () => {
    reqList.hidden = !reqList.hidden;
    reqButton.setAttribute("aria-expanded", String(!reqList.hidden));
    paintReqs();
  });
  const filter = h("input", { type: "search", id: "acmg-filter", placeholder: "Filter criteria: code or words",
    "aria-label": "Filter the ACMG criteria", autocomplete: "off" });
  const choices = h("div", { class: "acmg-choices", id: "acmg-choices" });
  const palette = h("div", { class: "acmg-palette", id: "acmg-palette", "aria-label": "Add ACMG criterion", hidden: readonly },
    filter, choices);
  filter.addEventListener("input", () => paintPalette());

  const edited = () => {
    paintList();
    paintSuggested();
    paintPalette();
    refreshClass();
    changed();
  };
  const add = (code) => {
    const { base, strength } = parseCode(code);
    if (included.some((c) => c.code === base)) return;
    included.push({ code: base, strength, comment: "" });
    edited();
  };

  function paintList() {
    replace(list, included.length ? included.map((c, i) => {
      const code = h("span", { class: `code ${side(c.code)}`, title: fullText(texts, c.code) }, label(c));
      const text = h("span", { class: "short small" }, shortText(texts, c.code));
      if (readonly) {
        return h("li", { "data-code": c.code }, code, h("span", { class: "comment" }, text,
          c.comment ? h("span", { class: "small" }, ` — ${c.comment}`) : null));
      }
      const strengths = strengthsFor(c.code);
      const current = c.strength || baseStrength(c.code);
      const strength = h("select", { "aria-label": `Strength of ${c.code}`, "data-code": c.code, disabled: strengths.length < 2,
        title: `Strength: ${strengthName(current)}` },
      strengths.map((s) => h("option", { value: s, selected: s === current, title: strengthName(s) },
        s === "OTHER" ? "–" : s.endsWith("NW") ? "not weighted" : s)));
      strength.addEventListener("change", () => { c.strength = strength.value; edited(); });
      const comment = h("input", { type: "text", placeholder: "Comment", value: c.comment || "", "aria-label": `Comment on ${c.code}` });
      comment.addEventListener("input", () => { c.comment = comment.value; changed(); });
      return h("li", { "data-code": c.code, class: c.strength === "PNW" || c.strength === "BNW" ? "not-weighted" : null },
        code, text, strength,
        h("button", { type: "button", class: "link", "aria-label": `Remove ${c.code}`, title: `Remove ${c.code}`,
          onclick: () => { included.splice(i, 1); edited(); } }, "✕"),
        comment, templateMenu(FIELDS.acmg, comment));
    }) : h("li", { class: "empty" }, "No ACMG criteria added."));
  }

  function paintSuggested() {
    if (engine === null) return;
    const { criteria, reqs } = grouped(engine);
    const added = new Set(included.map((c) => c.code));
    const rows = criteria.map(([code, entries]) => {
      const base = parseCode(code).base;
      return h("li", { "data-code": base, "data-suggested": code, class: added.has(base) ? "added" : null },
        h("span", { class: `code ${side(code)}`, title: fullText(texts, base) }, code),
        h("span", { class: "short small" }, shortText(texts, base)),
        added.has(base) ? h("span", { class: "badge tag" }, "added")
          : h("button", { type: "button", class: "add", disabled: readonly, "aria-label": `Add ${code}`,
            onclick: () => add(code) }, "Add"),
        h("span", { class: "why small muted" }, "Triggered by ", entries.map((e, i) =>
          [i ? "; " : "", h("span", { class: "mono" }, trigger(e))])));
    });
    replace(suggestedBox,
      h("div", { class: "row" }, h("strong", { class: "small" }, `Suggested (${criteria.length})`), h("span", { class: "spacer" }),
        reqButton),
      rows.length ? h("ul", { class: "acmg-list suggested" }, rows)
        : h("p", { class: "small muted", id: "acmg-no-suggestions" }, "The rules suggest no criterion for this variant."),
      reqList);
    reqButton.hidden = reqs.length === 0;
    replace(reqButton, reqList.hidden ? `Show REQ (${reqs.length})` : `Hide REQ (${reqs.length})`);
    paintReqs();
  }

  function paintReqs() {
    if (engine === null) return;
    const { reqs } = grouped(engine);
    replace(reqButton, reqList.hidden ? `Show REQ (${reqs.length})` : `Hide REQ (${reqs.length})`);
    if (reqList.hidden) return;
    replace(reqList, reqs.map(([code, entries]) => {
      const feeds = texts?.[code]?.sources || [];
      return h("li", { "data-code": code },
        h("span", { class: "code req", title: fullText(texts, code) }, code.replace(/^REQ_/, "")),
        h("span", { class: "small" }, shortText(texts, code) || code,
          feeds.length ? h("span", { class: "muted" }, ` · needed for ${feeds.join(", ")}`) : null),
        h("span", { class: "why small muted mono" }, entries.map(trigger).join("; ")));
    }));
  }

  function paintPalette() {
    if (readonly) return;
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const used = new Set(included.map((c) => c.code));
    const all = [...CRITERIA, OTHER].map(([code]) => [code, shortText(texts, code), fullText(texts, code)]);
    const shown = all.filter(([code, short, full]) =>
      words.every((w) => `${code} ${short} ${full}`.toLowerCase().includes(w)));
    replace(choices, shown.length ? shown.map(([code, short, full]) => h("button", {
      type: "button", class: side(code), title: full, "data-code": code, disabled: used.has(code),
      onclick: () => add(code),
    }, h("span", { class: "code" }, code), h("span", { class: "short" }, short)))
      : h("p", { class: "small muted" }, "No criterion matches."));
  }

  function paintClass() {
    const chosen = chosenClass();
    const counted = included.length > 0;
    if (!counted) {
      replace(classBox, h("span", { class: "small muted" }, "Suggested class: add ACMG criteria to get one."));
      return;
    }
    if (!suggestion) {
      replace(classBox, h("span", { class: "small muted" }, "Suggested class: …"));
      return;
    }
    const suggestedValue = String(suggestion.class);
    const differs = /^[1-5]$/.test(String(chosen || "")) && String(chosen) !== suggestedValue;
    const notCounted = suggestion.meta?.not_counted || [];
    replace(classBox,
      h("span", { class: "small" }, "Suggested class: "),
      h("strong", { id: "acmg-suggested-class-value", "data-class": suggestedValue },
        `${suggestedValue} · ${suggestion.classification}`),
      suggestion.contributors.length ? h("span", { class: "small muted" }, ` from ${suggestion.contributors.join(", ")}`)
        : h("span", { class: "small muted" }, " (the criteria do not add up to another class)"),
      notCounted.length ? h("span", { class: "small muted" }, `; not counted: ${notCounted.join(", ")}`) : null,
      differs ? h("div", { class: "alert warn small", id: "acmg-class-mismatch", role: "status" },
        `The chosen class ${chosen} differs from the suggested class ${suggestedValue}. `,
        "Explain why in the evaluation.") : null);
  }

  async function refreshClass() {
    const mine = ++asked;
    suggestion = null;
    if (!included.length) { paintClass(); return; }
    paintClass();
    try {
      const answer = await suggestedClass(included.map((c) => label(c)));
      if (mine !== asked) return;
      suggestion = answer;
    } catch (err) {
      if (mine !== asked) return;
      replace(classBox, h("span", { class: "alert error small" }, `Suggested class: ${err.message}`));
      return;
    }
    paintClass();
  }

  paintList();
  paintPalette();
  refreshClass();
  Promise.all([criteriaTexts().catch(() => null), suggestionsFor(wf, detail)])
    .then(([answerTexts, codes]) => {
      texts = answerTexts;
      engine = codes;
      if (!suggestedBox.isConnected && !document.body.contains(classBox)) return;
      paintList();
      paintSuggested();
      paintPalette();
    })
    .catch((err) => {
      replace(suggestedBox, h("p", { class: "alert error small", role: "alert" }, `No suggestions: ${err.message}`));
    });

  const element = h("div", { id: "acmg-section" },
    classBox,
    h("label", null, "ACMG criteria"), list,
    suggestedBox,
    readonly ? null : h("details", { class: "acmg-add", id: "acmg-add", open: true },
      h("summary", { class: "small" }, "Add a criterion by hand"), palette));
  return { element, update: paintClass };
}
