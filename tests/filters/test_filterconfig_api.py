"""Conformance: which filter configs an analysis gets, in which order (through the database and the API).

Mirrors ELLA src/api/tests/test_filterconfig.py: ``test_filter_ordering`` and ``test_filterconfig_requirements``
(a trio analysis with a second proband without family, and a single-sample analysis whose name matches
``.*brca.*``), with every requirement combination ELLA's strategy draws, active and inactive configs in two
user groups. ELLA's ``test_default_filterconfig`` covers ``get_valid_filter_configs`` without an analysis,
which ELLA's application never calls (its API and deposit always pass one); there is no such path here.

Also mirrors ELLA src/api/tests/test_filters.py (``datalayer.filters.in_``: a long id list gives the same
rows as a short one): our queries pass id lists as one array parameter (``context.int_ids``).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select

from ella_app.db.models import Analysis, Gene, Sample
from ella_app.services import filtering
from ella_app.services.filters.context import int_ids, load_samples
from tests.api.factories import (
    BRCA2,
    HBOC,
    Api,
    copy_db,
    make_app,
    make_filterconfig,
    make_group,
    make_panel,
    make_user,
    session_for,
    template_db,
)

PARAMS: list[tuple[str, Any]] = [
    ("is_trio", True),
    ("is_trio", False),
    ("is_family", True),
    ("is_family", False),
    ("is_single", True),
    ("is_single", False),
    ("name", ".*brca.*"),
]


def requirement_sets() -> list[dict[str, Any]]:
    """Every combination of ELLA's drawn requirement parameters (one value per key), and none."""
    keys: dict[str, list[Any]] = {}
    for key, value in PARAMS:
        keys.setdefault(key, []).append(value)
    found: list[dict[str, Any]] = []
    names = list(keys)
    for size in range(len(names) + 1):
        for chosen in itertools.combinations(names, size):
            for values in itertools.product(*(keys[k] for k in chosen)):
                found.append(dict(zip(chosen, values, strict=True)))
    return found


def build(session: Any) -> dict[str, Any]:
    make_panel(session, *HBOC, [BRCA2])
    groups = [make_group(session, "g1", [HBOC]), make_group(session, "g2", [HBOC])]
    user = make_user(session, "ada", groups[0])
    configs = []
    for index, params in enumerate(requirement_sets()):
        group = groups[index % 2]
        requirements = [{"function": "analysis", "params": params}] if params else []
        order = (index * 37) % 101  # scrambled, unique per group
        fc = make_filterconfig(session, f"fc{index}", [], {group: order}, requirements)
        fc.active = index % 5 != 3
        configs.append((fc.id, group.id, order, fc.active, params))

    trio = Analysis(name="TrioDummy", genepanel_name=HBOC[0], genepanel_version=HBOC[1], properties={})
    single = Analysis(name="brca_e2e_test01", genepanel_name=HBOC[0], genepanel_version=HBOC[1], properties={})
    session.add_all([trio, single])
    session.flush()
    common = {"family_id": "DummyFamily", "analysis_id": trio.id, "sample_type": "HTS"}
    mother = Sample(proband=False, affected=False, sex="Female", identifier="DummyMother", **common)
    father = Sample(proband=False, affected=False, sex="Male", identifier="DummyFather", **common)
    session.add_all([mother, father])
    session.flush()
    proband = Sample(
        proband=True, affected=True, mother_id=mother.id, father_id=father.id, identifier="DummyProband", **common
    )
    lone = Sample(
        proband=True, affected=True, identifier="DummyProbandNoFamily", analysis_id=trio.id, sample_type="HTS"
    )
    alone = Sample(proband=True, affected=True, identifier="Single", analysis_id=single.id, sample_type="HTS")
    session.add_all([proband, lone, alone])
    session.flush()
    return {"configs": configs, "trio": trio.id, "single": single.id, "user": user.id, "g1": groups[0].id}


@pytest.fixture(scope="module")
def world(pg, tmp_path_factory):
    name, ids = template_db(pg, build)
    with copy_db(pg, name) as url:
        yield url, ids, make_app(url, tmp_path_factory.mktemp("data"))


def eligible(url: str, analysis_id: int, group_id: int) -> list[int]:
    with session_for(url) as session:
        analysis = session.get(Analysis, analysis_id)
        assert analysis is not None
        return [
            fc.id
            for fc in filtering.eligible_filterconfigs(session, group_id, analysis, load_samples(session, analysis_id))
        ]


def test_filterconfig_requirements(world):
    """Mirrors ELLA test_filterconfig.py::test_filterconfig_requirements."""
    url, ids, _ = world
    group = ids["g1"]
    mine = [(fc, params) for fc, g, _, active, params in ids["configs"] if g == group and active]
    trio_expected = {
        fc
        for fc, p in mine
        if not (p.get("is_trio") is False or p.get("is_family") is False or p.get("is_single") is True or p.get("name"))
    }
    assert set(eligible(url, ids["trio"], group)) == trio_expected
    single_expected = {
        fc
        for fc, p in mine
        if not (p.get("is_trio") is True or p.get("is_family") is True or p.get("is_single") is False)
    }
    assert set(eligible(url, ids["single"], group)) == single_expected
    assert trio_expected and single_expected and trio_expected != single_expected


def test_filter_ordering(world):
    """Mirrors ELLA test_filterconfig.py::test_filter_ordering: the analysis' configs, as the API lists them,
    come in the group's order."""
    url, ids, app = world
    listed = Api(app, url, ids["user"]).get(f"/api/v1/workflows/analyses/{ids['single']}/filterconfigs/").json
    returned = [c["id"] for c in listed]
    orders = {fc: order for fc, _, order, _, _ in ids["configs"]}
    assert returned and returned == sorted(returned, key=lambda fc: orders[fc])
    assert listed[0]["default"] is True and not any(c["default"] for c in listed[1:])
    assert all(c["unsupported_filters"] == [] for c in listed)


def test_filter_in_long_lists(world):
    """Mirrors ELLA test_filters.py (test_filter_in_uses_naive_scalar, test_filter_with_query): an id list of
    99, 101 or thousands of values selects exactly the rows a plain IN would."""
    url, _, _ = world
    with session_for(url) as session:
        session.add_all([Gene(hgnc_id=n, hgnc_symbol=f"G{n}") for n in range(10_000, 13_500)])
        session.flush()
        every = sorted(session.scalars(select(Gene.hgnc_id)))
        for size in (99, 101, 3200):
            wanted = every[:: max(1, len(every) // size)][:size]
            found = sorted(session.scalars(select(Gene.hgnc_id).where(Gene.hgnc_id == int_ids(wanted))))
            plain = sorted(session.scalars(select(Gene.hgnc_id).where(Gene.hgnc_id.in_(wanted))))
            assert found == plain == sorted(set(wanted)) and len(found) == size
        session.rollback()
