// IMPORT page (feature U15): order annotation jobs — pasted variants (or a text file) as a new analysis, appended
// to an analysis, or as single variants; a sample of the annotation service's sample repository as an analysis —
// and follow them (active jobs and history, refreshed every few seconds) to the analysis. The server checks
// everything (api/v1/import/service/jobs/); the page shows its message as it is, with the line it names.
import { ApiError, get, paged, patch, post, request } from "../api.js";
import { fmtDateTime, h, replace, toast } from "../dom.js";
import { priorityName, session } from "../session.js";

const JOBS = "import/service/jobs/";
const ACTIVE = ["SUBMITTED", "RUNNING", "ANNOTATED"];
const FINISHED = ["DONE", "CANCELLED", "FAILED (SUBMISSION)", "FAILED (ANNOTATION)", "FAILED (PROCESSING)",
  "FAILED (DEPOSIT)"];
const REFRESH_MS = 3000;
// the overview tabs (section, title); the title gives the section in lower case
const OVERVIEW_TABS = ["Analyses", "Variants", "Import"].map((title) => [title.toLowerCase(), title]);
const HISTORY_PER_PAGE = 10;
const STATUS_WORDS = {
  SUBMITTED: "waiting to be sent to the annotation service",
  RUNNING: "being annotated",
  ANNOTATED: "annotated; being imported",
  DONE: "done",
  CANCELLED: "cancelled",
  "FAILED (SUBMISSION)": "the annotation service did not accept the job",
  "FAILED (ANNOTATION)": "the annotation failed",
  "FAILED (PROCESSING)": "the annotated result could not be fetched",
  "FAILED (DEPOSIT)": "the annotated variants could not be imported",
};

let timer = null;
let historyPage = 1;

export function leave() {
  if (timer) clearInterval(timer);
  timer = null;
}

// A paste with "-name" lines is a batch: one job per block, named by its line.
export function splitBatch(text) {
  const blocks = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("-")) {
      blocks.push({ name: line.replace(/^-+/, "").trim(), lines: [line] });
    } else if (line.trim()) {
      if (!blocks.length) blocks.push({ name: null, lines: [] });
      blocks[blocks.length - 1].lines.push(line);
    } else if (blocks.length) {
      blocks[blocks.length - 1].lines.push(line);
    }
  }
  return blocks.map((b) => ({ name: b.name, data: b.lines.join("\n") }));
}

function field(label, control, hint) {
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control,
    hint ? h("div", { class: "small muted" }, hint) : null);
}

