// The VARIANTS workflow (feature U14): one variant outside any analysis, at ELLA's route
// /workflows/variants/<genome>/<chr-pos-ref-alt>?gp_name&gp_version&allele_id. No sample data; the rounds are
// Interpretation and Review only, each on a gene panel chosen when it starts (the panel select of the top bar).
// START (or START REVIEW) claims the round, the classification is made as in an analysis (FULL mode of the
// classification view, finalizeallele), FINISH sends it to review, back to interpretation, or finalizes it.
//
// The page offers the interface the evidence and classification view expects of its workflow (base, editable,
// round, state, alleleState, markDirty, save, result, loadAlleles, renderSelected; see pages/workflow.js). The
// FINISH dialog (finish.js) and the work log (worklog.js, opened from the top bar) are the analysis page's.
import { ApiError, get, patch, post } from "../api.js";
import { h, modal, replace, toast } from "../dom.js";
import { navigate } from "../app.js";
import { finishDialog } from "../finish.js";
import { session } from "../session.js";
import { WorkLog } from "../worklog.js";
import { renderEvidence } from "./evidence.js";
import { userName } from "./workflow.js";
import { variantPath } from "../search.js";

// Finish targets of a variant round (ELLA: Interpretation and Review only; Finalize when allowed).
const FINISH_TARGETS = [
  ["markinterpretation", "Interpretation", "Send it back for (more) interpretation."],
  ["markreview", "Review", "Interpretation is done: a colleague reviews it."],
];

let vw = null;

export function canLeave(nextPath) {
  if (!vw || !vw.dirty) return true;
  return Boolean(nextPath && nextPath === vw.path);
}

export function leave() {
  if (vw) vw.destroy();
  vw = null;
}

// "13-32890607-G-A" -> {chromosome, position, ref, alt}
function parseVariant(text) {
  const m = /^([0-9XYMT]{1,2})-(\d+)-([ACGTN]*)-([ACGTN<>A-Z]*)$/i.exec(decodeURIComponent(text));
  return m ? { chromosome: m[1], position: Number(m[2]), ref: m[3].toUpperCase(), alt: m[4].toUpperCase() } : null;
}

// The allele of a link without allele_id (typed or pasted): searched by its position, matched on ref and alt.
async function findAllele(params) {
  const wanted = parseVariant(params.variant);
  if (!wanted) throw new Error(`'${decodeURIComponent(params.variant)}' is not a variant (chromosome-position-ref-alt).`);
  const { alleles } = await get("search/", {
    q: JSON.stringify({ type: "alleles", freetext: `${wanted.chromosome}:${wanted.position}` }), per_page: 50,
  });
  const found = (alleles || []).map((r) => r.allele).find((a) => a.chromosome === wanted.chromosome
    && a.vcf_pos === wanted.position && a.vcf_ref === wanted.ref && a.vcf_alt === wanted.alt);
  if (!found) throw new Error("No such variant among the variants you may see.");
  return found.id;
}

// The panel to open a variant in when the link names none: that of its latest round, else of the first analysis
// with the variant, else the group's first panel.
async function choosePanel(alleleId, rounds) {
  const latest = rounds[rounds.length - 1];
  if (latest) return latest.genepanel;
  const analyses = await get(`alleles/${alleleId}/analyses/`).catch(() => []);
  if (analyses.length && analyses[0].genepanel) return analyses[0].genepanel;
  const panels = await get("genepanels/");
  return panels.length ? { name: panels[0].name, version: panels[0].version } : null;
}

export async function render(main, params, query) {
  const alleleId = Number(query.get("allele_id")) || await findAllele(params);
  const panel = query.get("gp_name") && query.get("gp_version")
    ? { name: query.get("gp_name"), version: query.get("gp_version") } : null;
  if (vw && vw.alleleId === alleleId && panel && vw.panel.name === panel.name && vw.panel.version === panel.version) {
    vw.attach(main);
    return;
  }
  if (vw) vw.destroy();
  const rounds = await get(`workflows/alleles/${alleleId}/interpretations/`);
  const chosen = panel || await choosePanel(alleleId, rounds);
  if (!chosen) throw new Error("Your group has no gene panel to interpret this variant in.");
  vw = new VariantWorkflow(alleleId, chosen);
  vw.rounds = rounds;
  await vw.load({ rounds: false });
  const canonical = variantPath(vw.detail, chosen);
  if (!panel || !query.get("allele_id")) navigate(canonical, { replace: true });
  vw.path = canonical.split("?")[0];
  vw.attach(main);
}

