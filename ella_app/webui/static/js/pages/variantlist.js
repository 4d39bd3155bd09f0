// The side bar of the classification view (features U05, U06): filter config selector, the FILTERED variants
// dialog to re-include variants, and the variants in sections Unclassified / Classified / Not relevant / Technical.
import { get } from "../api.js";
import { h, modal, replace, toast } from "../dom.js";
import { className } from "../session.js";
import { classBadge } from "./overview.js";

const SECTIONS = [
  ["unclassified", "Unclassified"],
  ["classified", "Classified"],
  ["notrelevant", "Not relevant"],
  ["technical", "Technical"],
];

export function sectionOf(wf, allele) {
  const st = wf.alleleState(allele.id).analysis || {};
  if (st.verification === "technical") return "technical";
  if (st.notrelevant) return "notrelevant";
  const cls = allele.classification;
  if (cls && !cls.outdated) return "classified";
  return "unclassified";
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

function variantItem(wf, allele) {
  const tx = (allele.transcripts || [])[0] || {};
  const draft = wf.alleleState(allele.id).alleleassessment?.classification;
  const item = h("li", {
    class: "vitem", role: "option", tabindex: "-1", "data-allele-id": allele.id,
    "aria-selected": String(allele.id === wf.selectedId),
    onclick: () => wf.select(allele.id),
  },
  h("span", { class: "gene" }, geneOf(allele) || `chr${allele.chromosome}`),
  h("span", null, classTag(allele), !allele.classification && draft
    ? h("span", { class: "badge tag", title: "Class chosen, not yet saved as a classification" }, `(${draft})`) : null),
  h("span", { class: "hgvs" }, tx.hgvsc || `${allele.chromosome}:${allele.vcf_pos} ${allele.vcf_ref}>${allele.vcf_alt}`,
    tx.hgvsp ? ` ${tx.hgvsp}` : ""),
  h("span", { class: "meta" },
    allele.worst_consequence ? h("span", null, allele.worst_consequence.replace(/_/g, " ")) : null,
    genotypeTag(allele.genotype) ? h("span", { class: "badge tag", title: allele.genotype.type }, genotypeTag(allele.genotype)) : null,
    allele.reincluded ? h("span", { class: "badge tag", title: `Re-included (filtered by ${allele.filtered || "a filter"})` }, "I") : null,
    allele.genotype?.filter_status && allele.genotype.filter_status !== "PASS"
      ? h("span", { class: "badge warn", title: "VCF FILTER" }, allele.genotype.filter_status) : null));
  return item;
}

export function renderSidebar(box, wf) {
  const result = wf.result;
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

  const groups = Object.fromEntries(SECTIONS.map(([key]) => [key, []]));
  for (const allele of result.alleles) groups[sectionOf(wf, allele)].push(allele);
  const list = h("div", { role: "listbox", "aria-label": "Variants", id: "variant-list" });
  const order = [];
  for (const [key, title] of SECTIONS) {
    if (!groups[key].length) continue;
    list.append(h("h4", null, `${title} (${groups[key].length})`),
      h("ul", { class: "vlist", id: `vlist-${key}` }, groups[key].map((a) => variantItem(wf, a))));
    order.push(...groups[key].map((a) => a.id));
  }
  wf.sidebarOrder = order;
  if (!result.alleles.length) list.append(h("p", { class: "empty" }, "No variants shown."));
  replace(box, controls, list,
    h("p", { class: "small muted" }, h("span", { class: "kbd" }, "↑"), " ", h("span", { class: "kbd" }, "↓"),
      " next/previous variant · ", h("span", { class: "kbd" }, "Ctrl"), "+", h("span", { class: "kbd" }, "S"), " save"));
}

async function filteredDialog(wf) {
  let data;
  try {
    data = await get(`${wf.base}/interpretations/${wf.round.id}/filteredalleles/`, { filterconfig_id: wf.filterconfigId });
  } catch (err) {
    toast(err.message, "error");
    return;
  }
  const readonly = !wf.editable;
  const added = new Set(wf.state.manuallyAddedAlleles || []);
  const rows = data.alleles.map((allele) => {
    const box = h("input", { type: "checkbox", "data-allele-id": allele.id, checked: added.has(allele.id),
      disabled: readonly, "aria-label": `Re-include ${geneOf(allele)} ${hgvsOf(allele)}` });
    return h("tr", null,
      h("td", null, box),
      h("td", null, h("strong", null, geneOf(allele))),
      h("td", { class: "mono small" }, hgvsOf(allele)),
      h("td", { class: "small" }, (allele.worst_consequence || "").replace(/_/g, " ")),
      h("td", null, classTag(allele)),
      h("td", null, h("span", { class: "badge tag" }, allele.filtered || "")));
  });
  const body = h("div", null,
    readonly ? h("div", { class: "alert warn" }, "Start the interpretation to re-include variants.") : null,
    h("p", { class: "small muted" }, `Filter configuration: ${data.filterconfig ? data.filterconfig.name : "none"}. `,
      "Tick a variant to show it in the list again (it is tagged I)."),
    data.alleles.length ? h("table", { id: "filtered-table" },
      h("thead", null, h("tr", null, ["Include", "Gene", "Variant", "Consequence", "Class", "Filtered by"].map((t) => h("th", null, t)))),
      h("tbody", null, rows)) : h("p", { class: "empty" }, "No variant was filtered out."));
  const apply = h("button", { type: "button", class: "primary", id: "apply-filtered", disabled: readonly }, "Apply");
  const { close } = modal({ title: "Filtered variants", body, wide: true,
    actions: [h("button", { type: "button", onclick: () => close() }, "Close"), apply] });
  apply.addEventListener("click", async () => {
    const chosen = [...body.querySelectorAll("input[type=checkbox]:checked")].map((b) => Number(b.dataset.alleleId));
    const stillShown = (wf.state.manuallyAddedAlleles || []).filter((id) => !data.alleles.some((a) => a.id === id));
    wf.state.manuallyAddedAlleles = [...new Set([...stillShown, ...chosen])];
    close();
    const newlyAdded = chosen.find((id) => !(wf.result.alleles || []).some((a) => a.id === id));
    if (newlyAdded !== undefined) wf.selectedId = newlyAdded;
    await wf.refilter();
  });
}