function select(id, options, value) {
  return h("select", { id }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

function errorBox(id) {
  return h("div", { id, class: "alert error hidden", role: "alert", style: { whiteSpace: "pre-wrap" } });
}

function showError(box, err) {
  box.classList.remove("hidden");
  replace(box, err instanceof ApiError ? err.message : String(err.message || err));
}

export async function render(main) {
  leave();
  const [panels, running] = await Promise.all([
    get("genepanels/"),
    get("import/service/running/").catch(() => ({ running: false })),
  ]);
  const panelOptions = panels.map((p) => [`${p.name}\t${p.version}`, `${p.name} ${p.version}`]);
  const serviceState = h("p", { id: "service-state", class: running.running ? "muted" : "alert warn" },
    running.running ? "Annotation service: running."
      : "The annotation service does not answer: jobs wait until it is back.");

  const pasteCard = renderPaste(panelOptions);
  const sampleCard = renderSample(panelOptions);
  const sourceTabs = h("div", { class: "tabs", role: "tablist" },
    h("button", { type: "button", role: "tab", id: "tab-paste", "aria-selected": "true" }, "Variants"),
    h("button", { type: "button", role: "tab", id: "tab-sample", "aria-selected": "false" }, "Sample repository"));
  sampleCard.hidden = true;
  for (const [tab, card, other, otherCard] of [
    ["#tab-paste", pasteCard, "#tab-sample", sampleCard], ["#tab-sample", sampleCard, "#tab-paste", pasteCard]]) {
    sourceTabs.querySelector(tab).addEventListener("click", () => {
      card.hidden = false;
      otherCard.hidden = true;
      sourceTabs.querySelector(tab).setAttribute("aria-selected", "true");
      sourceTabs.querySelector(other).setAttribute("aria-selected", "false");
    });
  }
  const active = h("div", { id: "import-active" }, h("p", { class: "muted" }, "Loading…"));
  const history = h("div", { id: "import-history" }, h("p", { class: "muted" }, "Loading…"));
  main.append(
    h("div", { class: "tabs", role: "tablist" }, OVERVIEW_TABS.map(([section, title]) =>
      h("a", { href: `#/overview/${section}`, role: "tab", "aria-selected": String(title === "Import") }, title))),
    h("h1", null, "Import"), serviceState, sourceTabs, pasteCard, sampleCard,
    h("section", { class: "section", "aria-label": "Active imports" }, h("h2", null, "Active imports"), active),
    h("section", { class: "section", "aria-label": "Import history" }, h("h2", null, "History"), history));
  const refresh = () => loadJobs(active, history);
  main.addEventListener("jobs-changed", refresh);
  await refresh();
  timer = setInterval(() => { if (document.contains(active)) refresh(); else leave(); }, REFRESH_MS);
}

// ------------------------------------------------------------------------------------------ ordering

function renderPaste(panelOptions) {
  const data = h("textarea", { id: "import-data", rows: "9", spellcheck: "false", style: { width: "100%",
    fontFamily: "monospace" }, placeholder: "13:32890607 G>T (het)\n13-32893344-A-G (hom)\nNM_000059.3:c.7397T>C (het)\n"
    + "VCF lines (tab-separated), or a batch: a line \"-Analysis-name\" before the variants of each sample" });
  const file = h("input", { type: "file", id: "import-file", accept: ".vcf,.txt,.tsv,text/plain" });
  const mode = select("import-mode", [["Analysis", "Analysis"], ["Variants", "Variants (no sample)"]], "Analysis");
  const type = select("import-type", [["Create", "Create a new analysis"], ["Append", "Append to an analysis"]],
    "Create");
  const name = h("input", { type: "text", id: "import-analysis-name", placeholder: "e.g. Diag-HBOC-123" });
  const append = h("input", { type: "text", id: "import-append-analysis", list: "import-analyses",
    placeholder: "start typing the analysis name" });
  const analyses = h("datalist", { id: "import-analyses" });
  const panel = select("import-genepanel", panelOptions, panelOptions[0]?.[0]);
  const technology = select("import-technology", [["HTS", "HTS"], ["Sanger", "Sanger"]], "HTS");
  const priority = select("import-priority", [1, 2, 3].map((p) => [String(p), priorityName(p)]), "1");
  const submit = h("button", { type: "submit", class: "primary", id: "import-submit" }, "Import");
  const error = errorBox("import-error");
  const createOnly = [field("Analysis name", name, "A batch names each analysis by its '-name' line."),
    field("Gene panel", panel), field("Priority", priority)].map((el) => { el.dataset.for = "create"; return el; });
  const appendOnly = field("Analysis", append, "The variants are added as a new sample; a finalized "
    + "interpretation is reopened.");
  appendOnly.dataset.for = "append";
  const form = h("form", { class: "card", id: "import-paste", "aria-label": "Import variants" },
    field("Variants", data, "One variant a line; (het) or (hom) gives the genotype an analysis needs."),
    h("div", { class: "row" }, file),
    h("div", { class: "row" }, field("Import as", mode), field("Analysis", type), field("Technology", technology)),
    h("div", { class: "row" }, ...createOnly, appendOnly, analyses),
    error, h("div", { class: "row" }, submit));

  const sync = () => {
    const isAnalysis = mode.value === "Analysis";
    type.disabled = !isAnalysis;
    const appendMode = isAnalysis && type.value === "Append";
    for (const el of createOnly) el.hidden = appendMode;
    createOnly[0].hidden = appendMode || !isAnalysis;
    createOnly[2].hidden = appendMode || !isAnalysis;
    appendOnly.hidden = !appendMode;
  };
  mode.addEventListener("change", sync);
  type.addEventListener("change", sync);
  sync();
  append.addEventListener("input", async () => {
    if (append.value.trim().length < 2) return;
    try {
      const found = await paged("analyses/", { name: append.value.trim(), per_page: 20 });
      replace(analyses, found.items.map((a) => h("option", { value: a.name },
        `${a.genepanel?.name || ""} ${a.genepanel?.version || ""}`)));
    } catch { /* the list is a convenience; the server checks the name */ }
  });
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    data.value = await chosen.text();
    if (!name.value) name.value = chosen.name.replace(/\.[^.]*$/, "");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.classList.add("hidden");
    const blocks = splitBatch(data.value);
    if (!blocks.length) { showError(error, "Paste at least one variant, or choose a file."); return; }
    const appendMode = mode.value === "Analysis" && type.value === "Append";
    if (blocks.length > 1 && appendMode) {
      showError(error, "Append takes the variants of one sample: remove the '-name' lines.");
      return;
    }
    const [gpName, gpVersion] = (panel.value || "\t").split("\t");
    const jobs = blocks.map((block) => {
      const properties = { sample_type: technology.value };
      const body = { mode: mode.value, data: block.data, properties };
      if (mode.value === "Analysis") {
        properties.create_or_append = type.value;
        if (appendMode) properties.analysis_name = append.value.trim();
        else {
          properties.analysis_name = blocks.length > 1 || !name.value.trim() ? block.name || name.value.trim()
            : name.value.trim();
          properties.priority = Number(priority.value);
        }
      }
      if (!appendMode) Object.assign(body, { genepanel_name: gpName, genepanel_version: gpVersion });
      return { block, body };
    });
    submit.disabled = true;
    try {
      // every block is checked before any is ordered: a batch is ordered whole or not at all
      for (const { block, body } of jobs) {
        try {
          await request(JOBS, { method: "POST", body, query: { validate_only: "true" } });
        } catch (err) {
          throw new Error(blocks.length > 1 ? `Block '${block.name || "(unnamed)"}': ${err.message}` : err.message);
        }
      }
      for (const { body } of jobs) await post(JOBS, body);
      toast(jobs.length > 1 ? `${jobs.length} import jobs created.` : "Import job created.", "info");
      data.value = "";
      form.dispatchEvent(new CustomEvent("jobs-changed", { bubbles: true }));
    } catch (err) {
      showError(error, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function renderSample(panelOptions) {
  const term = h("input", { type: "search", id: "sample-search", placeholder: "sample name" });
  const results = h("div", { id: "sample-results", class: "small" });
  const panel = select("sample-genepanel", panelOptions, panelOptions[0]?.[0]);
  const priority = select("sample-priority", [1, 2, 3].map((p) => [String(p), priorityName(p)]), "1");
  const submit = h("button", { type: "submit", class: "primary", id: "sample-submit", disabled: true },
    "Import sample");
  const error = errorBox("sample-error");
  // a custom (unofficial) panel: the chosen panel without some genes, shared with groups this group imports for
  const custom = h("input", { type: "checkbox", id: "sample-custom" });
  const customName = h("input", { type: "text", id: "custom-name", placeholder: "e.g. HBOC-BRCA2" });
  const customVersion = h("input", { type: "text", id: "custom-version", value: "v1" });
  const exclude = h("input", { type: "text", id: "custom-exclude", placeholder: "e.g. BRCA1, PALB2" });
  const groups = h("div", { id: "custom-groups", class: "row" });
  const customBox = h("div", { id: "custom-panel", hidden: true },
    h("div", { class: "row" }, field("Custom panel name", customName), field("Version", customVersion),
      field("Leave out genes", exclude, "Gene symbols, separated by commas.")),
    h("div", { class: "small muted" }, "Available to:"), groups);
  custom.addEventListener("change", async () => {
    customBox.hidden = !custom.checked;
    // the default name before any await: a name typed while the groups load must not be prefixed by it
    if (!customName.value) customName.value = `${(panel.value || "").split("\t")[0]}-custom`;
    if (custom.checked && !groups.childElementCount) {
      const names = await get("import/service/importgroups/").catch(() => []);
      const own = session.user?.group?.name;
      replace(groups, names.length ? names.map((n) => h("label", { class: "choice" },
        h("input", { type: "checkbox", name: "custom-group", value: n, checked: n === own }), ` ${n}`))
        : h("p", { class: "muted" }, "Your group may not make custom panels (it has no import groups)."));
    }
  });
  let chosen = null;
  const form = h("form", { class: "card", id: "import-sample", "aria-label": "Reanalyse a sample" },
    field("Search the sample repository", term), results,
    h("div", { class: "row" }, field("Gene panel", panel), field("Priority", priority)),
    h("label", null, custom, " Custom gene panel made from this one"), customBox, error,
    h("div", { class: "row" }, submit));
  let searching = 0;
  term.addEventListener("input", async () => {
    const mine = ++searching;
    if (term.value.trim().length < 2) { replace(results); return; }
    try {
      const found = await get("import/service/samples/", { term: term.value.trim(), limit: 20 });
      if (mine !== searching) return;
      replace(results, found.length ? found.map((s) => h("label", { class: "choice" },
        h("input", { type: "radio", name: "sample", value: s.name, onchange: () => {
          chosen = s.name;
          submit.disabled = false;
        } }), ` ${s.name}`)) : h("p", { class: "muted" }, "No sample with that name."));
    } catch (err) {
      if (mine === searching) showError(error, err);
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.classList.add("hidden");
    let [gpName, gpVersion] = (panel.value || "\t").split("\t");
    try {
      if (custom.checked) {
        const left = new Set(exclude.value.split(",").map((g) => g.trim().toUpperCase()).filter(Boolean));
        const base = await get(`genepanels/${encodeURIComponent(gpName)}/${encodeURIComponent(gpVersion)}/`);
        const genes = base.genes.filter((g) => !left.has(String(g.symbol).toUpperCase())).map((g) => ({
          hgnc_id: g.hgnc_id, inheritance: g.inheritance || "N/A",
          transcripts: g.transcripts.map((t) => ({ transcript_name: t.transcript_name })) }));
        const made = await post("genepanels/", { name: customName.value.trim(), version: customVersion.value.trim(),
          base: { name: gpName, version: gpVersion }, genes,
          usergroups: [...groups.querySelectorAll("input:checked")].map((i) => i.value) });
        [gpName, gpVersion] = [made.name, made.version];
        toast(`Gene panel ${made.name} ${made.version} created (${made.genes} genes).`, "info");
      }
      await post(JOBS, { sample_id: chosen, genepanel_name: gpName, genepanel_version: gpVersion,
        properties: { priority: Number(priority.value) } });
      toast(`Reanalysis of ${chosen} ordered.`, "info");
      form.dispatchEvent(new CustomEvent("jobs-changed", { bubbles: true }));
    } catch (err) {
      showError(error, err);
    }
  });
  return form;
}

// ------------------------------------------------------------------------------------------ following

function jobTitle(job) {
  const props = job.properties || {};
  if (job.sample_id) return `Sample ${job.sample_id}`;
  if (job.mode === "Analysis") {
    return props.create_or_append === "Append" ? `Append to ${props.analysis_name}` : `Analysis ${props.analysis_name}`;
  }
  const count = (job.data || "").split("\n").filter((l) => l.trim() && !l.startsWith("#")).length;
  return `${count} variant(s)`;
}

function jobRow(job, onChange) {
  const failed = job.status.startsWith("FAILED");
  const actions = [];
  if (ACTIVE.includes(job.status)) {
    actions.push(h("button", { type: "button", class: "danger", "data-action": "cancel", onclick: async () => {
      try { await request(`${JOBS}${job.id}/`, { method: "DELETE" }); toast("Import job cancelled.", "info"); }
      catch (err) { toast(err.message, "error"); }
      onChange();
    } }, "Cancel"));
  }
  if (failed || job.status === "CANCELLED") {
    actions.push(h("button", { type: "button", "data-action": "retry", onclick: async () => {
      try { await patch(`${JOBS}${job.id}/`, { status: "SUBMITTED" }); toast("Import job sent again.", "info"); }
      catch (err) { toast(err.message, "error"); }
      onChange();
    } }, "Retry"));
  }
  if (job.status === "DONE" && job.analysis_id) {
    actions.push(h("a", { class: "button", href: `#/workflows/analyses/${job.analysis_id}`, "data-action": "open" },
      "Open analysis"));
  }
  const steps = (job.status_history?.history || []).slice().reverse()
    .map((s) => `${fmtDateTime(s.time)} ${s.status}`).join("\n");
  const who = job.user ? (job.user.abbrev_name || job.user.username) : "";
  return h("tr", { "data-job-id": job.id, "data-status": job.status },
    h("td", { class: "small" }, fmtDateTime(job.date_submitted)),
    h("td", null, jobTitle(job)),
    h("td", null, job.genepanel_name ? `${job.genepanel_name} ${job.genepanel_version}` : ""),
    h("td", null, h("span", { class: `badge status${failed ? " warn" : ""}`, title: steps || null }, job.status),
      h("div", { class: "small muted" }, STATUS_WORDS[job.status] || "")),
    h("td", { class: "small job-message", style: { whiteSpace: "pre-wrap" } }, job.message || ""),
    h("td", { class: "small" }, who),
    h("td", null, actions));
}

function jobTable(jobs, onChange) {
  return h("table", { class: "worklist" },
    h("thead", null, h("tr", null, ["Submitted", "What", "Gene panel", "Status", "Message", "By", ""]
      .map((t) => h("th", null, t)))),
    h("tbody", null, jobs.map((j) => jobRow(j, onChange))));
}

async function loadJobs(activeBox, historyBox) {
  const onChange = () => loadJobs(activeBox, historyBox);
  try {
    const [active, history] = await Promise.all([
      paged(JOBS, { q: JSON.stringify({ status: ACTIVE }), per_page: 50 }),
      paged(JOBS, { q: JSON.stringify({ status: FINISHED }), per_page: HISTORY_PER_PAGE, page: historyPage }),
    ]);
    replace(activeBox, active.items.length ? jobTable(active.items, onChange)
      : h("p", { class: "empty" }, "No import is running."));
    const pager = history.pages > 1 ? h("div", { class: "pager" },
      h("button", { type: "button", disabled: history.page <= 1,
        onclick: () => { historyPage -= 1; onChange(); } }, "‹ Newer"),
      h("span", { class: "muted" }, `Page ${history.page} of ${history.pages}`),
      h("button", { type: "button", disabled: history.page >= history.pages,
        onclick: () => { historyPage += 1; onChange(); } }, "Older ›")) : null;
    replace(historyBox, history.items.length ? jobTable(history.items, onChange)
      : h("p", { class: "empty" }, "No finished imports yet."), pager);
  } catch (err) {
    replace(activeBox, h("div", { class: "alert error", role: "alert" }, `The import jobs cannot be loaded: ${err.message}`));
  }
}
