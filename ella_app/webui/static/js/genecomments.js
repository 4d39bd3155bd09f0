// The gene popover of the evidence view (features A06, U16): the gene in the panel being interpreted (its
// inheritance and phenotypes), the current gene comment and its history, and a new comment. Gene comments are
// append-only (api/v1/geneassessments/): a new one supersedes the current one, which stays in the history.
// A comment made on an older one than the current (a colleague commented meanwhile) is refused (409) and shown.
import { ApiError, get, post } from "./api.js";
import { fmtDateTime, h, modal, replace, toast } from "./dom.js";
import { FIELDS, templateMenu } from "./templates.js";

const panels = new Map(); // "name\tversion" -> panel detail (genes with inheritance and phenotypes)

async function panelGene(panel, hgncId) {
  const key = `${panel.name}\t${panel.version}`;
  if (!panels.has(key)) {
    panels.set(key, get(`genepanels/${encodeURIComponent(panel.name)}/${encodeURIComponent(panel.version)}/`)
      .catch((err) => { panels.delete(key); throw err; }));
  }
  const detail = await panels.get(key);
  return (detail.genes || []).find((g) => g.hgnc_id === hgncId) || null;
}

// Every comment on the gene, oldest first (the API pages them; a gene's history is short).
export async function geneHistory(hgncId) {
  return get("geneassessments/", { q: JSON.stringify({ gene_id: [hgncId] }), per_page: 50 });
}

export function currentOf(history) {
  return history.filter((a) => !a.date_superceeded).pop() || null;
}

function author(user) {
  if (!user) return "";
  return `${user.first_name || ""} ${user.last_name || ""}`.trim() || user.username;
}

// gene: {hgnc_id, symbol}; panel: {name, version}; analysisId: the analysis on screen (or null);
// onChange(current): called after a comment is saved.
export async function openGenePopover({ gene, panel, analysisId = null, onChange = () => {} }) {
  const info = h("div", { id: "gene-panel-info" }, h("p", { class: "muted" }, "Loading…"));
  const historyBox = h("div", { id: "gene-comment-history" });
  const text = h("textarea", { id: "gene-comment-text", rows: 4, placeholder: `Comment on ${gene.symbol}` });
  const save = h("button", { type: "button", class: "primary", id: "save-gene-comment" }, "Save gene comment");
  const { close } = modal({
    title: `${gene.symbol} (HGNC:${gene.hgnc_id})`,
    wide: true,
    body: h("div", { id: "gene-popover" }, info,
      h("h3", null, "Gene comment"), historyBox,
      h("div", { class: "row label-row" },
        h("label", { for: "gene-comment-text" }, "New comment (replaces the current one; the old one is kept)"),
        h("span", { class: "spacer" }), templateMenu(FIELDS.gene, text)), text),
    actions: [h("button", { type: "button", onclick: () => close() }, "Close"), save],
  });
  let history = [];
  const renderHistory = () => {
    const current = currentOf(history);
    const older = history.filter((a) => a !== current).reverse();
    replace(historyBox,
      current ? h("ul", { class: "gene-history" },
        h("li", { class: "current", id: "gene-comment-current" },
          h("div", { class: "small muted" }, `Current · ${author(current.user)} · ${fmtDateTime(current.date_created)}`
            + ` · ${current.genepanel_name} ${current.genepanel_version}`),
          current.evaluation?.comment || ""),
        older.map((a) => h("li", { class: "muted" },
          h("div", { class: "small" }, `${author(a.user)} · ${fmtDateTime(a.date_created)}`
            + ` · superseded ${fmtDateTime(a.date_superceeded)}`),
          a.evaluation?.comment || "")))
        : h("p", { class: "empty", id: "gene-comment-none" }, "No comment on this gene yet."));
    if (current && !text.value) text.value = current.evaluation?.comment || "";
  };
  const load = async () => {
    const [found, panelGeneInfo] = await Promise.all([geneHistory(gene.hgnc_id), panelGene(panel, gene.hgnc_id).catch(() => null)]);
    history = found;
    renderHistory();
    replace(info, panelGeneInfo ? h("dl", { class: "kv" },
      h("dt", null, "Gene panel"), h("dd", null, `${panel.name} ${panel.version}`),
      h("dt", null, "Inheritance"), h("dd", { id: "gene-inheritance" }, panelGeneInfo.inheritance || "–"),
      h("dt", null, "Transcripts"), h("dd", { class: "mono small" },
        (panelGeneInfo.transcripts || []).map((t) => t.transcript_name).join(", ") || "–"),
      h("dt", null, "Phenotypes"), h("dd", { id: "gene-phenotypes" }, (panelGeneInfo.phenotypes || []).length
        ? h("ul", { class: "small", style: { margin: 0, paddingLeft: "1rem" } }, panelGeneInfo.phenotypes.map((p) =>
          h("li", null, p.description, p.inheritance ? ` (${p.inheritance})` : "", p.omim_id ? ` · OMIM ${p.omim_id}` : "")))
        : "–"))
      : h("p", { class: "muted" }, `${gene.symbol} is not in ${panel.name} ${panel.version}.`));
  };
  save.addEventListener("click", async () => {
    const comment = text.value.trim();
    if (!comment) { toast("Write a comment first.", "error"); return; }
    save.disabled = true;
    const current = currentOf(history);
    try {
      await post("geneassessments/", {
        gene_id: gene.hgnc_id,
        genepanel_name: panel.name,
        genepanel_version: panel.version,
        analysis_id: analysisId,
        evaluation: { comment },
        presented_geneassessment_id: current ? current.id : null,
      });
      text.value = "";
      await load();
      toast(`Gene comment on ${gene.symbol} saved.`);
      onChange(currentOf(history));
    } catch (err) {
      toast(err instanceof ApiError && err.status === 409
        ? `A colleague commented on ${gene.symbol} meanwhile: read it, then save again. (${err.message})` : err.message,
      "error", 8000);
      text.value = comment;
      await load().catch(() => {});
    } finally {
      save.disabled = false;
    }
  });
  try {
    await load();
  } catch (err) {
    replace(info, h("div", { class: "alert error" }, err.message));
  }
  return { close };
}
