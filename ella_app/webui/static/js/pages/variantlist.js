// The side bar of the classification view (features U05, U06): filter config selector, the FILTERED variants
// dialog to re-include variants, and the variants in sections Unclassified / Classified / Not relevant / Technical.
//
// The list works on allele ids (the API's filteredalleles answer: ids shown, ids removed per filter, and the
// classifications of those shown), so that an exome of 50,000 variants costs no more than a panel of 20: the
// sections are computed from the ids, and only the rows in view are in the document (a virtual list with rows
// of fixed height). Rows are fetched for the ids in view (workflow.js ensureRows) and kept while the filter
// result stays the same.
import { h, modal, replace, toast } from "../dom.js";
import { className } from "../session.js";
import { classBadge } from "./overview.js";

export const ROW_HEIGHT = 72; // px: gene and class, HGVS, consequence and tags — one line each
const OVERSCAN = 12; // rows rendered above and below the visible ones
const FILTERED_PAGE = 100; // rows per page of the filtered-variants dialog

const SECTIONS = [
  ["unclassified", "Unclassified"],
  ["classified", "Classified"],
  ["notrelevant", "Not relevant"],
  ["technical", "Technical"],
];

// The section of a variant: the user's marks in the state first, then its current classification.
export function sectionOf(wf, alleleOrId) {
  const id = typeof alleleOrId === "object" ? alleleOrId.id : alleleOrId;
  const st = wf.alleleState(id).analysis || {};
  if (st.verification === "technical") return "technical";
  if (st.notrelevant) return "notrelevant";
  // Re-evaluated (ELLA: reuse false): classified only once a new class is chosen.
  const assessment = wf.alleleState(id).alleleassessment;
  if (assessment?.reuse === false && typeof assessment.reuseCheckedId === "number") {
    return assessment.classification ? "classified" : "unclassified";
  }
  const cls = (wf.ids?.classifications || {})[id]
    || (typeof alleleOrId === "object" ? alleleOrId.classification : null);
  if (cls && !cls.outdated) return "classified";
  // A class chosen in this round (FULL or QUICK mode) moves the variant at once, as in ELLA; an outdated class
  // merely copied into the form does not.
  const draft = wf.alleleState(id).alleleassessment?.classification;
  if (draft && !(cls && String(cls.classification) === String(draft))) return "classified";
  return "unclassified";
}

// [[key, title, [ids in genomic order]], ...] for the sections that have variants.
export function sections(wf) {
  const groups = Object.fromEntries(SECTIONS.map(([key]) => [key, []]));
  for (const id of wf.ids?.allele_ids || []) groups[sectionOf(wf, id)].push(id);
  return SECTIONS.filter(([key]) => groups[key].length).map(([key, title]) => [key, title, groups[key]]);
}

// The variants in the order the side bar shows them (the first one is selected when the page opens).
export function sidebarOrder(wf) {
  return sections(wf).flatMap(([, , ids]) => ids);
}

export function geneOf(allele) {
  return (allele.genes || [])[0]?.symbol || (allele.transcripts || [])[0]?.symbol || "";
}

export function hgvsOf(allele) {
  const tx = (allele.transcripts || [])[0];
  if (tx && tx.hgvsc) return `${tx.transcript}:${tx.hgvsc}`;
  return `${allele.chromosome}:${allele.vcf_pos} ${allele.vcf_ref}>${allele.vcf_alt}`;
}

function genotypeTag(genotype) {
  const type = genotype?.type || "";
  if (/homo/i.test(type)) return "HOM";
  if (/hetero/i.test(type)) return "HET";
  return type ? type.slice(0, 3).toUpperCase() : "";
}

export function classTag(allele) {
  const cls = allele.classification;
  if (!cls) return null;
  return h("span", { class: `badge class ${classBadge(cls.classification)}${cls.outdated ? " outdated" : ""}`,
    title: `${className(cls.classification)}${cls.outdated ? " (outdated)" : ""}` }, cls.classification);
}

