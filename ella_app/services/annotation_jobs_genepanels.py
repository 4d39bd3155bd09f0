"""Custom (unofficial) gene panels made on the IMPORT page for a reanalysis (ELLA ``POST genepanels/``,
features A09 and S07): an existing panel's transcripts with genes or transcripts left out or added, shared with
user groups.

* the panel is unofficial (``official`` false), and its name and version must be new (409 otherwise);
* every transcript must exist and belong to the gene it is listed under (422 naming the entry);
* it is shared with the groups named in ``usergroups``, which must all be among the caller's group's
  ``import_groups`` (ELLA asserts ``usergroups ⊆ import groups``; here a 422 naming the group);
* phenotypes: the ids given, else those the ``base`` panel has for the genes kept.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ella_app.db.models import (
    GenePanel,
    GenePanelPhenotype,
    GenePanelTranscript,
    Phenotype,
    Transcript,
    UserGroup,
    UserGroupGenePanel,
    UserGroupImport,
)
from ella_app.errors import ConflictError, InputError
from ella_app.services import access
from ella_app.services.current_user import UserLike

NAME = re.compile(r"^[\w.+-]{1,100}$")


def import_group_names(session: Session, user: UserLike) -> list[str]:
    """The groups the caller's group may import for (and share custom panels with)."""
    return list(
        session.scalars(
            select(UserGroup.name)
            .join(UserGroupImport, UserGroupImport.import_usergroup_id == UserGroup.id)
            .where(UserGroupImport.usergroup_id == user.group_id)
            .order_by(UserGroup.name)
        )
    )


def _transcripts(session: Session, genes: list[dict[str, Any]]) -> list[tuple[Transcript, str]]:
    wanted_ids = {t["id"] for g in genes for t in g.get("transcripts", []) if "id" in t}
    wanted_names = {t["transcript_name"] for g in genes for t in g.get("transcripts", []) if "transcript_name" in t}
    rows = list(
        session.scalars(
            select(Transcript).where(or_(Transcript.id.in_(wanted_ids), Transcript.transcript_name.in_(wanted_names)))
        )
    )
    by_id = {t.id: t for t in rows}
    by_name = {t.transcript_name: t for t in rows}
    chosen: list[tuple[Transcript, str]] = []
    for g_index, gene in enumerate(genes):
        if not gene.get("transcripts"):
            raise InputError("a gene needs at least one transcript", key=f"genes.{g_index}.transcripts")
        for t_index, entry in enumerate(gene["transcripts"]):
            key = f"genes.{g_index}.transcripts.{t_index}"
            found = by_id.get(entry["id"]) if "id" in entry else by_name.get(entry.get("transcript_name", ""))
            if found is None:
                raise InputError(f"no transcript {entry.get('id') or entry.get('transcript_name')!r}", key=key)
            if found.gene_id != gene["hgnc_id"]:
                raise InputError(
                    f"transcript {found.transcript_name} is of gene HGNC:{found.gene_id}, not HGNC:{gene['hgnc_id']}",
                    key=key,
                )
            chosen.append((found, str(gene.get("inheritance") or "N/A")))
    if len({t.id for t, _ in chosen}) != len(chosen):
        raise InputError("a transcript is listed twice", key="genes")
    return chosen


