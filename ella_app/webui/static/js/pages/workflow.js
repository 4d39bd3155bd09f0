// The analysis workflow page (features U04–U08, U11, U12): top bar with INFO / CLASSIFICATION / REPORT / VISUAL,
// START / REASSIGN / SAVE / FINISH; the variant list with the filter config selector and the filtered-variants
// dialog; evidence and classification of the selected variant.
//
// The interpretation state is ELLA's: {filterconfig_id, manuallyAddedAlleles, allele: {<id>: {analysis:
// {verification, notrelevant}, alleleassessment: {classification, evaluation}, allelereport: {evaluation},
// report: {included}}}, report: {indicationscomment, comment}}. Edits change a local copy; SAVE (Ctrl+S) sends it.
import { ApiError, get, patch, post } from "../api.js";
import { fmtDateTime, h, modal, replace, toast } from "../dom.js";
import { finishDialog } from "../finish.js";
import { session } from "../session.js";
import { renderSidebar, repaintSidebar, scrollToAllele, sidebarOrder } from "./variantlist.js";
import { renderEvidence } from "./evidence.js";

const EAGER_ROWS = 1000; // up to this many variants shown, every row is fetched when the list loads
const ROWS_PER_REQUEST = 500; // the API's limit

const VIEWS = [["info", "Info"], ["classification", "Classification"], ["quick", "Quick"], ["report", "Report"],
  ["visual", "Visual"]];
export const FINISH_TARGETS = [
  ["marknotready", "Not ready", "Something must be fixed before the analysis can be interpreted."],
  ["markinterpretation", "Interpretation", "Send it back for (more) interpretation."],
  ["markreview", "Review", "Interpretation is done: a colleague reviews it."],
  ["markmedicalreview", "Medical review", "Ready for the medical doctor's review."],
];

let wf = null; // the controller of the page on screen

export function canLeave(nextPath) {
  if (!wf || !wf.dirty) return true;
  return Boolean(nextPath && nextPath.startsWith(`/workflows/analyses/${wf.analysisId}`)
    && /^(\/|$)/.test(nextPath.slice(`/workflows/analyses/${wf.analysisId}`.length)));
}

export function leave() {
  if (wf) wf.destroy();
  wf = null;
}

export async function render(main, params) {
  const view = params.view || "classification";
  if (wf && wf.analysisId === Number(params.id)) {
    // Switching views of the same analysis keeps the loaded data and unsaved edits.
    wf.attach(main, view);
    return;
  }
  if (wf) wf.destroy();
  wf = new Workflow(Number(params.id));
  await wf.load();
  wf.attach(main, view);
}

class Workflow {
  constructor(analysisId) {
    this.analysisId = analysisId;
    this.view = "classification";
    this.dirty = false;
    this.details = new Map();
    this.rows = new Map(); // allele id -> row of the variant list (for the current filter result)
    this.rowsVersion = 0;
    this.ids = { allele_ids: [], excluded_allele_ids: {}, classifications: {} };
    this.selectedId = null;
    this.onKey = (e) => this.keydown(e);
    document.addEventListener("keydown", this.onKey);
  }

  destroy() {
    document.removeEventListener("keydown", this.onKey);
    if (this.visual && this.visual.destroy) this.visual.destroy();
  }

  get base() { return `workflows/analyses/${this.analysisId}`; }
  get round() { return this.rounds[this.rounds.length - 1]; }
  get editable() {
    const r = this.round;
    return Boolean(r && r.status === "Ongoing" && r.user && session.user && r.user.id === session.user.id);
  }
  get filterconfigId() { return this.state.filterconfig_id || null; }

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

  // ---------------------------------------------------------------------------------------- loading

  async load({ keepState = false } = {}) {
    const [analysis, rounds, filterconfigs] = await Promise.all([
      get(`analyses/${this.analysisId}/`),
      get(`${this.base}/interpretations/`),
      get(`${this.base}/filterconfigs/`).catch(() => []),
    ]);
    this.analysis = analysis;
    this.rounds = rounds;
    this.filterconfigs = filterconfigs;
    if (!keepState) {
      this.state = structuredClone(this.round?.state || {});
      this.dirty = false;
    }
    if (!this.state.filterconfig_id || !filterconfigs.some((f) => f.id === this.state.filterconfig_id)) {
      const chosen = filterconfigs.find((f) => f.default) || filterconfigs[0];
      if (chosen) this.state.filterconfig_id = chosen.id;
    }
    await this.loadAlleles();
  }

  // The filter result as the other views use it: the API's ids, and the rows of the variants shown that are
  // loaded (all of them up to EAGER_ROWS; beyond, those in view, the selected one and the classified ones).
  get result() {
    const wf = this;
    return { ...this.ids, get alleles() { return wf.ids.allele_ids.map((id) => wf.rows.get(id)).filter(Boolean); } };
  }

