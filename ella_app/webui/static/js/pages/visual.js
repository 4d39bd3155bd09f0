// VISUAL mode (feature U11): igv.js (vendored from npm, served by us) with the analysis' variants, the gene panel
// and the tracks of the IGV track config (GET api/v1/igv/tracks/<analysis id>/), presets and track selection.
//
// Nothing leaves the server: the reference comes from config igv.reference (served at api/v1/igv/), igv.js'
// default genome list and its feature search web service are switched off, and before igv.js is loaded every
// XMLHttpRequest and fetch to another origin is refused in the page. (igv.js looks up a table on igv.org after
// any failed request, and offers BLAT and ClinVar look-ups on outside servers: none of them is ever sent.)
// Whatever goes wrong is shown inside the IGV pane; the variant list and the presets stay usable.
import { get } from "../api.js";
import { append, h, replace } from "../dom.js";
import { session } from "../session.js";
import { classTag, geneOf } from "./variantlist.js";

const DYNAMIC_FORMATS = {
  "DYNAMIC/variants": { format: "vcf", type: "variant", color: "#1f5f8b" },
  "DYNAMIC/classifications": { format: "vcf", type: "variant", color: "#c62828" },
  "DYNAMIC/genepanel": { format: "bed", type: "annotation", displayMode: "EXPANDED", color: "#2e7d32" },
  "DYNAMIC/regions_of_interest": { format: "bed", type: "annotation" },
};

// ------------------------------------------------------------------------------------------ same origin only

let guarded = false;

function sameOrigin(url) {
  try {
    const target = new URL(String(url instanceof Request ? url.url : url), document.baseURI);
    return target.origin === window.location.origin || target.protocol === "data:" || target.protocol === "blob:";
  } catch {
    return false;
  }
}

// Refuse, in this page, every XMLHttpRequest and fetch to another origin (idempotent). The refusal is an error
// the caller sees (igv.js shows it in its own alert, or ignores it for its optional look-ups).
export function refuseOtherOrigins() {
  if (guarded) return;
  guarded = true;
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function guardedOpen(method, url, ...rest) {
    if (!sameOrigin(url)) throw new Error(`Refused: ELLA sends no request to another server (${new URL(url, document.baseURI).origin}).`);
    return open.call(this, method, url, ...rest);
  };
  const fetchOriginal = window.fetch.bind(window);
  window.fetch = (resource, init) => (sameOrigin(resource) ? fetchOriginal(resource, init)
    : Promise.reject(new TypeError("Refused: ELLA sends no request to another server.")));
}

// ------------------------------------------------------------------------------------------ config

// igv.js' reference from config igv.reference: its keys are igv.js reference options (fastaURL, cytobandURL,
// indexURL, indexed, ...). An indexed FASTA (the default) has its index next to it (<fastaURL>.fai); with
// "indexed: false" the FASTA is read whole (the demo's small reference).
export function referenceConfig(reference) {
  const config = { id: "GRCh37", name: "GRCh37", ...reference };
  if (config.indexed === false) delete config.indexURL;
  else if (!config.indexURL) config.indexURL = `${config.fastaURL}.fai`;
  return config;
}

function igvTrack(track) {
  const config = { ...(DYNAMIC_FORMATS[track.id] || {}), ...track.igv };
  config.name = config.name || track.id;
  if (!config.indexURL) config.indexed = false;
  if (!config.type) config.type = config.format === "vcf" ? "variant" : /bam|cram/.test(config.format || "") ? "alignment" : "annotation";
  return config;
}

function roiSet(track) {
  return { name: track.igv.name || track.id, url: track.igv.url, format: "bed", indexed: false, color: track.igv.color || "rgba(31, 95, 139, 0.15)" };
}

function locusOf(allele) {
  const start = allele.start_position ?? allele.vcf_pos - 1;
  const end = allele.open_end_position ?? allele.vcf_pos;
  return `${allele.chromosome}:${Math.max(1, start - 40)}-${end + 40}`;
}

function errorText(err) {
  const text = err && (err.message || String(err));
  return text && text !== "[object Object]" ? text : "unknown error";
}

// ------------------------------------------------------------------------------------------ page

