// What the evidence view of one variant shows besides its evidence (features U16, A10, A13), in an analysis and
// in the VARIANTS workflow alike: the gene as a button opening its popover (panel inheritance and phenotypes,
// gene comment), a mark when the gene has a comment, the attachments of the classification, and in an
// analysis the collision warning (the same variant being worked on in its own VARIANTS workflow or another
// analysis; the VARIANTS page shows its own).
import { get } from "./api.js";
import { h } from "./dom.js";
import { variantPath } from "./search.js";
import { renderAttachments } from "./attachments.js";
import { currentOf, geneHistory, openGenePopover } from "./genecomments.js";

function panelOf(wf) {
  if (wf.panel) return wf.panel;
  const gp = wf.analysis?.genepanel;
  return gp ? { name: gp.name, version: gp.version } : null;
}

function author(user) {
  if (!user) return "";
  return `${user.first_name || ""} ${user.last_name || ""}`.trim() || user.username;
}

async function markComment(flag, gene) {
  const current = currentOf(await geneHistory(gene.hgnc_id));
  flag.hidden = !current;
  if (current) flag.title = `Gene comment: ${(current.evaluation?.comment || "").slice(0, 300)}`;
}

function geneButton(box, wf, detail) {
  const gene = (detail.genes || [])[0];
  const panel = panelOf(wf);
  const label = box.querySelector("#variant-header .gene");
  if (!gene || !panel || !label) return;
  const flag = h("span", { class: "badge tag gene-comment-flag", id: "gene-comment-flag", hidden: true }, "gene comment");
  const open = () => openGenePopover({
    gene, panel, analysisId: wf.analysisId ?? null, onChange: () => markComment(flag, gene).catch(() => {}),
  });
  flag.addEventListener("click", open);
  const button = h("button", { type: "button", class: "gene-button", id: "gene-button",
    title: `${gene.symbol}: inheritance, phenotypes and gene comment`, onclick: open }, label.textContent);
  label.replaceWith(button);
  button.after(flag);
  markComment(flag, gene).catch(() => {});
}

async function collisionWarning(box, wf, detail) {
  if (!wf.analysisId) return;
  const found = await get(`workflows/analyses/${wf.analysisId}/collisions/`, { allele_ids: String(detail.id) });
  const evidence = box.querySelector(".evidence");
  if (!found.length || !evidence || wf.selectedId !== detail.id) return;
  evidence.prepend(h("div", { class: "alert warn small", id: "allele-collision", role: "alert" },
    h("strong", null, "Being worked on elsewhere: "),
    found.map((c, i) => [i ? "; " : "",
      c.type === "allele" ? "its VARIANTS workflow" : h("a", { href: `#/workflows/analyses/${c.analysis_id}` }, c.analysis_name),
      ` (${c.workflow_status}${c.user ? `, ${author(c.user)}` : ""})`])));
}

// ELLA's "similar variants": classified variants near this one (similar_alleles in the config), each a link to
// its VARIANTS workflow.
async function similarVariants(box, wf, detail) {
  const panel = panelOf(wf);
  const history = box.querySelector("#evidence-history");
  if (!panel || !history) return;
  const path = `workflows/similar_alleles/${encodeURIComponent(panel.name)}/${encodeURIComponent(panel.version)}/`;
  const found = (await get(path, { allele_ids: String(detail.id) }))[String(detail.id)] || [];
  if (wf.selectedId !== detail.id || !history.isConnected) return;
  history.before(h("section", { id: "evidence-similar", "aria-label": "Similar variants" },
    h("h3", null, "Similar variants"),
    found.length ? h("ul", { class: "small" }, found.map((a) => {
      const tx = (a.transcripts || [])[0] || {};
      const cls = a.classification;
      return h("li", { "data-allele-id": a.id },
        cls ? h("span", { class: `badge class class-${/^[1-5]$/.test(cls.classification) ? cls.classification : "other"}` },
          cls.classification) : null, " ",
        h("a", { href: `#${variantPath(a, panel)}`, class: "mono" },
          tx.transcript ? `${tx.symbol || ""} ${tx.transcript}:${tx.hgvsc || ""}` : `${a.chromosome}:${a.vcf_pos}`),
        tx.hgvsp ? h("span", { class: "muted mono" }, ` ${tx.hgvsp}`) : null);
    })) : h("p", { class: "empty" }, "No classified variant nearby.")));
}

export function decorateEvidence(box, wf, detail) {
  geneButton(box, wf, detail);
  collisionWarning(box, wf, detail).catch(() => {});
  similarVariants(box, wf, detail).catch(() => {});
  const form = box.querySelector("#classification-form");
  if (form) renderAttachments(form, wf, detail);
}
