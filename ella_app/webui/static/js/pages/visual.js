// VISUAL mode (feature U11): igv.js (vendored from npm, served by us) with the analysis' variants, the gene panel
// and the tracks of the IGV track config (GET api/v1/igv/tracks/<analysis id>/), presets and track selection.
// Nothing is fetched from outside: the reference comes from config igv.reference (served at api/v1/igv/), and
// igv.js' default genome list is switched off.
import { get } from "../api.js";
import { h, replace, toast } from "../dom.js";
import { session } from "../session.js";
import { classTag, geneOf } from "./variantlist.js";

const DYNAMIC_FORMATS = {
  "DYNAMIC/variants": { format: "vcf", type: "variant", color: "#1f5f8b" },
  "DYNAMIC/classifications": { format: "vcf", type: "variant", color: "#c62828" },
  "DYNAMIC/genepanel": { format: "bed", type: "annotation", displayMode: "EXPANDED", color: "#2e7d32" },
  "DYNAMIC/regions_of_interest": { format: "bed", type: "annotation" },
};

function igvTrack(track) {
  const config = { ...(DYNAMIC_FORMATS[track.id] || {}), ...track.igv };
  config.name = config.name || track.id;
  if (!config.indexURL) config.indexed = false;
  if (!config.type) config.type = config.format === "vcf" ? "variant" : /bam|cram/.test(config.format || "") ? "alignment" : "annotation";
  return config;
}

function locusOf(allele) {
  const start = allele.start_position ?? allele.vcf_pos - 1;
  const end = allele.open_end_position ?? allele.vcf_pos;
  return `${allele.chromosome}:${Math.max(1, start - 40)}-${end + 40}`;
}

export async function renderVisual(body, wf) {
  const alleles = wf.result.alleles;
  const reference = session.config?.igv?.reference;
  const container = h("div", { id: "igv-container", "aria-label": "IGV genome browser" });
  const trackBox = h("div", { id: "igv-tracks" });
  const presetSelect = h("select", { id: "igv-preset", "aria-label": "Track preset" });
  let current = alleles.find((a) => a.id === wf.selectedId) || alleles[0];
  const list = h("ul", { class: "vlist", id: "visual-variants" }, alleles.map((a) => h("li", {
    class: "vitem", tabindex: "0", "data-allele-id": a.id, "aria-selected": String(a === current),
    onclick: () => goTo(a), onkeydown: (e) => { if (e.key === "Enter") goTo(a); },
  }, h("span", { class: "gene" }, geneOf(a)), h("span", null, classTag(a)),
  h("span", { class: "hgvs" }, (a.transcripts || [])[0]?.hgvsc || `${a.chromosome}:${a.vcf_pos}`))));
  replace(body,
    h("aside", { class: "sidebar", "aria-label": "Visual mode" },
      h("label", { for: "igv-preset", style: { marginTop: 0 } }, "Preset"), presetSelect,
      h("label", null, "Tracks"), trackBox,
      h("label", null, `Variants (${alleles.length})`), list),
    h("div", { class: "content", style: { padding: ".5rem" } }, container));

  if (!reference || !reference.fastaURL) {
    replace(container, h("div", { class: "alert warn" }, "No IGV reference is configured (ella_config.yml igv.reference)."));
    return null;
  }
  let tracks = [];
  try {
    tracks = await get(`igv/tracks/${wf.analysisId}/`, { allele_ids: alleles.map((a) => a.id).join(",") });
  } catch (err) {
    toast(`The IGV tracks cannot be loaded: ${err.message}`, "error");
  }
  const { default: igv } = await import("../../vendor/igv/igv.esm.min.js");
  const presets = [...new Set(tracks.flatMap((t) => t.presets || []))];
  replace(presetSelect, h("option", { value: "" }, "Tracks shown by default"), presets.map((p) => h("option", { value: p }, p)));
  const shown = new Set(tracks.filter((t) => t.show).map((t) => t.id));
  const roi = tracks.filter((t) => t.type === "roi" && shown.has(t.id)).map((t) => ({ url: t.igv.url, name: t.igv.name, indexed: false }));
  const browser = await igv.createBrowser(container, {
    reference: {
      id: "GRCh37", name: "GRCh37",
      fastaURL: reference.fastaURL, indexURL: reference.indexURL || `${reference.fastaURL}.fai`,
      cytobandURL: reference.cytobandURL,
    },
    loadDefaultGenomes: false,
    locus: current ? locusOf(current) : undefined,
    tracks: tracks.filter((t) => t.type !== "roi" && shown.has(t.id)).map(igvTrack),
    roi,
    showCenterGuide: true,
    showNavigation: true,
    showCursorTrackingGuide: false,
  });

  const checkboxes = tracks.filter((t) => t.type !== "roi").map((t) => {
    const box = h("input", { type: "checkbox", checked: shown.has(t.id), "data-track": t.id });
    box.addEventListener("change", () => setShown(t, box.checked));
    return h("label", { class: "choice small", title: t.description || t.id }, box, h("span", null, igvTrack(t).name));
  });
  replace(trackBox, checkboxes.length ? checkboxes : h("p", { class: "empty small" }, "No tracks are configured."));

  async function setShown(track, on) {
    const config = igvTrack(track);
    if (on && !shown.has(track.id)) {
      shown.add(track.id);
      await browser.loadTrack(config);
    } else if (!on && shown.has(track.id)) {
      shown.delete(track.id);
      browser.removeTrackByName(config.name);
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
    browser.search(locusOf(allele));
  }
  container.dataset.ready = "true";
  return { destroy: () => igv.removeBrowser(browser) };
}
