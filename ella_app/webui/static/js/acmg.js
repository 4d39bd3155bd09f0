// ACMG/AMP criteria (Richards et al. 2015) as ELLA offers them: code, side, default strength, short text.
export const CRITERIA = [
  ["PVS1", "Null variant (nonsense, frameshift, canonical ±1/2 splice, initiation codon, deletion) in a LOF gene"],
  ["PS1", "Same amino acid change as an established pathogenic variant"],
  ["PS2", "De novo (maternity and paternity confirmed) in a patient with the disease"],
  ["PS3", "Well-established functional studies show a damaging effect"],
  ["PS4", "Prevalence in affected individuals significantly increased over controls"],
  ["PM1", "Located in a mutational hot spot or critical functional domain"],
  ["PM2", "Absent from controls (or extremely low frequency if recessive)"],
  ["PM3", "For recessive disorders, detected in trans with a pathogenic variant"],
  ["PM4", "Protein length change (in-frame indel, stop-loss)"],
  ["PM5", "Novel missense change at a residue where a different pathogenic missense change is known"],
  ["PM6", "Assumed de novo, without confirmation of paternity and maternity"],
  ["PP1", "Co-segregation with disease in multiple affected family members"],
  ["PP2", "Missense variant in a gene with a low rate of benign missense variation"],
  ["PP3", "Multiple computational lines of evidence support a deleterious effect"],
  ["PP4", "Patient's phenotype or family history highly specific for the gene's disease"],
  ["PP5", "Reputable source reports the variant as pathogenic"],
  ["BA1", "Allele frequency above 5% in population databases"],
  ["BS1", "Allele frequency greater than expected for the disorder"],
  ["BS2", "Observed in a healthy adult with full penetrance expected at an early age"],
  ["BS3", "Well-established functional studies show no damaging effect"],
  ["BS4", "Lack of segregation in affected members of a family"],
  ["BP1", "Missense variant in a gene where primarily truncating variants cause disease"],
  ["BP2", "Observed in trans with a pathogenic variant (dominant) or in cis"],
  ["BP3", "In-frame indel in a repetitive region without known function"],
  ["BP4", "Multiple computational lines of evidence suggest no impact"],
  ["BP5", "Variant found in a case with an alternate molecular basis for disease"],
  ["BP6", "Reputable source reports the variant as benign"],
  ["BP7", "Synonymous variant with no predicted splice impact"],
];
// OTHER: a criterion outside ACMG (e.g. a gene-specific guideline); kept with the classification, never counted.
export const OTHER = ["OTHER", "Other evidence, not an ACMG criterion (not counted for the suggested class)"];
export const TEXT = Object.fromEntries([...CRITERIA, OTHER]);
export const PATHOGENIC_STRENGTHS = ["PVS", "PS", "PM", "PP"];
export const BENIGN_STRENGTHS = ["BA", "BS", "BP"];

export function baseStrength(code) {
  return code.replace(/\d+$/, "");
}

export function isPathogenic(code) {
  return PATHOGENIC_STRENGTHS.includes(baseStrength(code));
}

export function isBenign(code) {
  return BENIGN_STRENGTHS.includes(baseStrength(code));
}

// The strengths a criterion can be given, strongest first, ending with "not weighted" (PNW/BNW: documented but
// not counted for the class); OTHER has none.
export function strengthsFor(code) {
  if (code === "OTHER") return ["OTHER"];
  return isPathogenic(code) ? [...PATHOGENIC_STRENGTHS, "PNW"] : [...BENIGN_STRENGTHS, "BNW"];
}

export function strengthName(strength) {
  return { PVS: "very strong", PS: "strong", PM: "moderate", PP: "supporting", BA: "stand-alone", BS: "strong",
    BP: "supporting", PNW: "not weighted", BNW: "not weighted", OTHER: "other" }[strength] || strength;
}

// "PSxPM1" → {base: "PM1", strength: "PS"}; "PM2" → {base: "PM2", strength: "PM"}; "PNWxPM2" → not weighted.
export function parseCode(code) {
  if (code === "OTHER") return { base: "OTHER", strength: "OTHER" };
  const m = /^(?:(PVS|PS|PM|PP|BA|BS|BP|PNW|BNW)x)?([A-Z]+\d)$/.exec(code || "");
  if (!m) return { base: code, strength: baseStrength(code || "") };
  return { base: m[2], strength: m[1] || baseStrength(m[2]) };
}

export function label(criterion) {
  const base = criterion.base || parseCode(criterion.code).base;
  const strength = criterion.strength || parseCode(criterion.code).strength;
  return strength === baseStrength(base) || base === "OTHER" ? base : `${strength}x${base}`;
}