const LINE = { whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis", wordBreak: "normal" };

function variantItem(wf, id, index) {
  const allele = wf.rows.get(id);
  const attrs = {
    class: "vitem", role: "option", tabindex: "-1", "data-allele-id": id,
    "aria-selected": String(id === wf.selectedId),
    onclick: () => wf.select(id),
    style: { position: "absolute", left: 0, right: 0, top: `${index * ROW_HEIGHT}px`, height: `${ROW_HEIGHT - 2}px`,
      boxSizing: "border-box", overflow: "hidden", alignContent: "start" },
  };
  if (!allele) {
    return h("li", { ...attrs, "aria-busy": "true" }, h("span", { class: "gene muted" }, "…"),
      h("span", { class: "hgvs muted", style: LINE }, `variant ${id}`));
  }
  const tx = (allele.transcripts || [])[0] || {};
  const state = wf.alleleState(id).alleleassessment;
  const draft = state?.reuse === true ? null : state?.classification;
  return h("li", attrs,
    h("span", { class: "gene", style: LINE }, geneOf(allele) || `chr${allele.chromosome}`),
    h("span", null, classTag(allele), (!allele.classification || state?.reuse === false) && draft
      ? h("span", { class: "badge tag", title: "Class chosen, not yet saved as a classification" }, `(${draft})`) : null),
    h("span", { class: "hgvs", style: LINE, title: hgvsOf(allele) },
      tx.hgvsc || `${allele.chromosome}:${allele.vcf_pos} ${allele.vcf_ref}>${allele.vcf_alt}`,
      tx.hgvsp ? ` ${tx.hgvsp}` : ""),
    h("span", { class: "meta", style: { ...LINE, flexWrap: "nowrap" } },
      allele.worst_consequence ? h("span", null, allele.worst_consequence.replace(/_/g, " ")) : null,
      genotypeTag(allele.genotype) ? h("span", { class: "badge tag", title: allele.genotype.type }, genotypeTag(allele.genotype)) : null,
      allele.reincluded ? h("span", { class: "badge tag", title: `Re-included (filtered by ${allele.filtered || "a filter"})` }, "I") : null,
      allele.genotype?.filter_status && allele.genotype.filter_status !== "PASS"
        ? h("span", { class: "badge warn", title: "VCF FILTER" }, allele.genotype.filter_status) : null));
}

// Render the rows of each section that are in view (plus some either side); fetch the rows not loaded yet.
function paint(box, wf) {
  const view = box.getBoundingClientRect();
  const missing = [];
  for (const ul of box.querySelectorAll("ul.vlist[data-section]")) {
    const ids = ul._ids;
    const top = ul.getBoundingClientRect().top;
    const first = Math.max(0, Math.floor((view.top - top) / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(ids.length, Math.ceil((view.bottom - top) / ROW_HEIGHT) + OVERSCAN);
    const key = `${first}:${last}:${wf.rowsVersion}:${wf.rows.size}:${wf.selectedId}`;
    if (ul._painted === key) continue;
    ul._painted = key;
    const items = [];
    for (let i = first; i < last; i++) {
      items.push(variantItem(wf, ids[i], i));
      if (!wf.rows.has(ids[i])) missing.push(ids[i]);
    }
    replace(ul, items);
  }
  if (missing.length) {
    wf.ensureRows(missing).then(() => { if (box.isConnected) paint(box, wf); }).catch((err) => toast(err.message, "error"));
  }
}

export function renderSidebar(box, wf) {
  const result = wf.ids;
  const select = h("select", { id: "filterconfig", "aria-label": "Filter configuration",
    disabled: wf.round?.status === "Done" && !wf.filterconfigs.length },
  wf.filterconfigs.map((fc) => h("option", { value: fc.id, selected: fc.id === wf.filterconfigId },
    fc.name + (fc.default ? " (default)" : ""))));
  select.addEventListener("change", async () => {
    wf.state.filterconfig_id = Number(select.value);
    await wf.refilter();
  });
  const excludedCount = Object.values(result.excluded_allele_ids || {}).reduce((n, ids) => n + ids.length, 0);
  const controls = h("div", { class: "controls" },
    h("label", { for: "filterconfig", style: { margin: 0 } }, "Filter"),
    wf.filterconfigs.length ? select : h("p", { class: "small muted" }, "No filter configuration for this analysis."),
    h("button", { type: "button", id: "show-filtered", onclick: () => filteredDialog(wf),
      disabled: !excludedCount && !(result.manually_added_allele_ids || []).length },
    `Filtered variants (${excludedCount})`));

  const list = h("div", { role: "listbox", "aria-label": "Variants", id: "variant-list",
    "data-count": String((result.allele_ids || []).length) });
  for (const [key, title, ids] of sections(wf)) {
    const ul = h("ul", { class: "vlist", id: `vlist-${key}`, "data-section": key,
      style: { position: "relative", height: `${ids.length * ROW_HEIGHT}px` } });
    ul._ids = ids;
    list.append(h("h4", null, `${title} (${ids.length})`), ul);
  }
  wf.sidebarOrder = sidebarOrder(wf);
  if (!(result.allele_ids || []).length) list.append(h("p", { class: "empty" }, "No variants shown."));
  replace(box, controls, list,
    h("p", { class: "small muted" }, h("span", { class: "kbd" }, "↑"), " ", h("span", { class: "kbd" }, "↓"),
      " next/previous variant · ", h("span", { class: "kbd" }, "Ctrl"), "+", h("span", { class: "kbd" }, "S"), " save"));
  if (box._onScroll) box.removeEventListener("scroll", box._onScroll);
  let pending = false;
  box._onScroll = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; paint(box, wf); });
  };
  box.addEventListener("scroll", box._onScroll, { passive: true });
  if (wf.selectedId !== null && wf.selectedId !== undefined) scrollToAllele(box, wf, wf.selectedId);
  paint(box, wf);
}