export async function renderVisual(body, wf) {
  const alleles = wf.result.alleles;
  const reference = session.config?.igv?.reference;
  const pane = h("div", { class: "content igv-pane", id: "igv-pane" });
  const status = h("div", { id: "igv-status", role: "status" });
  const container = h("div", { id: "igv-container", "aria-label": "IGV genome browser" });
  const trackBox = h("div", { id: "igv-tracks" }, h("p", { class: "muted small" }, "Loading…"));
  const presetSelect = h("select", { id: "igv-preset", "aria-label": "Track preset" });
  let current = alleles.find((a) => a.id === wf.selectedId) || alleles[0];
  let browser = null;
  let igv = null;
  const list = h("ul", { class: "vlist", id: "visual-variants" }, alleles.map((a) => h("li", {
    class: "vitem", tabindex: "0", "data-allele-id": a.id, "aria-selected": String(a === current),
    onclick: () => goTo(a), onkeydown: (e) => { if (e.key === "Enter") goTo(a); },
  }, h("span", { class: "gene" }, geneOf(a)), h("span", null, classTag(a)),
  h("span", { class: "hgvs" }, (a.transcripts || [])[0]?.hgvsc || `${a.chromosome}:${a.vcf_pos}`))));
  append(pane, [status, container]);
  replace(body,
    h("aside", { class: "sidebar", "aria-label": "Visual mode" },
      h("label", { for: "igv-preset", class: "first" }, "Preset"), presetSelect,
      h("label", null, "Tracks"), trackBox,
      h("label", null, `Variants (${alleles.length})`), list),
    pane);

  const fail = (message) => {
    container.remove();
    replace(trackBox, h("p", { class: "empty small" }, "No tracks: the genome browser is not available."));
    replace(status, h("div", { class: "alert error", id: "igv-error", role: "alert" }, message));
  };
  const warn = (message) => status.append(h("div", { class: "alert warn small" }, message));

  if (!reference || !reference.fastaURL) {
    fail("No IGV reference is configured (ella_config.yml igv.reference): visual mode needs a reference genome.");
    return null;
  }
  let tracks = [];
  try {
    tracks = await get(`igv/tracks/${wf.analysisId}/`, { allele_ids: alleles.map((a) => a.id).join(",") });
  } catch (err) {
    warn(`The track configuration cannot be loaded (${errorText(err)}): the reference is shown without tracks.`);
  }
  const shown = new Set(tracks.filter((t) => t.show).map((t) => t.id));
  const presets = [...new Set(tracks.flatMap((t) => t.presets || []))];
  replace(presetSelect, h("option", { value: "" }, "Tracks shown by default"), presets.map((p) => h("option", { value: p }, p)));

  refuseOtherOrigins();
  try {
    ({ default: igv } = await import("../../vendor/igv/igv.esm.min.js"));
    browser = await igv.createBrowser(container, {
      reference: referenceConfig(reference),
      loadDefaultGenomes: false,
      search: false,
      queryParametersSupported: false,
      locus: current ? locusOf(current) : undefined,
      tracks: tracks.filter((t) => t.type !== "roi" && shown.has(t.id)).map(igvTrack),
      roi: tracks.filter((t) => t.type === "roi" && shown.has(t.id)).map(roiSet),
      showCenterGuide: true,
      showNavigation: true,
      showCursorTrackingGuide: false,
    });
  } catch (err) {
    if (igv && browser) igv.removeBrowser(browser);
    fail(`The genome browser cannot be shown: ${errorText(err)}. Check igv.reference in ella_config.yml and the files in IGV_DATA.`);
    return null;
  }

  const checkboxes = tracks.filter((t) => t.type !== "roi").map((t) => {
    const box = h("input", { type: "checkbox", checked: shown.has(t.id), "data-track": t.id });
    box.addEventListener("change", () => setShown(t, box.checked));
    return h("label", { class: "choice small", title: t.description || t.id }, box, h("span", null, igvTrack(t).name));
  });
  replace(trackBox, checkboxes.length ? checkboxes : h("p", { class: "empty small" }, "No tracks are configured."));

  async function setShown(track, on) {
    const config = igvTrack(track);
    try {
      if (on && !shown.has(track.id)) {
        shown.add(track.id);
        await browser.loadTrack(config);
      } else if (!on && shown.has(track.id)) {
        shown.delete(track.id);
        browser.removeTrackByName(config.name);
      }
    } catch (err) {
      warn(`The track ${config.name} cannot be shown: ${errorText(err)}`);
    }
  }
  presetSelect.addEventListener("change", async () => {
    const preset = presetSelect.value;
    for (const t of tracks.filter((x) => x.type !== "roi")) {
      const on = preset ? (t.presets || []).includes(preset) : Boolean(t.show);
      const box = trackBox.querySelector(`input[data-track="${CSS.escape(t.id)}"]`);
      if (box) box.checked = on;
      await setShown(t, on);
    }
  });
  function goTo(allele) {
    current = allele;
    wf.selectedId = allele.id;
    for (const item of list.querySelectorAll(".vitem")) {
      item.setAttribute("aria-selected", String(Number(item.dataset.alleleId) === allele.id));
    }
    if (browser) browser.search(locusOf(allele)).catch((err) => warn(`Cannot go to the variant: ${errorText(err)}`));
  }
  container.dataset.ready = "true";
  return { destroy: () => igv.removeBrowser(browser) };
}