class VariantWorkflow {
  constructor(alleleId, panel) {
    this.alleleId = alleleId;
    this.panel = panel;
    this.dirty = false;
    this.state = {};
    this.rounds = [];
    this.collisions = [];
    this.onKey = (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "s") {
        e.preventDefault();
        if (this.editable && this.dirty) this.save();
      }
    };
    document.addEventListener("keydown", this.onKey);
  }

  destroy() { document.removeEventListener("keydown", this.onKey); }

  // ------------------------------------------------------------------ what the classification view asks of us
  get base() { return `workflows/alleles/${this.alleleId}`; }
  get round() { return this.rounds[this.rounds.length - 1]; }
  get editable() {
    const r = this.round;
    return Boolean(r && r.status === "Ongoing" && r.user && session.user && r.user.id === session.user.id);
  }
  get selectedId() { return this.alleleId; }
  get result() { return { allele_ids: [this.alleleId], alleles: [{ id: this.alleleId }] }; }
  get subject() { return "variant"; }

  alleleState(alleleId, create = false) {
    const all = this.state.allele || (create ? (this.state.allele = {}) : {});
    const key = String(alleleId);
    if (!all[key] && create) all[key] = {};
    return all[key] || {};
  }

  markDirty() {
    if (!this.editable) return;
    this.dirty = true;
    this.updateTopbar();
  }

  refreshSidebar() {}

  async loadAlleles() { this.detail = await this.fetchDetail(); }

  async renderSelected() { if (this.content) renderEvidence(this.content, this, this.detail); }

  // ------------------------------------------------------------------ loading and layout
  async fetchDetail() {
    return get(`alleles/${this.alleleId}/`, { gp_name: this.panel.name, gp_version: this.panel.version });
  }

  async load({ rounds = true } = {}) {
    const [detail, loaded, collisions, analyses] = await Promise.all([
      this.fetchDetail(),
      rounds ? get(`${this.base}/interpretations/`) : this.rounds,
      get(`${this.base}/collisions/`).catch(() => []),
      get(`alleles/${this.alleleId}/analyses/`).catch(() => []),
    ]);
    this.detail = detail;
    this.rounds = loaded;
    this.collisions = collisions;
    this.analyses = analyses;
    this.state = structuredClone(this.round?.state || {});
    this.dirty = false;
  }

  attach(main) {
    main.className = "full";
    this.top = h("div", { class: "wf-top vwf-top" });
    this.warnings = h("div", { id: "variant-warnings" });
    this.content = h("div", { id: "variant-content" });
    replace(main, h("div", { class: "wf with-banner", id: "variant-workflow", "data-allele-id": this.alleleId },
      this.top, h("div", { class: "vwf-body" }, this.warnings, this.content)));
    this.updateTopbar();
    this.renderWarnings();
    renderEvidence(this.content, this, this.detail);
    this.countLog();
  }

  updateTopbar() {
    if (!this.top) return;
    const r = this.round;
    const tx = (this.detail.transcripts || [])[0] || {};
    const d = this.detail;
    const name = { gene: (d.genes || [])[0]?.symbol || tx.symbol || "",
      hgvsc: tx.transcript ? `${tx.transcript}:${tx.hgvsc || ""}` : "", position: `${d.chromosome}:${d.vcf_pos} ${d.vcf_ref}>${d.vcf_alt}` };
    const status = r ? (r.status === "Done" ? (r.finalized ? "Finalized" : "Done") : r.status) : "No interpretation yet";
    const buttons = [];
    if (!r || r.status === "Not started") {
      buttons.push(h("button", { type: "button", class: "primary", id: "start", onclick: () => this.act("start") },
        r && r.workflow_status === "Review" ? "Start review" : "Start"));
    } else if (r.status === "Ongoing" && !this.editable) {
      buttons.push(h("button", { type: "button", id: "reassign", onclick: () => this.reassign() }, "Reassign to me"));
    } else if (r.status === "Done") {
      buttons.push(h("button", { type: "button", id: "reopen", onclick: () => this.act("reopen") }, "Reopen"));
    }
    if (this.editable) {
      buttons.push(h("button", { type: "button", id: "save", disabled: !this.dirty, onclick: () => this.save(),
        title: "Save (Ctrl+S)" }, this.dirty ? "Save" : "Saved"));
      buttons.push(h("button", { type: "button", class: "primary", id: "finish", onclick: () => this.finishDialog() },
        "Finish"));
    }
    const logLabel = this.logCount ? `Work log (${this.logCount})` : "Work log";
    const logButton = h("button", { type: "button", id: "open-worklog", onclick: () => this.openLog() }, logLabel);
    // The panel is chosen per round: it can change while no round is under way (before START).
    const canChoose = !r || r.status === "Not started" || (r.status === "Done");
    const panelControl = canChoose ? this.panelSelect() : h("span", { class: "badge tag", id: "variant-panel" },
      `${this.panel.name} ${this.panel.version}`);
    replace(this.top,
      h("a", { href: "#/overview/variants", class: "muted", title: "Back to the variants worklist" }, "‹ Variants"),
      h("span", { class: "title", id: "variant-title" }, [name.gene, name.hgvsc].filter(Boolean).join(" ") || name.position),
      h("span", { class: "small muted mono" }, `${this.detail.genome_reference || "GRCh37"} ${name.position}`),
      panelControl,
      h("span", { class: "badge status", id: "workflow-status" }, r ? `${r.workflow_status} · ${status}` : status),
      r?.user && r.status === "Ongoing" ? h("span", { class: "small muted", id: "round-owner" }, `by ${userName(r.user)}`) : null,
      h("span", { class: "spacer" }),
      logButton,
      buttons);
  }

  panelSelect() {
    const select = h("select", { id: "variant-panel", "aria-label": "Gene panel" },
      h("option", { value: `${this.panel.name}\t${this.panel.version}`, selected: true },
        `${this.panel.name} ${this.panel.version}`));
    get("genepanels/").then((panels) => {
      for (const p of panels) {
        if (p.name === this.panel.name && p.version === this.panel.version) continue;
        select.append(h("option", { value: `${p.name}\t${p.version}` }, `${p.name} ${p.version}`));
      }
    }).catch(() => {});
    select.addEventListener("change", () => {
      const [name, version] = select.value.split("\t");
      navigate(variantPath(this.detail, { name, version }));
    });
    return select;
  }

  renderWarnings() {
    if (!this.warnings) return;
    const items = this.collisions.map((c) => h("li", null, c.type === "analysis"
      ? [h("a", { href: `#/workflows/analyses/${c.analysis_id}` }, c.analysis_name), ` (analysis, ${c.workflow_status})`]
      : `its own VARIANTS workflow (${c.workflow_status})`,
    c.user ? ` — ${userName(c.user)}` : " — waiting for the next user"));
    const analyses = this.analyses || [];
    replace(this.warnings, items.length ? h("div", { class: "alert warn", id: "collision-warning", role: "alert" },
      h("strong", null, "This variant is being worked on elsewhere: "),
      "a classification made here may change what they see.", h("ul", null, items)) : null,
    h("p", { class: "small muted", id: "variant-analyses" }, analyses.length ? ["In analyses: ",
      analyses.map((a, i) => [i ? ", " : "", h("a", { href: `#/workflows/analyses/${a.id}` }, a.name)])]
      : "In no analysis you may see."));
  }

  // ------------------------------------------------------------------ actions
  async save({ quiet = false } = {}) {
    if (!this.editable) return true;
    try {
      const saved = await patch(`${this.base}/interpretations/${this.round.id}/`, { state: this.state });
      this.rounds[this.rounds.length - 1] = saved;
      this.dirty = false;
      this.updateTopbar();
      if (!quiet) toast("Saved.");
      return true;
    } catch (err) {
      toast(`Not saved: ${err.message}`, "error", 8000);
      if (err instanceof ApiError && err.status === 409) await this.reload();
      return false;
    }
  }

  async act(action, { message } = {}) {
    try {
      if (this.dirty && !(await this.save({ quiet: true }))) return false;
      if (message) await post(`${this.base}/logs/`, { message });
      const body = action === "start" ? { gp_name: this.panel.name, gp_version: this.panel.version } : {};
      await post(`${this.base}/actions/${action}/`, body);
    } catch (err) {
      toast(err instanceof ApiError && err.status === 409 ? `Not possible now: ${err.message}` : err.message,
        "error", 8000);
      await this.reload();
      return false;
    }
    await this.reload();
    return true;
  }

  async reload() {
    await this.load();
    this.updateTopbar();
    this.renderWarnings();
    renderEvidence(this.content, this, this.detail);
    this.countLog();
  }

  reassign() {
    const owner = userName(this.round?.user) || "another user";
    const { close } = modal({
      title: "Reassign the variant",
      body: h("p", null, `${owner} is interpreting this variant. Take it over? Their unsaved work is lost.`),
      actions: [
        h("button", { type: "button", onclick: () => close() }, "Cancel"),
        h("button", { type: "button", class: "primary", id: "confirm-reassign",
          onclick: async () => { close(); await this.act("override"); } }, "Reassign to me"),
      ],
    });
  }

  finishDialog() {
    return finishDialog(this, {
      title: "Finish the variant",
      targets: FINISH_TARGETS,
      preferred: (allowed, status) => (allowed ? "finalize" : status === "Review" ? "markinterpretation" : "markreview"),
      finalizeHelp: "The variant is classified: the workflow is finalized.",
      finalizedText: "The variant is finalized.",
      noProblems: "classify the variant first",
      overview: "/overview/variants",
    });
  }

  // The work log (the analysis page's component): a top-bar button with the number of messages opens it.
  async countLog() {
    try {
      const { logs } = await get(`${this.base}/logs/`);
      this.logCount = logs.filter((e) => e.message).length;
    } catch (err) {
      this.logCount = null;
    }
    this.updateTopbar();
  }

  openLog() {
    const log = new WorkLog(this.base, { onChange: async () => { await this.countLog(); } });
    let close = () => {};
    ({ close } = modal({
      title: "Work log",
      body: h("div", { id: "variant-worklog" }, log.messageForm(), log.box),
      actions: [h("button", { type: "button", id: "close-worklog", onclick: () => close() }, "Close")],
    }));
    log.refresh();
  }
}
