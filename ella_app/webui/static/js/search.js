// The search box of the top bar (features A08, U03): variants by position, range or HGVS name, genes, analyses
// by name. Results come grouped as Variants and Analyses; a variant opens its VARIANTS workflow, an analysis
// its analysis workflow. The API limits both to what the user's group may see (api/v1/search/).
//
// What is sent (ELLA's query, services/search.py): {"type": "alleles"|"analyses", "freetext": ..., "gene":
// {"hgnc_id": ...}}. "BRCA2 c.68-7T>A" (a gene symbol, then an HGVS name) searches the name within that gene;
// a gene symbol alone lists the gene as a choice (its variants are then searched by gene).
import { ApiError, get, paged } from "./api.js";
import { $, h, replace } from "./dom.js";
import { navigate } from "./app.js";
import { className } from "./session.js";

const PER_PAGE = 10;
const LIMIT = 100; // matches counted (ELLA's client asks the same)
const DELAY_MS = 250;
const MIN_LENGTH = 3; // ELLA ignores shorter free text

let timer = null;
let generation = 0; // answers to an older query are dropped

// The link to a variant's VARIANTS workflow (ELLA's route): /workflows/variants/<genome>/<chr-pos-ref-alt>
// ?gp_name&gp_version&allele_id. Without a panel the page chooses one.
export function variantPath(allele, panel) {
  const query = new URLSearchParams({ allele_id: String(allele.id) });
  if (panel && panel.name) {
    query.set("gp_name", panel.name);
    query.set("gp_version", panel.version);
  }
  const key = [allele.chromosome, allele.vcf_pos, allele.vcf_ref, allele.vcf_alt].join("-");
  return `/workflows/variants/${encodeURIComponent(allele.genome_reference || "GRCh37")}/${encodeURIComponent(key)}`
    + `?${query}`;
}

// The transcript a result shows: a transcript of the group's panels (filtered_transcripts), else the first.
export function shownTranscript(allele) {
  const all = allele.annotation?.transcripts || [];
  const wanted = new Set(allele.annotation?.filtered_transcripts || []);
  return all.find((t) => wanted.has(t.transcript)) || all[0] || null;
}

export function variantName(allele) {
  const tx = shownTranscript(allele);
  const position = `${allele.chromosome}:${allele.vcf_pos} ${allele.vcf_ref}>${allele.vcf_alt}`;
  return {
    gene: tx?.symbol || "",
    hgvsc: tx ? `${tx.transcript}:${tx.HGVSc_short || tx.HGVSc || ""}` : "",
    hgvsp: tx?.HGVSp || "",
    position,
  };
}

// The newest round (the API lists them by last update, as ELLA does: a finished round can come after the
// round it opened).
function latestRound(rounds) {
  return (rounds || []).reduce((found, r) => (!found || r.id > found.id ? r : found), null);
}

// The panel a variant result opens in: that of its latest VARIANTS round, if any.
function panelOf(result) {
  const latest = latestRound(result.interpretations);
  return latest ? latest.genepanel : null;
}

// "BRCA2 c.68-7T>A" -> {symbol: "BRCA2", rest: "c.68-7T>A"}
function geneAndHgvs(text) {
  const m = /^([A-Za-z][A-Za-z0-9-]{1,19})\s+((?:c|p)\..+)$/.exec(text);
  return m ? { symbol: m[1], rest: m[2] } : null;
}

const looksLikeGene = (text) => /^[A-Za-z][A-Za-z0-9-]{1,19}$/.test(text) && !/^(chr)?\d/i.test(text);

async function geneByExactSymbol(symbol) {
  const found = await get("search/options/", { q: JSON.stringify({ gene: symbol }) });
  return (found.gene || []).find((g) => g.symbol.toUpperCase() === symbol.toUpperCase()) || null;
}

async function runSearch(text, gene) {
  const hgvsInGene = gene ? null : geneAndHgvs(text);
  let alleleQuery = { type: "alleles", freetext: text };
  if (gene) alleleQuery = { type: "alleles", gene: { hgnc_id: gene.hgnc_id } };
  else if (hgvsInGene) {
    const found = await geneByExactSymbol(hgvsInGene.symbol);
    if (found) alleleQuery = { type: "alleles", freetext: hgvsInGene.rest, gene: { hgnc_id: found.hgnc_id } };
  }
  const ask = (q) => paged("search/", { q: JSON.stringify(q), per_page: PER_PAGE, limit: LIMIT });
  const [alleles, analyses, options] = await Promise.all([
    ask(alleleQuery),
    gene ? null : ask({ type: "analyses", freetext: text }),
    !gene && looksLikeGene(text) ? get("search/options/", { q: JSON.stringify({ gene: text }) }) : null,
  ]);
  return {
    alleles: alleles.items.alleles || [],
    alleleTotal: alleles.total,
    analyses: analyses ? analyses.items.analyses || [] : [],
    analysisTotal: analyses ? analyses.total : 0,
    genes: options ? options.gene || [] : [],
  };
}

function countText(shown, total) {
  if (total > shown) return total >= LIMIT ? `${shown} of ${LIMIT}+` : `${shown} of ${total}`;
  return String(total);
}

