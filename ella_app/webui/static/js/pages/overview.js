// Overview worklists (feature U02/U03): analyses by workflow category, finalized (paged), variants worklist.
import { get, paged } from "../api.js";
import { fmtDate, h, replace } from "../dom.js";
import { navigate } from "../app.js";
import { overviewViews, priorityName, className } from "../session.js";
import { variantPath } from "../search.js";

const ANALYSIS_SECTIONS = [
  ["not_ready", "Not ready"],
  ["ongoing_user", "Your analyses"],
  ["not_started", "Interpretation"],
  ["marked_review", "Review"],
  ["marked_medicalreview", "Medical review"],
  ["ongoing_others", "Others' analyses"],
];
const ALLELE_SECTIONS = [
  ["ongoing_user", "Your variants"],
  ["not_started", "Interpretation"],
  ["marked_review", "Review"],
  ["ongoing_others", "Others' variants"],
];
const PER_PAGE = 20;

let filterText = "";
let onKey = null;

export function leave() {
  if (onKey) document.removeEventListener("keydown", onKey);
  onKey = null;
}

export async function render(main, params) {
  const section = params.section || "analyses";
  const views = overviewViews().filter((v) => v === "analyses" || v === "variants");
  const search = h("input", { type: "search", id: "overview-filter", placeholder: "Filter (name, gene, user, comment)…",
    "aria-label": "Filter the worklists", value: filterText, style: { minWidth: "20rem" } });
  const tabs = h("div", { class: "tabs", role: "tablist" },
    views.map((v) => h("a", { href: `#/overview/${v}`, role: "tab", "aria-selected": String(v === section) },
      v === "analyses" ? "Analyses" : "Variants")),
    h("span", { class: "spacer" }), search);
  const body = h("div", { id: "overview-body" }, h("p", { class: "muted" }, "Loading the worklists…"));
  main.append(h("h1", { class: "sr-only" }, "Overview"), tabs, body);
  const apply = () => {
    filterText = search.value;
    const needle = filterText.trim().toLowerCase();
    for (const row of body.querySelectorAll("tr[data-search]")) {
      row.hidden = Boolean(needle) && !row.dataset.search.includes(needle);
    }
  };
  search.addEventListener("input", apply);
  leave();
  onKey = (e) => {
    if (e.key === "/" && document.activeElement !== search && !/INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) {
      e.preventDefault();
      search.focus();
    }
  };
  document.addEventListener("keydown", onKey);
  if (section === "variants") await renderVariants(body);
  else await renderAnalyses(body);
  apply();
}

// ------------------------------------------------------------------------------------------ analyses

function sampleTags(samples) {
  const types = {};
  for (const s of samples || []) types[s.sample_type || "HTS"] = (types[s.sample_type || "HTS"] || 0) + 1;
  return Object.entries(types).map(([t, n]) => h("span", { class: "badge tag", title: `${n} ${t} sample(s)` },
    n > 1 ? `${t}×${n}` : t));
}

function latestRound(item) {
  const rounds = item.interpretations || [];
  return rounds[rounds.length - 1] || null;
}

// The date an analysis was requested, as ELLA shows it: the request date, or (when the pipeline gave none) the
// date it was deposited, marked as such. The overview and the INFO view show the same.
export function requestedDate(analysis) {
  if (analysis.date_requested) return { text: fmtDate(analysis.date_requested), deposited: false };
  if (analysis.date_deposited) return { text: fmtDate(analysis.date_deposited), deposited: true };
  return { text: "", deposited: false };
}

export function requestedCell(analysis) {
  const date = requestedDate(analysis);
  return date.deposited
    ? h("span", { class: "muted", title: "No request date was given: the date the analysis was deposited" }, date.text)
    : date.text;
}