// Repaint the rows in view (after a selection or new rows).
export function repaintSidebar(box, wf) {
  if (box && box.isConnected) paint(box, wf);
}

// Scroll the side bar so that the variant's row is in view (rows outside the view are not in the document).
export function scrollToAllele(box, wf, alleleId) {
  for (const ul of box.querySelectorAll("ul.vlist[data-section]")) {
    const index = ul._ids.indexOf(alleleId);
    if (index < 0) continue;
    const view = box.getBoundingClientRect();
    const rowTop = ul.getBoundingClientRect().top + index * ROW_HEIGHT;
    if (rowTop < view.top) box.scrollTop -= view.top - rowTop;
    else if (rowTop + ROW_HEIGHT > view.bottom) box.scrollTop += rowTop + ROW_HEIGHT - view.bottom;
    paint(box, wf);
    return;
  }
}

// The variants the filters removed, a page at a time (rows fetched per page), grouped by filter in the filters'
// order; ticking one re-includes it (state.manuallyAddedAlleles).
async function filteredDialog(wf) {
  const data = wf.ids;
  const readonly = !wf.editable;
  const filters = data.excluded_filters || Object.keys(data.excluded_allele_ids || {});
  const entries = filters.flatMap((name) => (data.excluded_allele_ids[name] || []).map((id) => [id, name]));
  const excluded = new Set(entries.map(([id]) => id));
  const chosen = new Set((wf.state.manuallyAddedAlleles || []).filter((id) => excluded.has(id)));
  const pages = Math.max(1, Math.ceil(entries.length / FILTERED_PAGE));
  let page = 1;
  const tbody = h("tbody");
  const pager = h("span", { class: "small muted", id: "filtered-page" });
  const prev = h("button", { type: "button", id: "filtered-prev" }, "‹ Previous");
  const next = h("button", { type: "button", id: "filtered-next" }, "Next ›");
  const show = async () => {
    const slice = entries.slice((page - 1) * FILTERED_PAGE, page * FILTERED_PAGE);
    replace(pager, `Page ${page} of ${pages} · ${entries.length} variant(s)`);
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
    let rows;
    try {
      rows = await wf.fetchRows(slice.map(([id]) => id));
    } catch (err) {
      toast(err.message, "error");
      return;
    }
    replace(tbody, slice.map(([id, name]) => {
      const allele = rows.get(id) || { id, transcripts: [] };
      const box = h("input", { type: "checkbox", "data-allele-id": id, checked: chosen.has(id), disabled: readonly,
        "aria-label": `Re-include ${geneOf(allele)} ${hgvsOf(allele)}` });
      box.addEventListener("change", () => { if (box.checked) chosen.add(id); else chosen.delete(id); });
      return h("tr", null,
        h("td", null, box),
        h("td", null, h("strong", null, geneOf(allele))),
        h("td", { class: "mono small" }, hgvsOf(allele)),
        h("td", { class: "small" }, (allele.worst_consequence || "").replace(/_/g, " ")),
        h("td", null, classTag(allele)),
        h("td", null, h("span", { class: "badge tag" }, name)));
    }));
  };
  prev.addEventListener("click", () => { page -= 1; show(); });
  next.addEventListener("click", () => { page += 1; show(); });
  const body = h("div", null,
    readonly ? h("div", { class: "alert warn" }, "Start the interpretation to re-include variants.") : null,
    h("p", { class: "small muted" }, `Filter configuration: ${data.filterconfig ? data.filterconfig.name : "none"}. `,
      "Tick a variant to show it in the list again (it is tagged I)."),
    entries.length ? h("table", { id: "filtered-table" },
      h("thead", null, h("tr", null, ["Include", "Gene", "Variant", "Consequence", "Class", "Filtered by"].map((t) => h("th", null, t)))),
      tbody) : h("p", { class: "empty" }, "No variant was filtered out."),
    pages > 1 ? h("div", { class: "row", style: { gap: ".5rem", alignItems: "center" } }, prev, pager, next) : null);
  if (entries.length) await show(); // the first page's rows before the dialog opens
  const apply = h("button", { type: "button", class: "primary", id: "apply-filtered", disabled: readonly }, "Apply");
  const { close } = modal({ title: "Filtered variants", body, wide: true,
    actions: [h("button", { type: "button", onclick: () => close() }, "Close"), apply] });
  apply.addEventListener("click", async () => {
    const stillShown = (wf.state.manuallyAddedAlleles || []).filter((id) => !excluded.has(id));
    const before = new Set(wf.state.manuallyAddedAlleles || []);
    wf.state.manuallyAddedAlleles = [...new Set([...stillShown, ...chosen])];
    close();
    const newlyAdded = [...chosen].find((id) => !before.has(id));
    if (newlyAdded !== undefined) wf.selectedId = newlyAdded;
    await wf.refilter();
  });
}