  async loadAlleles() {
    this.rows = new Map();
    this.rowsVersion += 1;
    this.details.clear();
    if (!this.round) {
      this.ids = { allele_ids: [], excluded_allele_ids: {}, classifications: {} };
      this.selectedId = null;
      return;
    }
    this.ids = await get(`${this.base}/interpretations/${this.round.id}/filteredalleles/`,
      { filterconfig_id: this.filterconfigId });
    // The first variant selected is the first one of the side bar (sections first, then genomic order).
    const order = sidebarOrder(this);
    if (!order.includes(this.selectedId)) this.selectedId = order[0] ?? null;
    const shown = this.ids.allele_ids;
    const wanted = shown.length <= EAGER_ROWS ? shown
      : [...order.slice(0, 100), ...Object.keys(this.ids.classifications || {}).map(Number), this.selectedId];
    await this.ensureRows(wanted.filter((id) => id !== null));
  }

  // Rows of the variant list for these ids (fetched in requests of ROWS_PER_REQUEST; not kept).
  async fetchRows(ids) {
    const found = new Map();
    const chunks = [];
    for (let i = 0; i < ids.length; i += ROWS_PER_REQUEST) chunks.push(ids.slice(i, i + ROWS_PER_REQUEST));
    const path = `${this.base}/interpretations/${this.round.id}/alleles/`;
    const answers = await Promise.all(chunks.map((chunk) =>
      get(path, { allele_ids: chunk.join(","), filterconfig_id: this.filterconfigId })));
    for (const row of answers.flat()) found.set(row.id, row);
    return found;
  }

  // Make sure the rows of these ids are loaded (each id asked for once while its request runs).
  async ensureRows(ids) {
    this.inflight = this.inflight || new Map();
    const version = this.rowsVersion;
    const missing = [...new Set(ids)].filter((id) => !this.rows.has(id) && !this.inflight.has(id));
    const waiting = [...new Set(ids)].map((id) => this.inflight.get(id)).filter(Boolean);
    if (missing.length) {
      const request = this.fetchRows(missing).then((found) => {
        if (version === this.rowsVersion) {
          for (const [id, row] of found) this.rows.set(id, row);
        }
      }).finally(() => { for (const id of missing) this.inflight.delete(id); });
      for (const id of missing) this.inflight.set(id, request);
      waiting.push(request);
    }
    await Promise.all(waiting);
  }

  async detail(alleleId) {
    if (!this.details.has(alleleId)) {
      this.details.set(alleleId, await get(`alleles/${alleleId}/`, { analysis_id: this.analysisId }));
    }
    return this.details.get(alleleId);
  }

  // ---------------------------------------------------------------------------------------- layout

  attach(main, view) {
    this.view = view;
    this.main = main;
    if (this.visual && this.visual.destroy) this.visual.destroy();
    this.visual = null;
    main.className = "full";
    this.top = h("div", { class: "wf-top" });
    this.body = h("div", { class: "wf-body" });
    replace(main, h("div", { class: "wf", id: "workflow" }, this.top, this.body));
    this.updateTopbar();
    this.renderView();
  }

  updateTopbar() {
    if (!this.top) return;
    const a = this.analysis;
    const r = this.round;
    const owner = r?.user ? `${r.user.first_name || ""} ${r.user.last_name || ""}`.trim() || r.user.username : null;
    const status = r ? (r.status === "Done" ? (r.finalized ? "Finalized" : "Done") : r.status) : "No interpretation";
    const buttons = [];
    if (r && r.status === "Not started") {
      buttons.push(h("button", { type: "button", class: "primary", id: "start", onclick: () => this.act("start") },
        r.workflow_status === "Review" || r.workflow_status === "Medical review" ? "Start review" : "Start"));
    } else if (r && r.status === "Ongoing" && !this.editable) {
      buttons.push(h("button", { type: "button", id: "reassign", onclick: () => this.reassign() }, "Reassign to me"));
    } else if (r && r.status === "Done") {
      buttons.push(h("button", { type: "button", id: "reopen", onclick: () => this.act("reopen") }, "Reopen"));
    }
    if (this.editable) {
      buttons.push(h("button", { type: "button", id: "save", disabled: !this.dirty, onclick: () => this.save(),
        title: "Save (Ctrl+S)" }, this.dirty ? "Save" : "Saved"));
      buttons.push(h("button", { type: "button", class: "primary", id: "finish", onclick: () => this.finishDialog() },
        "Finish"));
    }
    replace(this.top,
      h("a", { href: "#/overview/analyses", class: "muted", title: "Back to the overview" }, "‹ Overview"),
      h("span", { class: "title", id: "analysis-name" }, a.name),
      h("span", { class: "badge tag" }, `${a.genepanel.name} ${a.genepanel.version}`),
      h("span", { class: "badge status", id: "workflow-status" },
        r ? `${r.workflow_status} · ${status}` : status),
      owner && r.status === "Ongoing" ? h("span", { class: "small muted" }, `by ${owner}`) : null,
      h("nav", { class: "tabs", "aria-label": "Views" }, VIEWS.map(([key, label]) =>
        h("a", { href: `#/workflows/analyses/${this.analysisId}/${key}`, "aria-current": key === this.view ? "page" : null,
          "data-view": key }, label))),
      h("span", { class: "spacer" }),
      buttons);
  }

