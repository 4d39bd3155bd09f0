"""``ella-cli deposit custom_annotation``: custom annotations from ELLA's JSON Lines file.

ELLA inserts each line as a ``customannotation`` row, which fails once an allele has a current one. Here
each line's ``annotations`` becomes the allele's current custom annotation: a line equal to the current one
changes nothing (so a second run changes nothing), a different one supersedes it as the API does (the old
row kept with ``date_superceeded``, the new one pointing back with ``previous_annotation_id``) — but the
file's object is stored as given, not merged. Alleles and users must exist; every problem names file, line
and key, and nothing is written.
"""

from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import Allele, CustomAnnotation, User
from ella_app.errors import InputError, InputErrors
from ella_app.formats.custom_annotations import CustomAnnotationEntry
from ella_app.services.custom_annotations import MAX_BYTES, _check_values
from ella_app.services.results import ChangeReport


def _problems(session: Session, entries: list[CustomAnnotationEntry], source: str) -> list[InputError]:
    problems = []
    allele_ids = {e.allele_id for e in entries}
    known = set(session.scalars(select(Allele.id).where(Allele.id.in_(allele_ids)))) if allele_ids else set()
    user_ids = {e.user_id for e in entries if e.user_id is not None}
    users = set(session.scalars(select(User.id).where(User.id.in_(user_ids)))) if user_ids else set()
    for e in entries:
        if e.allele_id not in known:
            problems.append(
                InputError(f"allele {e.allele_id} is not in the database", source=source, line=e.line, key="allele_id")
            )
        if e.user_id is not None and e.user_id not in users:
            problems.append(
                InputError(f"user {e.user_id} is not in the database", source=source, line=e.line, key="user_id")
            )
        try:
            _check_values(e.annotations, "annotations")
        except InputError as exc:
            problems.append(InputError(exc.problem, source=source, line=e.line, key=exc.key))
            continue
        if len(orjson.dumps(e.annotations)) > MAX_BYTES:
            problems.append(
                InputError(f"must be at most {MAX_BYTES} bytes of JSON", source=source, line=e.line, key="annotations")
            )
    return problems


def deposit_custom_annotations(session: Session, entries: list[CustomAnnotationEntry], source: str) -> ChangeReport:
    problems = _problems(session, entries, source)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputErrors(problems)
    report = ChangeReport(kind="custom annotations")
    ids = [e.allele_id for e in entries]
    current = (
        {
            row.allele_id: row
            for row in session.scalars(
                select(CustomAnnotation)
                .where(CustomAnnotation.allele_id.in_(ids), CustomAnnotation.date_superceeded.is_(None))
                .with_for_update()
            )
        }
        if ids
        else {}
    )
    now = dt.datetime.now(dt.UTC)
    for e in entries:
        label = f"allele {e.allele_id}"
        old = current.get(e.allele_id)
        if old is not None and old.annotation == e.annotations:
            report.unchanged.append(label)
            continue
        if old is not None:
            old.date_superceeded = now
            session.flush()
        session.add(
            CustomAnnotation(
                allele_id=e.allele_id,
                annotation=e.annotations,
                user_id=e.user_id,
                previous_annotation_id=old.id if old is not None else None,
            )
        )
        (report.updated if old is not None else report.created).append(label)
    session.flush()
    return report