function analysisRow(item) {
  const round = latestRound(item);
  const owner = round && round.user ? round.user : null;
  const ownerName = owner ? `${owner.first_name || ""} ${owner.last_name || ""}`.trim() || owner.username : "";
  const link = `#/workflows/analyses/${item.id}`;
  const text = [item.name, item.genepanel?.name, ownerName, item.review_comment, owner?.username].join(" ").toLowerCase();
  const row = h("tr", { class: "clickable", tabindex: "0", "data-search": text, "data-analysis-id": item.id },
    h("td", null, item.priority > 1
      ? h("span", { class: `badge prio-${item.priority}` }, priorityName(item.priority)) : null),
    h("td", null, h("a", { href: link }, item.name), " ",
      item.warnings && !item.warning_cleared ? h("span", { class: "badge warn", title: item.warnings }, "warnings") : null),
    h("td", null, item.genepanel ? `${item.genepanel.name} ${item.genepanel.version}` : ""),
    h("td", null, sampleTags(item.samples)),
    h("td", { class: "requested" }, requestedCell(item)),
    h("td", null, ownerName),
    h("td", { class: "small" }, item.review_comment || ""));
  row.addEventListener("click", (e) => { if (e.target.tagName !== "A") navigate(link.slice(1)); });
  row.addEventListener("keydown", (e) => { if (e.key === "Enter") navigate(link.slice(1)); });
  return row;
}

const ANALYSIS_COLUMNS = [["Priority", "7%"], ["Analysis", "27%"], ["Gene panel", "12%"], ["Samples", "9%"],
  ["Requested", "9%"], ["User", "12%"], ["Comment", "24%"]];

function analysisTable(items) {
  return h("table", { class: "worklist" },
    h("colgroup", null, ANALYSIS_COLUMNS.map(([, w]) => h("col", { style: { width: w } }))),
    h("thead", null, h("tr", null, ANALYSIS_COLUMNS.map(([t]) => h("th", null, t)))),
    h("tbody", null, items.map(analysisRow)));
}

function section(id, title, count, content) {
  return h("section", { class: "section", id: `section-${id}`, "aria-label": title },
    h("h2", null, title, h("span", { class: "count" }, count === null ? "" : `(${count})`)), content);
}

async function renderAnalyses(body) {
  let data;
  try {
    data = await get("overviews/analyses/");
  } catch (err) {
    replace(body, h("div", { class: "alert error", role: "alert" }, `The worklists cannot be loaded: ${err.message}`));
    return;
  }
  const parts = [];
  let total = 0;
  for (const [key, title] of ANALYSIS_SECTIONS) {
    const items = data[key] || [];
    total += items.length;
    if (items.length) parts.push(section(key, title, items.length, analysisTable(items)));
  }
  if (!total) parts.push(h("p", { class: "empty", id: "no-analyses" }, "No analyses waiting for interpretation."));
  const finalized = h("div", null, h("p", { class: "muted" }, "Loading…"));
  parts.push(section("finalized", "Finalized", null, finalized));
  replace(body, parts);
  await renderFinalized(finalized, 1);
}

async function renderFinalized(box, page) {
  let result;
  try {
    result = await paged("overviews/analyses/finalized/", { page, per_page: PER_PAGE });
  } catch (err) {
    replace(box, h("div", { class: "alert error" }, err.message));
    return;
  }
  const heading = box.parentElement.querySelector("h2 .count");
  if (heading) heading.textContent = `(${result.total})`;
  if (!result.items.length) {
    replace(box, h("p", { class: "empty" }, "No finalized analyses."));
    return;
  }
  const pager = h("div", { class: "pager" },
    h("button", { type: "button", disabled: page <= 1, onclick: () => renderFinalized(box, page - 1) }, "‹ Newer"),
    h("span", { class: "muted" }, `Page ${result.page} of ${result.pages}`),
    h("button", { type: "button", disabled: page >= result.pages, onclick: () => renderFinalized(box, page + 1) },
      "Older ›"));
  replace(box, analysisTable(result.items), result.pages > 1 ? pager : null);
}

