"""Similar alleles (``workflows/similar_alleles/<gp>/<v>/``): ELLA's nearness rule, order and limit, what
another group sees, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from ella_app.db.models import Allele, User
from ella_app.services.similar_alleles import nearby_allele_ids
from tests.api.factories import (
    CILIO,
    HBOC,
    Api,
    VariantSpec,
    World,
    brca2_variant,
    build_world,
    classify,
    copy_db,
    make_allele_interpretation,
    make_analysis,
    make_app,
    session_for,
    template_db,
)


def build(session: Session) -> World:
    world = build_world(session)
    ada = session.get(User, world.users["ada"])
    cid = session.get(User, world.users["cid"])
    for key in ("hboc_rare", "hboc_common"):
        classify(session, session.get(Allele, world.alleles[key]), ada, "1", panel=HBOC)
    _, far = make_analysis(session, "Diag-HBOC-far", HBOC, [brca2_variant(32990000)])
    world.alleles["far"] = far[0].id
    # near the Ciliopathy variant: one classified variant only HBOC users see, one cid sees
    pkd1 = {"transcripts": []}
    _, hidden = make_analysis(session, "Diag-HBOC-pkd", HBOC, [VariantSpec("16", 2139850, "G", "A", pkd1)])
    _, shown = make_analysis(session, "Diag-Cilio-2", CILIO, [VariantSpec("16", 2139900, "G", "A", pkd1)])
    classify(session, hidden[0], ada, "3", panel=HBOC)
    classify(session, shown[0], cid, "2", panel=CILIO)
    world.alleles.update({"pkd_hidden": hidden[0].id, "pkd_shown": shown[0].id})
    return world


@pytest.fixture(scope="module")
def env(pg, tmp_path_factory) -> Any:
    name, world = template_db(pg, build)
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path_factory.mktemp("data"))
        yield app, url, world


def _diagram(session: Session, user: User) -> dict[str, Allele]:
    """ELLA's picture (0-based start, inclusive end), on a chromosome of its own:

    aa  1111    2222  3333          (classified)
    aa                  44
    aq   11  3 5   6 8              (asked about)
    aq    222  444  7 9  a
    """
    spans = {
        "aa_1": (0, 3, "4"),
        "aa_2": (8, 11, "3"),
        "aa_3": (14, 17, "2"),
        "aa_4": (14, 15, "1"),
        "aq_1": (1, 2, None),
        "aq_2": (2, 4, None),
        "aq_3": (5, 5, None),
        "aq_4": (7, 9, None),
        "aq_5": (7, 7, None),
        "aq_6": (11, 11, None),
        "aq_7": (12, 12, None),
        "aq_8": (13, 13, None),
        "aq_9": (14, 14, None),
        "aq_a": (17, 17, None),
    }
    made = {}
    for index, (name, (start, end, classification)) in enumerate(spans.items()):
        allele = Allele(
            chromosome="TEST",
            start_position=start,
            open_end_position=end + 1,
            change_from="A" * (end + 1 - start),
            change_to="T",
            change_type="indel",
            vcf_pos=start + 1,
            vcf_ref="A" * (end + 1 - start),
            vcf_alt=f"T{index}",
            length=end + 1 - start,
        )
        session.add(allele)
        session.flush()
        make_allele_interpretation(session, allele, HBOC)  # visible to the HBOC group
        if classification:
            classify(session, allele, user, classification, panel=HBOC)
        made[name] = allele
    return made


D0 = {
    "aq_1": ["aa_1"],
    "aq_2": ["aa_1"],
    "aq_3": [],
    "aq_4": ["aa_2"],
    "aq_5": [],
    "aq_6": ["aa_2"],
    "aq_7": [],
    "aq_8": [],
    "aq_9": ["aa_3", "aa_4"],
    "aq_a": ["aa_3"],
}
D5 = {
    "aq_1": ["aa_1"],
    "aq_2": ["aa_1", "aa_2"],
    "aq_3": ["aa_1", "aa_2"],
    "aq_4": ["aa_1", "aa_2", "aa_3", "aa_4"],
    "aq_5": ["aa_1", "aa_2"],
    "aq_6": ["aa_2", "aa_3", "aa_4"],
    "aq_7": ["aa_2", "aa_3", "aa_4"],
    "aq_8": ["aa_2", "aa_3", "aa_4"],
    "aq_9": ["aa_2", "aa_3", "aa_4"],
    "aq_a": ["aa_3", "aa_4"],
}


@pytest.mark.parametrize(("distance", "expected"), [(0, D0), (5, D5)])
def test_nearby_alleles(pg, distance, expected):
    """Mirrors ELLA src/api/tests/test_similaralleles.py::test_nearbyalleles (same picture, same answers)."""
    name, world = template_db(pg, build_world)
    with copy_db(pg, name) as url, session_for(url) as session:
        ada = session.get(User, world.users["ada"])
        assert ada is not None
        made = _diagram(session, ada)
        for query, found in expected.items():
            result = nearby_allele_ids(session, ada, [made[query].id], distance, 10)
            assert set(result[made[query].id]) == {made[f].id for f in found}, query
        # nearest first, at most max_variants
        ordered = nearby_allele_ids(session, ada, [made["aq_4"].id], 5, 10)[made["aq_4"].id]
        assert ordered == [made["aa_2"].id, made["aa_1"].id, made["aa_4"].id, made["aa_3"].id]
        assert nearby_allele_ids(session, ada, [made["aq_4"].id], 5, 2)[made["aq_4"].id] == ordered[:2]


def test_similaralleles(env):
    """Mirrors ELLA src/api/tests/test_similaralleles.py::test_similaralleles (one entry per variant asked, in
    order, never the variant itself, nearest first)."""
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    keys = ["hboc_rare", "hboc_common", "hboc_syn", "far"]
    ids = [world.alleles[k] for k in keys]
    response = api.get(f"/api/v1/workflows/similar_alleles/HBOC/v1.0.0/?allele_ids={','.join(map(str, ids))}")
    assert response.status_code == 200, response.json
    similar = response.json
    assert list(similar) == [str(i) for i in ids]
    found = {k: [a["id"] for a in similar[str(world.alleles[k])]] for k in keys}
    assert found == {
        "hboc_rare": [world.alleles["hboc_common"]],
        "hboc_common": [world.alleles["hboc_rare"]],
        "hboc_syn": [world.alleles["hboc_common"], world.alleles["hboc_rare"]],
        "far": [],
    }
    first = similar[str(world.alleles["hboc_syn"])][0]
    assert first["classification"]["classification"] == "1"
    assert [t["transcript"] for t in first["transcripts"]] == ["NM_000059.3"]


def test_config_limits(env):
    app, url, world = env
    config = app.config["ELLA_SETTINGS"].config
    saved = dict(config["similar_alleles"])
    api = Api(app, url, world.users["ada"])
    path = f"/api/v1/workflows/similar_alleles/HBOC/v1.0.0/?allele_ids={world.alleles['hboc_syn']}"
    try:
        config["similar_alleles"]["max_variants"] = 1
        assert [a["id"] for a in api.get(path).json[str(world.alleles["hboc_syn"])]] == [world.alleles["hboc_common"]]
        config["similar_alleles"] = {"max_variants": 10, "max_genomic_distance": 5}
        assert api.get(path).json == {str(world.alleles["hboc_syn"]): []}
    finally:
        config["similar_alleles"] = saved


def test_other_groups(env):
    app, url, world = env
    ada, cid = Api(app, url, world.users["ada"]), Api(app, url, world.users["cid"])
    rare = world.alleles["hboc_rare"]
    assert cid.get(f"/api/v1/workflows/similar_alleles/HBOC/v1.0.0/?allele_ids={rare}").status_code == 404
    assert cid.get(f"/api/v1/workflows/similar_alleles/Ciliopathy/v1.0.0/?allele_ids={rare}").status_code == 404
    assert ada.get(f"/api/v1/workflows/similar_alleles/Ciliopathy/v1.0.0/?allele_ids={rare}").status_code == 404
    cilio = world.alleles["cilio"]
    response = cid.get(f"/api/v1/workflows/similar_alleles/Ciliopathy/v1.0.0/?allele_ids={cilio}")
    assert [a["id"] for a in response.json[str(cilio)]] == [world.alleles["pkd_shown"]]  # not the HBOC one


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?allele_ids=",
        "?allele_ids=abc",
        "?allele_ids=0",
        "?allele_ids=99999999999",
        "?allele_ids=" + ",".join(str(i) for i in range(1, 10_003)),
        "?allele_ids=1%00",
    ],
)
def test_bad_input_is_4xx(env, query):
    app, url, world = env
    response = Api(app, url, world.users["ada"]).get(f"/api/v1/workflows/similar_alleles/HBOC/v1.0.0/{query}")
    assert response.status_code == 422, response.json


def test_unknown_ids_and_panels_are_404(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    assert api.get("/api/v1/workflows/similar_alleles/HBOC/v1.0.0/?allele_ids=999999").status_code == 404
    assert api.get(f"/api/v1/workflows/similar_alleles/HBOC/v9/?allele_ids={world.alleles['far']}").status_code == 404
    assert api.get("/api/v1/workflows/similar_alleles/HB%00OC/v1.0.0/?allele_ids=1").status_code == 422
