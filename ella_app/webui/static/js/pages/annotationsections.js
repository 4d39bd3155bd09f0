// Evidence sections of issue 13 part 4 (ELLA's Prediction and Region sections, ella-features U07): what the
// annotation holds about the variant's effect (consequence and impact per transcript, amino acids and codons,
// SIFT / PolyPhen / splice predictions when the annotation has them) and about where it lies (exon or intron
// number, distance to the nearest splice site or to the coding region, last exon, repeat regions). A value the
// annotation does not hold is shown as "not in the annotation", never as an empty cell.
import { get } from "../api.js";
import { h, replace } from "../dom.js";

export const MISSING = "not in the annotation";

function missing() {
  return h("span", { class: "muted small missing" }, MISSING);
}

function value(v) {
  if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return missing();
  if (Array.isArray(v)) return v.join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

// The transcripts to show: those of the gene panel, else the first few.
function shownTranscripts(detail) {
  const all = detail.annotation?.transcripts || [];
  const panel = all.filter((t) => t.in_genepanel);
  return (panel.length ? panel : all).slice(0, 4);
}

// Per-transcript prediction fields under the names an annotation may give them (VEP's and ELLA's).
const TRANSCRIPT_PREDICTIONS = [
  ["SIFT", ["sift", "SIFT"]],
  ["PolyPhen", ["polyphen", "PolyPhen"]],
];

function firstOf(object, keys) {
  for (const key of keys) {
    if (object && object[key] !== undefined && object[key] !== null && object[key] !== "") return object[key];
  }
  return undefined;
}

export function predictionSection(detail) {
  const transcripts = shownTranscripts(detail);
  const prediction = detail.annotation?.prediction;
  const other = prediction && typeof prediction === "object" ? Object.entries(prediction) : [];
  const splice = other.filter(([key]) => /splice|maxent|spliceai|dbscsnv/i.test(key));
  const rest = other.filter(([key]) => !/splice|maxent|spliceai|dbscsnv/i.test(key));
  const table = transcripts.length ? h("table", { id: "prediction-transcripts" },
    h("thead", null, h("tr", null, ["Transcript", "Consequence", "Impact", "Amino acids", "Codons",
      ...TRANSCRIPT_PREDICTIONS.map(([name]) => name)].map((t) => h("th", null, t)))),
    h("tbody", null, transcripts.map((t) => h("tr", null,
      h("td", { class: "mono small" }, t.transcript),
      h("td", { class: "small" }, value((t.consequences || []).map((c) => c.replace(/_/g, " ")))),
      h("td", { class: "small" }, value(t.impact)),
      h("td", { class: "small mono" }, value(t.amino_acids)),
      h("td", { class: "small mono" }, value(t.codons)),
      TRANSCRIPT_PREDICTIONS.map(([, keys]) => h("td", { class: "small" }, value(firstOf(t, keys))))))))
    : h("p", { class: "empty" }, "No transcript annotation.");
  const kv = (entries) => h("dl", { class: "kv small" }, entries.map(([k, v]) => [h("dt", null, k), h("dd", null, value(v))]));
  return h("section", { id: "evidence-prediction", "aria-label": "Prediction" },
    h("h3", null, "Prediction"), table,
    h("h4", { class: "small" }, "Splice predictions"),
    splice.length ? kv(splice) : h("p", { id: "prediction-splice" }, missing()),
    rest.length ? [h("h4", { class: "small" }, "Other predictions"), kv(rest)] : null);
}

// "c.67+2T>A" → {kind: "intron", offset: 2, side: "donor"}; "c.-356G>T" → 5' UTR 356 bp before the start codon.
export function hgvsPosition(hgvsc) {
  const m = /^(?:[^:]*:)?c\.([-*]?)(\d+)(?:([+-])(\d+))?(?:_|[A-Za-z>]|$)/.exec(hgvsc || "");
  if (!m) return null;
  const [, region, pos, sign, offset] = m;
  if (sign) return { kind: "intron", offset: Number(offset), side: sign === "+" ? "donor (5')" : "acceptor (3')" };
  if (region === "-") return { kind: "utr5", distance: Number(pos) };
  if (region === "*") return { kind: "utr3", distance: Number(pos) };
  return { kind: "coding" };
}

function numberOf(text) {
  const m = /^(\d+)\/(\d+)$/.exec(String(text || ""));
  return m ? { n: Number(m[1]), of: Number(m[2]) } : null;
}

export function regionSection(detail) {
  const transcripts = shownTranscripts(detail);
  const rows = transcripts.map((t) => {
    const exon = numberOf(t.exon);
    const intron = numberOf(t.intron);
    const position = hgvsPosition(t.HGVSc_short || t.HGVSc);
    let where = missing();
    if (exon) where = `exon ${exon.n} of ${exon.of}`;
    else if (intron) where = `intron ${intron.n} of ${intron.of}`;
    let splice = missing();
    if (t.exon_distance !== undefined && t.exon_distance !== null) splice = `${t.exon_distance} bp from the exon`;
    else if (position?.kind === "intron") splice = `${position.offset} bp into the intron, ${position.side} side`;
    else if (position?.kind === "utr5") splice = `5' UTR, ${position.distance} bp before the start codon`;
    else if (position?.kind === "utr3") splice = `3' UTR, ${position.distance} bp after the stop codon`;
    else if (position?.kind === "coding") splice = h("span", { class: "small" }, "in the coding sequence (", missing(), ")");
    const last = t.in_last_exon === "yes" || t.in_last_exon === "no" ? t.in_last_exon
      : exon ? (exon.n === exon.of ? "yes" : "no") : intron ? "no" : null;
    return h("tr", null,
      h("td", { class: "mono small" }, t.transcript),
      h("td", { class: "small" }, where),
      h("td", { class: "small" }, splice),
      h("td", { class: "small" }, value(last)));
  });
  return h("section", { id: "evidence-region", "aria-label": "Region" },
    h("h3", null, "Region"),
    rows.length ? h("table", { id: "region-transcripts" },
      h("thead", null, h("tr", null, ["Transcript", "Exon / intron", "Distance to splice site or coding region",
        "Last exon"].map((t) => h("th", null, t)))),
      h("tbody", null, rows)) : h("p", { class: "empty" }, "No transcript annotation."),
    h("dl", { class: "kv small" }, h("dt", null, "Repeat region"), repeatCell(detail)));
}

// ELLA has no repeat-region annotation from the pipeline: whether a variant lies in a repeat region is a manual
// prediction (custom annotation prediction.repeat: "repeat" / "non_repeat", its customannotationconfig.py), which
// its rules read (REQ_repeat, REQ_non_repeat → PM4, BP3). Shown from the variant's current custom annotation.
const REPEAT = { repeat: "Repeat region", non_repeat: "Non-repeat region" };

function repeatCell(detail) {
  const cell = h("dd", { id: "region-repeats", "aria-busy": "true" }, h("span", { class: "muted small" }, "…"));
  get("customannotations/", { q: JSON.stringify({ allele_id: [detail.id], date_superceeded: null }) })
    .then((found) => {
      const items = Array.isArray(found) ? found : found?.items || [];
      const repeat = items.map((c) => c.annotations?.prediction?.repeat).find((v) => v !== undefined && v !== null);
      replace(cell, repeat ? h("span", { "data-value": repeat }, REPEAT[repeat] || String(repeat),
        h("span", { class: "muted small" }, " (custom annotation)")) : missing());
    })
    .catch(() => replace(cell, missing()))
    .finally(() => cell.removeAttribute("aria-busy"));
  return cell;
}