// ------------------------------------------------------------------------------------------ variants

function alleleLabel(allele) {
  const tx = (allele.transcripts || [])[0];
  const gene = (allele.genes || [])[0]?.symbol || tx?.symbol || "";
  const hgvs = tx?.hgvsc ? `${tx.transcript}:${tx.hgvsc}` : `${allele.chromosome}:${allele.vcf_pos} ${allele.vcf_ref}>${allele.vcf_alt}`;
  return { gene, hgvs };
}

function alleleRow(item) {
  const allele = item.allele;
  const { gene, hgvs } = alleleLabel(allele);
  const round = latestRound(item);
  const owner = round && round.user ? round.user.username : "";
  const cls = allele.classification;
  const link = variantPath(allele, item.genepanel); // its VARIANTS workflow
  const row = h("tr", { class: "clickable", tabindex: "0", "data-allele-id": allele.id,
    "data-search": `${gene} ${hgvs} ${owner} ${item.review_comment || ""}`.toLowerCase() },
    h("td", null, item.priority > 1 ? h("span", { class: `badge prio-${item.priority}` }, priorityName(item.priority)) : null),
    h("td", null, h("strong", null, gene)),
    h("td", { class: "mono" }, h("a", { href: `#${link}` }, hgvs)),
    h("td", null, item.genepanel ? `${item.genepanel.name} ${item.genepanel.version}` : ""),
    h("td", null, cls ? h("span", { class: `badge class ${classBadge(cls.classification)}${cls.outdated ? " outdated" : ""}`,
      title: className(cls.classification) }, cls.classification) : ""),
    h("td", null, owner),
    h("td", { class: "small" }, item.review_comment || ""));
  row.addEventListener("click", (e) => { if (e.target.tagName !== "A") navigate(link); });
  row.addEventListener("keydown", (e) => { if (e.key === "Enter") navigate(link); });
  return row;
}

export function classBadge(value) {
  return /^[1-5]$/.test(String(value)) ? `class-${value}` : "class-other";
}

const ALLELE_COLUMNS = [["Priority", "7%"], ["Gene", "9%"], ["Variant", "30%"], ["Gene panel", "12%"], ["Class", "6%"],
  ["User", "12%"], ["Comment", "24%"]];

function alleleTable(items) {
  return h("table", { class: "worklist" },
    h("colgroup", null, ALLELE_COLUMNS.map(([, w]) => h("col", { style: { width: w } }))),
    h("thead", null, h("tr", null, ALLELE_COLUMNS.map(([t]) => h("th", null, t)))),
    h("tbody", null, items.map(alleleRow)));
}

async function renderVariants(body) {
  let data;
  try {
    data = await get("overviews/alleles/");
  } catch (err) {
    replace(body, h("div", { class: "alert error", role: "alert" }, `The variants worklist cannot be loaded: ${err.message}`));
    return;
  }
  const parts = [];
  let total = 0;
  for (const [key, title] of ALLELE_SECTIONS) {
    const items = data[key] || [];
    total += items.length;
    if (items.length) parts.push(section(`variants-${key}`, title, items.length, alleleTable(items)));
  }
  if (!total) parts.push(h("p", { class: "empty", id: "no-variants" }, "No variants waiting for interpretation."));
  const finalized = h("div", null, h("p", { class: "muted" }, "Loading…"));
  parts.push(section("variants-finalized", "Finalized", null, finalized));
  replace(body, parts);
  try {
    const result = await paged("overviews/alleles/finalized/", { page: 1, per_page: PER_PAGE });
    const heading = finalized.parentElement.querySelector("h2 .count");
    if (heading) heading.textContent = `(${result.total})`;
    replace(finalized, result.items.length ? alleleTable(result.items) : h("p", { class: "empty" }, "No finalized variants."));
  } catch (err) {
    replace(finalized, h("div", { class: "alert error" }, err.message));
  }
}