function alleleItem(result, close) {
  const allele = result.allele;
  const name = variantName(allele);
  const cls = allele.allele_assessment;
  const latest = latestRound(result.interpretations);
  const path = variantPath(allele, panelOf(result));
  return h("li", null, h("a", {
    href: `#${path}`, class: "result", "data-allele-id": allele.id,
    onclick: () => close(),
  },
  h("span", { class: "gene" }, name.gene || `chr${allele.chromosome}`),
  h("span", { class: "mono" }, name.hgvsc || name.position),
  name.hgvsp ? h("span", { class: "mono muted" }, name.hgvsp) : null,
  h("span", { class: "spacer" }),
  latest ? h("span", { class: "badge status", title: "Latest VARIANTS round" },
    `${latest.workflow_status} · ${latest.finalized ? "Finalized" : latest.status}`) : null,
  cls ? h("span", { class: `badge class class-${/^[1-5]$/.test(cls.classification) ? cls.classification : "other"}`,
    title: className(cls.classification) }, cls.classification) : h("span", { class: "badge" }, "New"),
  h("span", { class: "small muted mono" }, name.position)));
}

function analysisItem(analysis, close) {
  const latest = latestRound(analysis.interpretations);
  return h("li", null, h("a", {
    href: `#/workflows/analyses/${analysis.id}`, class: "result", "data-analysis-id": analysis.id,
    onclick: () => close(),
  },
  h("span", null, analysis.name),
  h("span", { class: "spacer" }),
  analysis.genepanel ? h("span", { class: "badge tag" }, `${analysis.genepanel.name} ${analysis.genepanel.version}`) : null,
  latest ? h("span", { class: "badge status" }, `${latest.workflow_status} · ${latest.finalized ? "Finalized" : latest.status}`)
    : null));
}

function renderResults(box, found, { text, gene, onGene, close }) {
  const groups = [];
  if (found.genes.length) {
    groups.push(h("section", { id: "search-genes", "aria-label": "Genes" },
      h("h3", null, "Genes"),
      h("div", { class: "chips" }, found.genes.slice(0, 8).map((g) => h("button", {
        type: "button", class: "chip", "data-hgnc-id": g.hgnc_id, onclick: () => onGene(g),
        title: `The variants in ${g.symbol}`,
      }, g.symbol)))));
  }
  groups.push(h("section", { id: "search-variants", "aria-label": "Variants" },
    h("h3", null, gene ? `Variants in ${gene.symbol}` : "Variants",
      h("span", { class: "count" }, `(${countText(found.alleles.length, found.alleleTotal)})`)),
    found.alleles.length ? h("ul", null, found.alleles.map((r) => alleleItem(r, close)))
      : h("p", { class: "empty" }, hint(text, gene))));
  if (!gene) {
    groups.push(h("section", { id: "search-analyses", "aria-label": "Analyses" },
      h("h3", null, "Analyses", h("span", { class: "count" }, `(${countText(found.analyses.length, found.analysisTotal)})`)),
      found.analyses.length ? h("ul", null, found.analyses.map((a) => analysisItem(a, close)))
        : h("p", { class: "empty" }, "No analysis name contains this text.")));
  }
  replace(box, groups);
}

function hint(text, gene) {
  if (gene) return `No variant you may see is annotated in ${gene.symbol}.`;
  if (/^(c|p)\./i.test(text)) return "An HGVS name needs its transcript (NM_000059.3:c.68-7T>A) or a gene (BRCA2 c.68-7T>A).";
  return "No variant found. Search a position (13:32890607), a range (13:32890000-32891000) or an HGVS name.";
}

export function installSearch() {
  const form = $("#topbar-search");
  const input = $("#search-input");
  const box = $("#search-results");
  if (!form || !input || !box) return;
  const close = () => { box.hidden = true; };
  const show = async (gene = null) => {
    const text = input.value.trim();
    const mine = ++generation;
    if (!gene && text.length < MIN_LENGTH) { close(); return; }
    box.hidden = false;
    replace(box, h("p", { class: "muted" }, "Searching…"));
    try {
      const found = await runSearch(text, gene);
      if (mine !== generation) return;
      renderResults(box, found, { text, gene, close, onGene: (g) => { input.value = g.symbol; show(g); } });
    } catch (err) {
      if (mine !== generation) return;
      replace(box, h("div", { class: "alert error", role: "alert" },
        err instanceof ApiError ? `Search failed: ${err.message}` : String(err)));
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    generation += 1; // the results on screen answer an older text: never open them
    if (!box.hidden) replace(box, h("p", { class: "muted" }, "Searching…"));
    timer = setTimeout(() => show(), DELAY_MS);
  });
  input.addEventListener("focus", () => { if (input.value.trim().length >= MIN_LENGTH && box.childElementCount) box.hidden = false; });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    const first = box.hidden ? null : box.querySelector("a.result");
    if (first) { close(); navigate(first.getAttribute("href").slice(1)); } else show();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !box.hidden) { close(); input.blur(); }
  });
  document.addEventListener("click", (event) => {
    // the path as dispatched: a clicked gene choice is already replaced by the new results
    if (!box.hidden && !event.composedPath().includes(form)) close();
  });
  window.addEventListener("hashchange", close);
}
