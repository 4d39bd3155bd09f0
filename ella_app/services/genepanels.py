"""Depositing gene panels: genes upserted by HGNC id, transcripts shared between panels (keyed by name),
phenotypes shared on (gene, description, inheritance), the panel linking them.

Re-running a deposit changes nothing. A panel already in the database that differs from the files is left
alone unless ``replace`` is given; then its links are rebuilt and the shared gene, transcript and phenotype
rows it names are updated to match the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ella_app.db.models import Gene, GenePanel, GenePanelPhenotype, GenePanelTranscript, Phenotype, Transcript
from ella_app.formats.genepanel import GenePanelData, PhenotypeRecord, TranscriptRecord
from ella_app.services.results import ChangeReport, ProgressFn, no_progress

GENOME_REFERENCE = "GRCh37"
TRANSCRIPT_TYPE = "RefSeq"
PROGRESS_EVERY = 500


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated}


@dataclass
class _Stats:
    genes: _Counts = field(default_factory=_Counts)
    transcripts: _Counts = field(default_factory=_Counts)
    phenotypes: _Counts = field(default_factory=_Counts)


def deposit_genepanels(
    session: Session,
    panels: Sequence[GenePanelData],
    *,
    replace: bool = False,
    progress: ProgressFn = no_progress,
) -> ChangeReport:
    """Deposit each panel (in order) and report which panels were created, updated or left unchanged."""
    report = ChangeReport(kind="genepanel")
    stats = _Stats()
    for index, panel in enumerate(panels, start=1):
        _Deposit(session, panel, replace, progress, report, stats).run()
        if len(panels) > 1:
            progress("gene panels", index, len(panels))
    report.extra.update(
        genes=stats.genes.as_dict(),
        transcripts=stats.transcripts.as_dict(),
        phenotypes=stats.phenotypes.as_dict(),
    )
    return report


def deposit_genepanel(
    session: Session, panel: GenePanelData, *, replace: bool = False, progress: ProgressFn = no_progress
) -> ChangeReport:
    return deposit_genepanels(session, [panel], replace=replace, progress=progress)


# --- comparing rows with records ---------------------------------------------------------------------


def _transcript_values(record: TranscriptRecord) -> dict[str, Any]:
    return {
        "gene_id": record.hgnc_id,
        "type": TRANSCRIPT_TYPE,
        "tags": list(record.tags) or None,
        "genome_reference": GENOME_REFERENCE,
        "chromosome": record.chromosome,
        "tx_start": record.tx_start,
        "tx_end": record.tx_end,
        "strand": record.strand,
        "cds_start": record.cds_start,
        "cds_end": record.cds_end,
        "exon_starts": list(record.exon_starts),
        "exon_ends": list(record.exon_ends),
    }


def _differs(row: Transcript, values: dict[str, Any]) -> list[str]:
    differing = []
    for key, value in values.items():
        current = getattr(row, key)
        if key == "tags":
            current = list(current or []) or None
        elif isinstance(current, list | tuple):
            current = list(current)
        if current != value:
            differing.append(key)
    return differing


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _Deposit:
    """One panel's deposit: load the shared rows it names once, then compare or write."""

    def __init__(
        self,
        session: Session,
        panel: GenePanelData,
        replace: bool,
        progress: ProgressFn,
        report: ChangeReport,
        stats: _Stats,
    ) -> None:
        self.session, self.panel, self.replace = session, panel, replace
        self.progress, self.report, self.stats = progress, report, stats
        self.label = f"gene panel {panel.key}"
        self.genes: dict[int, Gene] = {}
        self.transcripts: dict[str, Transcript] = {}
        self.phenotypes: dict[tuple[int, str, str], Phenotype] = {}

    def run(self) -> None:
        self._load()
        existing = self.session.get(GenePanel, (self.panel.name, self.panel.version))
        if existing is None:
            self._create()
            return
        differences = self._differences(existing)
        if not differences:
            self.report.unchanged.append(self.panel.key)
            return
        if not self.replace:
            self.report.unchanged.append(self.panel.key)
            self.report.messages.append(
                f"{self.label} is already in the database and differs from {self.panel.source} "
                f"({'; '.join(differences)}): left as it is; use --replace to update it"
            )
            return
        self._write_shared_rows()
        self._link(existing)
        existing.official = True
        existing.genome_reference = GENOME_REFERENCE
        self.report.updated.append(self.panel.key)
        self.report.messages.append(f"{self.label} replaced ({'; '.join(differences)})")

    # loading

    def _load(self) -> None:
        session, panel = self.session, self.panel
        gene_ids = list(panel.genes())
        if gene_ids:
            self.genes = {g.hgnc_id: g for g in session.scalars(select(Gene).where(Gene.hgnc_id.in_(gene_ids)))}
        names = [t.name for t in panel.transcripts]
        for chunk in _chunks(names, 5000):
            for row in session.scalars(select(Transcript).where(Transcript.transcript_name.in_(chunk))):
                self.transcripts[row.transcript_name] = row
        keys = [p.key for p in panel.phenotypes]
        for chunk in _chunks(keys, 2000):
            query = select(Phenotype).where(
                tuple_(Phenotype.gene_id, Phenotype.description, Phenotype.inheritance).in_(chunk)
            )
            for phenotype in session.scalars(query):
                self.phenotypes[(phenotype.gene_id, phenotype.description, phenotype.inheritance)] = phenotype

    # comparing

    def _differences(self, existing: GenePanel) -> list[str]:
        panel = self.panel
        out: list[str] = []
        if not existing.official:
            out.append("stored panel is not official")
        key = (GenePanelTranscript.genepanel_name == existing.name) & (
            GenePanelTranscript.genepanel_version == existing.version
        )
        stored_links = set(
            self.session.execute(
                select(Transcript.transcript_name, GenePanelTranscript.inheritance)
                .join(GenePanelTranscript, GenePanelTranscript.transcript_id == Transcript.id)
                .where(key)
            ).tuples()
        )
        wanted_links = {(t.name, t.inheritance) for t in panel.transcripts}
        if stored_links != wanted_links:
            added, removed = len(wanted_links - stored_links), len(stored_links - wanted_links)
            out.append(f"transcript links: {added} to add, {removed} to remove")
        changed = [
            t.name
            for t in panel.transcripts
            if t.name in self.transcripts and _differs(self.transcripts[t.name], _transcript_values(t))
        ]
        if changed:
            out.append(f"{_plural(len(changed), 'transcript')} with other data ({', '.join(changed[:5])})")
        renamed = [
            str(gene_id)
            for gene_id, symbol in panel.genes().items()
            if gene_id in self.genes and self.genes[gene_id].hgnc_symbol != symbol
        ]
        if renamed:
            out.append(f"gene symbols differ for HGNC id(s) {', '.join(renamed[:5])}")
        pkey = (GenePanelPhenotype.genepanel_name == existing.name) & (
            GenePanelPhenotype.genepanel_version == existing.version
        )
        stored_phenotypes = set(
            self.session.execute(
                select(Phenotype.gene_id, Phenotype.description, Phenotype.inheritance, Phenotype.omim_id)
                .join(GenePanelPhenotype, GenePanelPhenotype.phenotype_id == Phenotype.id)
                .where(pkey)
            ).tuples()
        )
        wanted_phenotypes = {(*p.key, p.omim_id) for p in panel.phenotypes}
        if stored_phenotypes != wanted_phenotypes:
            added = len(wanted_phenotypes - stored_phenotypes)
            removed = len(stored_phenotypes - wanted_phenotypes)
            out.append(f"phenotypes: {added} to add, {removed} to remove")
        return out

    # writing

    def _create(self) -> None:
        self._write_shared_rows()
        genepanel = GenePanel(
            name=self.panel.name, version=self.panel.version, genome_reference=GENOME_REFERENCE, official=True
        )
        self.session.add(genepanel)
        self._link(genepanel)
        self.report.created.append(self.panel.key)

    def _write_shared_rows(self) -> None:
        self._write_genes()
        self._write_transcripts()
        self._write_phenotypes()
        self.session.flush()

    def _write_genes(self) -> None:
        renamed = []
        for gene_id, symbol in self.panel.genes().items():
            gene = self.genes.get(gene_id)
            if gene is None:
                gene = self.genes[gene_id] = Gene(hgnc_id=gene_id, hgnc_symbol=symbol)
                self.session.add(gene)
                self.stats.genes.created += 1
            elif gene.hgnc_symbol != symbol:
                if self.replace:
                    gene.hgnc_symbol = symbol
                    self.stats.genes.updated += 1
                else:
                    renamed.append(f"{gene_id} ({gene.hgnc_symbol}, file: {symbol})")
        if renamed:
            self.report.messages.append(
                f"{self.label}: kept the stored symbol of HGNC id(s) {', '.join(renamed[:5])}; "
                "use --replace to rename them"
            )
        self.session.flush()

    def _write_transcripts(self) -> None:
        total = len(self.panel.transcripts)
        kept = []
        for index, record in enumerate(self.panel.transcripts, start=1):
            values = _transcript_values(record)
            row = self.transcripts.get(record.name)
            if row is None:
                row = self.transcripts[record.name] = Transcript(transcript_name=record.name, **values)
                self.session.add(row)
                self.stats.transcripts.created += 1
            elif _differs(row, values):
                if self.replace:
                    for key, value in values.items():
                        setattr(row, key, value)
                    self.stats.transcripts.updated += 1
                else:
                    kept.append(record.name)
            if index % PROGRESS_EVERY == 0 or index == total:
                self.progress(f"{self.panel.key}: transcripts", index, total)
        if kept:
            self.report.messages.append(
                f"{self.label}: {_plural(len(kept), 'transcript')} already stored with other data "
                f"({', '.join(kept[:5])}{', ...' if len(kept) > 5 else ''}); kept the stored rows, "
                "use --replace to update them"
            )

    def _write_phenotypes(self) -> None:
        kept = 0
        for record in self.panel.phenotypes:
            row = self.phenotypes.get(record.key)
            if row is None:
                row = self.phenotypes[record.key] = _new_phenotype(record)
                self.session.add(row)
                self.stats.phenotypes.created += 1
            elif row.omim_id != record.omim_id:
                if self.replace:
                    row.omim_id = record.omim_id
                    self.stats.phenotypes.updated += 1
                else:
                    kept += 1
        if kept:
            self.report.messages.append(
                f"{self.label}: {_plural(kept, 'phenotype')} already stored with another MIM number; "
                "kept the stored rows, use --replace to update them"
            )

    def _link(self, genepanel: GenePanel) -> None:
        """Make the panel's links match the files, keeping links that are already right."""
        wanted = {self.transcripts[t.name].id: t.inheritance for t in self.panel.transcripts}
        for link in list(genepanel.transcripts):
            if link.transcript_id not in wanted:
                genepanel.transcripts.remove(link)
            elif link.inheritance != wanted[link.transcript_id]:
                link.inheritance = wanted[link.transcript_id]
        present = {link.transcript_id for link in genepanel.transcripts}
        genepanel.transcripts.extend(
            GenePanelTranscript(transcript_id=tx_id, inheritance=inheritance)
            for tx_id, inheritance in wanted.items()
            if tx_id not in present
        )
        wanted_phenotypes = {self.phenotypes[p.key].id for p in self.panel.phenotypes}
        for plink in list(genepanel.phenotypes):
            if plink.phenotype_id not in wanted_phenotypes:
                genepanel.phenotypes.remove(plink)
        present = {plink.phenotype_id for plink in genepanel.phenotypes}
        genepanel.phenotypes.extend(GenePanelPhenotype(phenotype_id=pid) for pid in sorted(wanted_phenotypes - present))
        self.session.flush()


def _new_phenotype(record: PhenotypeRecord) -> Phenotype:
    return Phenotype(
        gene_id=record.hgnc_id,
        description=record.description,
        inheritance=record.inheritance,
        omim_id=record.omim_id,
    )


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