  async renderView() {
    const body = this.body;
    this.quick = null;
    body.className = "wf-body";
    try {
      if (this.view === "info") {
        body.classList.add("single");
        const { renderInfo } = await import("./info.js");
        await renderInfo(body, this);
      } else if (this.view === "report") {
        body.classList.add("single");
        const { renderReport } = await import("./report.js");
        await renderReport(body, this);
      } else if (this.view === "quick") {
        const { renderQuick } = await import("./quick.js");
        this.quick = await renderQuick(body, this);
      } else if (this.view === "visual") {
        const { renderVisual } = await import("./visual.js");
        this.visual = await renderVisual(body, this);
      } else {
        this.sidebar = h("aside", { class: "sidebar", "aria-label": "Variants" });
        this.content = h("div", { class: "content", id: "variant-content" });
        replace(body, this.sidebar, this.content);
        renderSidebar(this.sidebar, this);
        await this.renderSelected();
      }
    } catch (err) {
      replace(body, h("div", { class: "content" }, h("div", { class: "alert error", role: "alert" }, err.message)));
    }
  }

  async renderSelected() {
    if (!this.content) return;
    if (this.selectedId === null) {
      replace(this.content, h("p", { class: "empty" }, this.ids.allele_ids.length === 0
        ? "No variants pass the filter. Open the filtered variants to re-include one." : "Select a variant."));
      return;
    }
    const id = this.selectedId;
    replace(this.content, h("p", { class: "muted" }, "Loading the variant…"));
    const detail = await this.detail(id);
    if (id !== this.selectedId) return;
    renderEvidence(this.content, this, detail);
  }

  select(alleleId) {
    this.selectedId = alleleId;
    if (this.sidebar) {
      scrollToAllele(this.sidebar, this, alleleId);
      repaintSidebar(this.sidebar, this);
    }
    this.renderSelected();
  }

  refreshSidebar() {
    if (this.sidebar) renderSidebar(this.sidebar, this);
  }

  keydown(e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") {
      e.preventDefault();
      if (this.editable && this.dirty) this.save();
      return;
    }
    if (this.view === "quick" && this.quick) {
      this.quick.keydown(e);
      return;
    }
    if (this.view !== "classification" || document.querySelector("dialog[open]")) return;
    if (/INPUT|TEXTAREA|SELECT/.test(e.target.tagName) || e.altKey || e.ctrlKey || e.metaKey) return;
    const order = this.sidebarOrder || [];
    const index = order.indexOf(this.selectedId);
    if ((e.key === "ArrowDown" || e.key === "j") && index < order.length - 1) {
      e.preventDefault();
      this.select(order[index + 1]);
    } else if ((e.key === "ArrowUp" || e.key === "k") && index > 0) {
      e.preventDefault();
      this.select(order[index - 1]);
    }
  }

  // ---------------------------------------------------------------------------------------- actions

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
      if (err instanceof ApiError && err.status === 409) {
        // Someone else took the round over (or it was finished): show who has it; keep the unsaved edits on
        // screen (read only) so that nothing is lost silently.
        this.rounds = await get(`${this.base}/interpretations/`);
        this.updateTopbar();
        if (this.view === "classification") await this.renderSelected();
      }
      return false;
    }
  }

  // Filter config or re-included variants changed: save (when it is the user's round) and reload the list.
  async refilter() {
    if (this.editable && !(await this.save({ quiet: true }))) return;
    await this.loadAlleles();
    if (this.view === "classification") {
      this.refreshSidebar();
      await this.renderSelected();
    } else {
      this.renderView();
    }
  }

  async act(action, { message } = {}) {
    try {
      if (this.dirty && !(await this.save({ quiet: true }))) return false;
      if (message) await post(`${this.base}/logs/`, { message });
      const body = this.filterconfigId ? { filterconfig_id: this.filterconfigId } : {};
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

  async reassign() {
    const owner = this.round?.user?.username || "another user";
    const { close } = modal({
      title: "Reassign the analysis",
      body: h("p", null, `The analysis is being interpreted by ${owner}. Take it over? Their unsaved work is lost.`),
      actions: [
        h("button", { type: "button", onclick: () => close() }, "Cancel"),
        h("button", { type: "button", class: "primary", id: "confirm-reassign",
          onclick: async () => { close(); await this.act("override"); } }, "Reassign to me"),
      ],
    });
  }

  async reload() {
    await this.load();
    this.updateTopbar();
    await this.renderView();
  }

  finishDialog() {
    return finishDialog(this, {
      title: "Finish the interpretation",
      targets: FINISH_TARGETS,
      query: { filterconfig_id: this.filterconfigId },
      preferred: (allowed, status) => (allowed ? "finalize" : status === "Review" ? "markmedicalreview" : "markreview"),
      finalizeHelp: "The interpretation is complete: the analysis is finalized.",
      finalizedText: "The analysis is finalized.",
      noProblems: "the finalize requirements are not met",
      selectVariant: (alleleId) => this.select(alleleId),
      overview: "/overview/analyses",
    });
  }
}

export function userName(user) {
  if (!user) return "";
  return `${user.first_name || ""} ${user.last_name || ""}`.trim() || user.username;
}

export function when(iso) {
  return fmtDateTime(iso);
}