def create_custom_panel(session: Session, user: UserLike, data: dict[str, Any]) -> dict[str, Any]:
    """Check and add the panel (the caller commits); returns it as ``genepanels/`` lists panels."""
    name, version = str(data.get("name") or "").strip(), str(data.get("version") or "").strip()
    if not NAME.match(name):
        raise InputError("a gene panel name has letters, digits and . _ + - only (at most 100)", key="name")
    if not NAME.match(version):
        raise InputError("a gene panel version has letters, digits and . _ + - only (at most 100)", key="version")
    groups = list(dict.fromkeys(data.get("usergroups") or []))
    if not groups:
        raise InputError("choose the user groups that may use the panel", key="usergroups")
    allowed = set(import_group_names(session, user))
    for index, group in enumerate(groups):
        if group not in allowed:
            raise InputError(
                f"your group may not share gene panels with {group!r} (its import groups: "
                f"{', '.join(sorted(allowed)) or 'none'})",
                key=f"usergroups.{index}",
            )
    base = data.get("base")
    if base is not None:
        access.require_panel(session, user, base["name"], base["version"])
    genes = data.get("genes") or []
    if not genes:
        raise InputError("a gene panel needs at least one gene", key="genes")
    chosen = _transcripts(session, genes)
    if session.get(GenePanel, (name, version)) is not None:
        raise ConflictError(f"a gene panel {name} {version} exists already: choose another name or version")
    phenotype_ids = [p["id"] for g in genes for p in g.get("phenotypes", [])]
    if phenotype_ids:
        known = set(session.scalars(select(Phenotype.id).where(Phenotype.id.in_(phenotype_ids))))
        unknown = [i for i in phenotype_ids if i not in known]
        if unknown:
            raise InputError(f"no phenotype {unknown[0]}", key="genes")
    elif base is not None:
        gene_ids = {t.gene_id for t, _ in chosen}
        phenotype_ids = list(
            session.scalars(
                select(GenePanelPhenotype.phenotype_id)
                .join(Phenotype, Phenotype.id == GenePanelPhenotype.phenotype_id)
                .where(
                    GenePanelPhenotype.genepanel_name == base["name"],
                    GenePanelPhenotype.genepanel_version == base["version"],
                    Phenotype.gene_id.in_(gene_ids),
                )
            )
        )
    group_ids = dict(
        session.execute(select(UserGroup.name, UserGroup.id).where(UserGroup.name.in_(groups))).tuples().all()
    )
    panel = GenePanel(name=name, version=version, official=False)
    session.add(panel)
    session.flush()
    session.add_all(
        GenePanelTranscript(genepanel_name=name, genepanel_version=version, transcript_id=t.id, inheritance=inh)
        for t, inh in chosen
    )
    session.add_all(
        GenePanelPhenotype(genepanel_name=name, genepanel_version=version, phenotype_id=p)
        for p in dict.fromkeys(phenotype_ids)
    )
    session.add_all(
        UserGroupGenePanel(usergroup_id=group_ids[g], genepanel_name=name, genepanel_version=version) for g in groups
    )
    session.flush()
    return {
        "name": name,
        "version": version,
        "official": False,
        "transcripts": len(chosen),
        "genes": len({t.gene_id for t, _ in chosen}),
        "usergroups": groups,
    }


def panel_stats(session: Session, user: UserLike, name: str, version: str) -> dict[str, list[dict[str, Any]]]:
    """ELLA's ``genepanels/<name>/<version>/stats/``: the (at most 5) official panels of the caller's group,
    newest version of each name, that share genes with this panel, most similar first. Counts are relative
    to this panel: ``addition_cnt`` genes the other panel has in addition, ``missing_cnt`` genes of this panel
    it lacks, ``overlap_cnt`` genes both have. Similarity: overlap * 2 / size + size / (missing + addition + 1),
    as ELLA ranks them."""
    access.require_panel(session, user, name, version)
    official = session.execute(
        select(GenePanel.name, GenePanel.version)
        .where(GenePanel.official.is_(True))
        .where(access.panel_allowed(GenePanel.name, GenePanel.version, user.group_id))
    ).all()
    latest: dict[str, str] = {}
    for panel_name, panel_version in official:
        latest[panel_name] = max(latest.get(panel_name, panel_version), panel_version)
    wanted = [(n, v) for n, v in latest.items() if (n, v) != (name, version)]
    genes: dict[tuple[str, str], set[int]] = {key: set() for key in [*wanted, (name, version)]}
    rows = session.execute(
        select(GenePanelTranscript.genepanel_name, GenePanelTranscript.genepanel_version, Transcript.gene_id)
        .join(Transcript, Transcript.id == GenePanelTranscript.transcript_id)
        .where(
            or_(
                *(
                    (GenePanelTranscript.genepanel_name == n) & (GenePanelTranscript.genepanel_version == v)
                    for n, v in genes
                )
            )
        )
    ).all()
    for panel_name, panel_version, gene_id in rows:
        genes[(panel_name, panel_version)].add(gene_id)
    mine = genes[(name, version)]
    size = len(mine)
    found = []
    for key in wanted:
        overlap = len(mine & genes[key])
        if not overlap:
            continue
        missing, addition = size - overlap, len(genes[key] - mine)
        score = overlap * 2 / size + size / (missing + addition + 1)
        found.append((score, key, addition, overlap, missing))
    found.sort(key=lambda f: (-f[0], f[1]))
    return {
        "overlap": [
            {"name": n, "version": v, "addition_cnt": a, "overlap_cnt": o, "missing_cnt": m}
            for _, (n, v), a, o, m in found[:5]
        ]
    }
