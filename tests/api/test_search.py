"""Search (``/api/v1/search/``, ``search/options/``) over ELLA's TestAnalysis-001 trio (imported by the real
importer) and the standard test world: every query kind, ELLA's rules, what another group sees, bad input.

The conformance cases mirror ELLA src/api/tests/test_search.py::test_search (same queries; ELLA's test data
is not public, so the expected ids are those of our data set)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ella_app.db.models import Allele, AnalysisInterpretation, Annotation, User
from ella_app.services.importer import import_analysis
from tests.api.factories import (
    CILIO,
    HBOC,
    Api,
    VariantSpec,
    World,
    build_world,
    classify,
    copy_db,
    get_allele,
    make_allele_interpretation,
    make_analysis,
    make_app,
    session_for,
    set_annotation,
    template_db,
    tx,
)
from tests.conftest import UPSTREAM

TEST_ANALYSIS = UPSTREAM / "analyses" / "TestAnalysis-001"


def build(session: Session) -> World:
    world = build_world(session)
    session.commit()  # the importer's staging tables live until the end of the transaction
    world.analyses["trio"] = int(import_analysis(session, TEST_ANALYSIS).extra["analysis_id"])
    session.commit()
    trio = {
        a.vcf_pos: a.id
        for a in session.scalars(
            select(Allele).where(Allele.chromosome == "13", Allele.vcf_pos.between(32890000, 32894000))
        )
    }
    world.alleles.update({f"trio_{pos}": allele_id for pos, allele_id in trio.items()})
    chr20 = VariantSpec("20", 1000, "A", "C", {"transcripts": [tx("NM_999999.1", "XYZ", 9999, ["intron_variant"])]})
    for number in (2, 3, 4):
        analysis, alleles = make_analysis(session, f"brca_sample_{number}", HBOC, [chr20] if number == 2 else [])
        world.analyses[f"brca_sample_{number}"] = analysis.id
        if alleles:
            world.alleles["chr20"] = alleles[0].id
    world.analyses["other"] = make_analysis(session, "other_brca_sample", CILIO, [])[0].id
    ada = session.get(User, world.users["ada"])
    bob = session.get(User, world.users["bob"])
    assert ada is not None and bob is not None
    classify(session, session.get(Allele, world.alleles["hboc_rare"]), ada, "4", panel=HBOC)
    # a variant seen only through a variant-workflow round on HBOC (in no analysis), worked on by bob
    lone = get_allele(session, "13", 32900000, "C", "T")
    set_annotation(
        session, lone, {"transcripts": [tx("NM_000059.3", "BRCA2", 1101, ["missense_variant"], "c.9999C>T")]}
    )
    make_allele_interpretation(session, lone, HBOC, user_id=bob.id, status="Ongoing")
    world.alleles["lone"] = lone.id
    round_ = session.scalar(
        select(AnalysisInterpretation).where(AnalysisInterpretation.analysis_id == world.analyses["brca_sample_3"])
    )
    assert round_ is not None
    round_.user_id = ada.id
    return world


@pytest.fixture(scope="module")
def env(pg, tmp_path_factory) -> Any:
    name, world = template_db(pg, build)
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path_factory.mktemp("data"))
        yield app, url, world


def _get(api: Api, path: str, q: Any, **params: Any) -> Any:
    raw = q if isinstance(q, str) else json.dumps(q)
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    return api.get(f"{path}?q={quote(raw)}{extra}")


def search(api: Api, q: Any, **params: Any) -> Any:
    response = _get(api, "/api/v1/search/", q, **params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def allele_ids(api: Api, q: Any, **params: Any) -> set[int]:
    return {item["allele"]["id"] for item in search(api, q, **params).json["alleles"]}


def analysis_ids(api: Api, q: Any) -> set[int]:
    return {item["id"] for item in search(api, q).json["analyses"]}


GENE = {"hgnc_id": 1101}


# ------------------------------------------------------------------------------------------ ELLA's cases


@pytest.mark.parametrize(
    ("query", "analyses", "alleles"),
    [
        ({"type": "analyses", "freetext": "brca_sample"}, ["brca_sample_2", "brca_sample_3", "brca_sample_4"], []),
        ({"type": "alleles", "freetext": "c.12"}, [], []),
        ({"type": "alleles", "gene": GENE, "freetext": "c.12"}, [], ["hboc_syn"]),
        ({"type": "alleles", "gene": GENE, "freetext": "p.glu"}, [], ["trio_32893243"]),
        ({"type": "alleles", "gene": GENE, "freetext": "13:32890607"}, [], ["trio_32890607"]),
        (
            {"type": "alleles", "gene": GENE, "freetext": "13:32890607-32890650"},
            [],
            ["trio_32890607", "trio_32890645", "hboc_common", "hboc_syn"],
        ),
    ],
)
def test_ella_search_cases(env, query, analyses, alleles):
    """Mirrors ELLA src/api/tests/test_search.py::test_search."""
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    response = search(api, query).json
    assert {a["id"] for a in response["analyses"]} == {world.analyses[k] for k in analyses}
    assert {a["allele"]["id"] for a in response["alleles"]} == {world.alleles[k] for k in alleles}


# ------------------------------------------------------------------------------------------ query kinds


@pytest.mark.parametrize(
    ("freetext", "expected"),
    [
        ("chr13:32890607", ["trio_32890607"]),
        ("CHR13:32890607", ["trio_32890607"]),
        ("32890607", ["trio_32890607"]),  # any chromosome
        ("g.32890607", ["trio_32890607"]),
        ("NC_000013.10:g.32890607G>T", ["trio_32890607"]),
        ("13:32890646", ["trio_32890645"]),  # ELLA: the first deleted base
        ("13:32890645", ["trio_32890645"]),  # ours too: the VCF position of the deletion
        ("13:32890606", []),
        ("32890600-32890700", []),  # a range needs the chromosome (ELLA)
        ("13:32890700-32890600", []),  # and its end after its start
        ("13:32890607-32890607", ["trio_32890607"]),
        ("20:1000", ["chr20"]),  # ELLA's pattern misses chromosomes 10 and 20-22
        ("1:", []),
        ("13", []),  # two characters: the user is still typing
    ],
)
def test_position_queries(env, freetext, expected):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    assert allele_ids(api, {"type": "alleles", "freetext": freetext}) == {world.alleles[k] for k in expected}


@pytest.mark.parametrize(
    ("freetext", "gene", "expected"),
    [
        ("NM_000059.3:c.10G>T", None, ["trio_32890607"]),
        ("NM_000059:c.10g>t", None, ["trio_32890607"]),  # version ignored, case insensitive
        ("NM_000059.9:c.49_50del", None, ["trio_32890645"]),
        ("NM_000059.3:c.67+2T", None, ["trio_32890666"]),
        ("NM_000059.3:p.Gly4Ter", None, ["trio_32890607"]),
        ("NP_000050.2:p.Gly4Ter", None, ["trio_32890607"]),  # ours: after the protein id
        ("c.198A>G", GENE, ["trio_32893344"]),
        ("c.198A>G(p.=)", GENE, ["trio_32893344"]),  # a synonymous HGVSp holds a c.
        ("p.Leu24Phe", GENE, ["trio_32893218"]),
        ("c.10G>T", None, []),  # neither transcript nor gene
        ("c.10G>T", {"hgnc_id": 1100}, []),  # BRCA1
        ("ENST00000380152:c.10G>T", None, []),  # outside transcripts.inclusion_regex (NM_.*)
        ("c.%", GENE, []),  # LIKE wildcards are plain characters
        ("c._0", GENE, []),
        ("c.9999C", GENE, ["lone"]),
    ],
)
def test_hgvs_queries(env, monkeypatch, freetext, gene, expected):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    query = {"type": "alleles", "freetext": freetext, "gene": gene}
    assert allele_ids(api, query) == {world.alleles[k] for k in expected}
    assert allele_ids(api, query, limit=100) == {world.alleles[k] for k in expected}
    # more names match than are looked up first: the matching is a subquery, with the same answer
    from ella_app.services import search as service

    monkeypatch.setattr(service, "HGVS_IDS", 0)
    assert allele_ids(api, query, limit=100) == {world.alleles[k] for k in expected}


def test_gene_alone_lists_the_genes_variants(env):
    """Ours (ELLA finds nothing without free text): the gene's variants the caller may see, by position; the
    trio's RefSeq transcripts have no HGNC id and match by the gene's symbol."""
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    response = search(api, {"type": "alleles", "gene": GENE, "freetext": ""}, per_page=50)
    found = [item["allele"] for item in response.json["alleles"]]
    expected = {world.alleles[k] for k in world.alleles if k.startswith(("trio_", "hboc_")) or k == "lone"}
    assert {a["id"] for a in found} == expected
    assert [(a["chromosome"], a["start_position"]) for a in found] == sorted(
        (a["chromosome"], a["start_position"]) for a in found
    )
    assert response.headers["Total-Count"] == str(len(expected))
    cid = Api(app, url, world.users["cid"])
    assert allele_ids(cid, {"type": "alleles", "gene": GENE}) == set()
    assert allele_ids(cid, {"type": "alleles", "gene": {"hgnc_id": 9008}}) == {world.alleles["cilio"]}


def test_user_queries(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    assert allele_ids(api, {"type": "alleles", "user": {"username": "ada"}}) == {world.alleles["hboc_rare"]}
    assert allele_ids(api, {"type": "alleles", "user": {"username": "bob"}}) == {world.alleles["lone"]}
    assert allele_ids(api, {"type": "alleles", "user": {"username": "nobody"}}) == set()
    # free text and user must both hold
    query = {"type": "alleles", "freetext": "13:32890601-32890700", "user": {"username": "ada"}}
    assert allele_ids(api, query) == set()
    query["freetext"] = "13:32890590-32890700"
    assert allele_ids(api, query) == {world.alleles["hboc_rare"]}
    assert analysis_ids(api, {"type": "analyses", "user": {"username": "ada"}}) == {world.analyses["brca_sample_3"]}
    assert analysis_ids(api, {"type": "analyses", "freetext": "BRCA_SAMPLE", "user": {"username": "ada"}}) == {
        world.analyses["brca_sample_3"]
    }


def test_analysis_name_queries(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    assert analysis_ids(api, {"type": "analyses", "freetext": "testanalysis"}) == {world.analyses["trio"]}
    assert analysis_ids(api, {"type": "analyses", "freetext": "_sample_"}) == {
        world.analyses[f"brca_sample_{n}"] for n in (2, 3, 4)
    }
    assert analysis_ids(api, {"type": "analyses", "freetext": "%"}) == set()  # not a wildcard
    assert analysis_ids(api, {"type": "analyses", "freetext": ".*"}) == set()  # nor a regex
    assert analysis_ids(api, {"type": "analyses"}) == set()
    item = search(api, {"type": "analyses", "freetext": "Diag-HBOC-1"}).json["analyses"][0]
    assert item["name"] == "Diag-HBOC-1" and item["interpretations"][0]["status"] == "Not started"


def test_result_shape(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    response = search(api, {"type": "alleles", "freetext": "13:32890600"})
    assert set(response.json) == {"alleles", "analyses"}
    [item] = response.json["alleles"]
    allele = item["allele"]
    assert allele["id"] == world.alleles["hboc_rare"]
    assert (allele["chromosome"], allele["vcf_pos"], allele["vcf_ref"], allele["vcf_alt"]) == ("13", 32890600, "A", "G")
    assert allele["annotation"]["filtered_transcripts"] == ["NM_000059.3"]
    assert allele["allele_assessment"]["classification"] == "4"
    assert item["interpretations"] == []
    lone = search(api, {"type": "alleles", "freetext": "13:32900000"}).json["alleles"][0]
    assert [(i["status"], i["user"]["username"]) for i in lone["interpretations"]] == [("Ongoing", "bob")]
    trio = search(api, {"type": "alleles", "freetext": "13:32890607"}).json["alleles"][0]["allele"]
    assert trio["annotation"]["filtered_transcripts"] == ["NM_000059.3"]  # the panel's transcript only
    assert len(trio["annotation"]["transcripts"]) > 1


def test_paging_and_limit(env):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    query = {"type": "alleles", "gene": GENE}
    every = [i["allele"]["id"] for i in search(api, query, per_page=50).json["alleles"]]
    pages = []
    for page in (1, 2, 3, 4, 5):
        response = search(api, query, page=page, per_page=2)
        assert response.headers["Total-Count"] == str(len(every))
        assert response.headers["Total-Pages"] == "5" and response.headers["Page"] == str(page)
        pages += [i["allele"]["id"] for i in response.json["alleles"]]
    assert pages == every
    assert search(api, query, page=6, per_page=2).json["alleles"] == []
    limited = search(api, query, per_page=2, limit=3)
    assert limited.headers["Total-Count"] == "3"
    first_three = [i for i in every if i in sorted(every)[:3]]  # the first three by id, shown by position
    assert [i["allele"]["id"] for i in limited.json["alleles"]] == first_three[:2]
    assert [i["allele"]["id"] for i in search(api, query, page=2, per_page=2, limit=3).json["alleles"]] == first_three[
        2:
    ]
    assert search(api, query, page=3, per_page=2, limit=3).headers["Total-Count"] == "3"  # past the end


def test_a_limited_search_checks_visibility_a_batch_at_a_time(env, monkeypatch):
    """With ``limit`` (ELLA's client asks limit=100) the matches are checked for visibility a batch at a time in
    id order until enough are found (PostgreSQL would otherwise hash every allele the user may see: issue 14's
    c. prefix and user queries with 1M alleles); the answer is the one query's: the first matches by id, shown
    by position. When a few batches do not suffice, the one query takes over."""
    from ella_app.services import search as service

    app, url, world = env
    ada = Api(app, url, world.users["ada"])
    cid = Api(app, url, world.users["cid"])
    query = {"type": "alleles", "gene": GENE}
    every = [i["allele"]["id"] for i in search(ada, query, per_page=50).json["alleles"]]  # no limit: one query
    assert len(every) > 8
    batches: list[int] = []
    real = service._first_visible

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        batches.append(-1 if found is None else len(found))
        return found

    monkeypatch.setattr(service, "_first_visible", spy)
    monkeypatch.setattr(service, "CANDIDATES", 2)
    for limit in (1, 3, 8, 9, len(every) + 5):  # 8 = four batches of two; beyond, the one query answers
        response = search(ada, query, per_page=50, limit=limit)
        first = sorted(every)[:limit]
        assert [i["allele"]["id"] for i in response.json["alleles"]] == [i for i in every if i in first], limit
        assert response.headers["Total-Count"] == str(len(first))
    assert batches == [1, 3, 8, -1, -1]
    # out of reach: the other group's variant is checked and left out; the gene of theirs is found
    assert allele_ids(ada, {"type": "alleles", "freetext": "16:2139800"}, limit=100) == set()
    assert allele_ids(cid, {"type": "alleles", "freetext": "16:2139800"}, limit=100) == {world.alleles["cilio"]}
    assert allele_ids(cid, query, limit=100) == set()  # every match out of reach: the one query, nothing
    page_two = search(ada, query, page=2, per_page=2, limit=3).json["alleles"]
    assert [i["allele"]["id"] for i in page_two] == [i for i in every if i in sorted(every)[:3]][2:]


# ------------------------------------------------------------------------------------------ access


def test_other_groups_see_nothing_of_ours(env):
    app, url, world = env
    cid = Api(app, url, world.users["cid"])
    ada = Api(app, url, world.users["ada"])
    for freetext in ("13:32890607", "13:32890600-32890700", "NM_000059.3:c.10G>T", "13:32900000", "20:1000"):
        assert allele_ids(cid, {"type": "alleles", "freetext": freetext}) == set()
    assert allele_ids(cid, {"type": "alleles", "user": {"username": "ada"}}) == set()
    assert analysis_ids(cid, {"type": "analyses", "freetext": "brca"}) == {world.analyses["other"]}
    assert analysis_ids(cid, {"type": "analyses", "user": {"username": "ada"}}) == set()
    assert allele_ids(cid, {"type": "alleles", "freetext": "16:2139800"}) == {world.alleles["cilio"]}
    assert allele_ids(ada, {"type": "alleles", "freetext": "16:2139800"}) == set()
    assert world.analyses["other"] not in analysis_ids(ada, {"type": "analyses", "freetext": "brca"})


def test_options(env):
    app, url, world = env
    ada = Api(app, url, world.users["ada"])
    cid = Api(app, url, world.users["cid"])

    def options(api: Api, q: Any) -> Any:
        response = _get(api, "/api/v1/search/options/", q)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    assert options(ada, {"gene": "brc"}) == {
        "gene": [{"symbol": "BRCA1", "hgnc_id": 1100}, {"symbol": "BRCA2", "hgnc_id": 1101}]
    }
    assert options(cid, {"gene": "brc"}) == {"gene": []}
    assert options(cid, {"gene": "PK"}) == {"gene": [{"symbol": "PKD1", "hgnc_id": 9008}]}
    assert options(ada, {"gene": "_"}) == {"gene": []}
    assert options(ada, {"user": "b"}) == {"user": [{"username": "bob", "first_name": "Bob", "last_name": "Tester"}]}
    assert options(ada, {"user": "tes"})["user"] == [
        {"username": "ada", "first_name": "Ada", "last_name": "Tester"},
        {"username": "bob", "first_name": "Bob", "last_name": "Tester"},
    ]
    assert options(cid, {"user": "ada"}) == {"user": []}  # other groups' users are not suggested
    assert options(ada, {"genepanel": None, "user": None}) == {}


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("q", "params", "key"),
    [
        (None, {}, "q"),
        ("not json", {}, "q"),
        ("[1, 2]", {}, "q"),
        ('{"type": "alleles", "freetext": NaN}', {}, "q"),
        ("[" * 3000 + "]" * 3000, {}, "q"),
        ({"freetext": "13:1"}, {}, "q.type"),
        ({"type": "variants"}, {}, "q.type"),
        ({"type": "alleles", "freetext": 13}, {}, "q.freetext"),
        ({"type": "alleles", "freetext": "13:1\u0000"}, {}, "q.freetext"),
        ({"type": "alleles", "freetext": "13:1\u0001"}, {}, "q.freetext"),
        ({"type": "alleles", "freetext": "a" * 201}, {}, "q.freetext"),
        ({"type": "alleles", "freetext": "13:99999999999"}, {}, "q.freetext"),
        ({"type": "alleles", "freetext": "13:" + "9" * 5000}, {}, "q.freetext"),
        ({"type": "alleles", "gene": {"hgnc_id": "1101"}}, {}, "q.gene.hgnc_id"),
        ({"type": "alleles", "gene": {"hgnc_id": 2**40}}, {}, "q.gene.hgnc_id"),
        ({"type": "alleles", "gene": "BRCA2"}, {}, "q.gene.hgnc_id"),
        ({"type": "alleles", "user": "ada"}, {}, "q.user"),
        ({"type": "alleles", "user": {}}, {}, "q.user.username"),
        ({"type": "analyses", "user": {"username": "a\u0000"}}, {}, "q.user.username"),
        ({"type": "alleles", "freetext": "13:1"}, {"per_page": 100000}, "per_page"),
        ({"type": "alleles", "freetext": "13:1"}, {"page": 0}, "page"),
        ({"type": "alleles", "freetext": "13:1"}, {"limit": 0}, "limit"),
        ({"type": "alleles", "freetext": "13:1"}, {"limit": 10**12}, "limit"),
    ],
)
def test_bad_queries_are_422_naming_the_key(env, q, params, key):
    app, url, world = env
    api = Api(app, url, world.users["ada"])
    response = api.get("/api/v1/search/") if q is None else _get(api, "/api/v1/search/", q, **params)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert f"'{key}'" in response.json["message"], response.json["message"]


@pytest.mark.parametrize(
    "raw",
    ["%00", "%7B%22type%22%3A%22alleles%22%2C%22freetext%22%3A%2213%3A1%00%22%7D", "%7B%22type%22%3A%22a%01%22%7D"],
)
def test_raw_control_characters_in_the_query_string_are_422(env, raw):
    app, url, world = env
    response = Api(app, url, world.users["ada"]).get(f"/api/v1/search/?q={raw}")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("q", ["[]", '{"gene": 5}', '{"user": ["a"]}', '{"gene": "a\\u0000"}', "x"])
def test_bad_options_are_422(env, q):
    app, url, world = env
    response = _get(Api(app, url, world.users["ada"]), "/api/v1/search/options/", q)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]


def test_login_required(env):
    app, url, _ = env
    anonymous = Api(app, url, None)
    assert _get(anonymous, "/api/v1/search/", {"type": "alleles", "freetext": "13:1"}).status_code == 403
    assert _get(anonymous, "/api/v1/search/options/", {"gene": "B"}).status_code == 403


# ------------------------------------------------------------------------------------------ the shadow table


def _shadow(url: str, allele_id: int) -> list[tuple[Any, ...]]:
    with session_for(url) as session:
        return sorted(
            session.execute(
                text(
                    "SELECT transcript, hgnc_id, symbol, hgvsc, hgvsp FROM annotationshadowtranscript "
                    "WHERE allele_id = :a"
                ),
                {"a": allele_id},
            ).tuples()
        )


def test_shadow_rows_follow_the_current_annotation(pg, tmp_path):
    name, world = template_db(pg, build_world)
    with copy_db(pg, name) as url:
        allele_id = world.alleles["hboc_rare"]
        assert _shadow(url, allele_id) == [("NM_000059.3", 1101, "BRCA2", "c.100A>G", "p.Lys34Glu")]
        with session_for(url) as session:
            allele = session.get(Allele, allele_id)
            set_annotation(session, allele, {"transcripts": [tx("NM_000059.3", "BRCA2", 1101, [], "c.555G>A")]})
            session.commit()
        assert _shadow(url, allele_id) == [("NM_000059.3", 1101, "BRCA2", "c.555G>A", "p.Lys34Glu")]
        app = make_app(url, tmp_path)
        api = Api(app, url, world.users["ada"])
        assert allele_ids(api, {"type": "alleles", "gene": GENE, "freetext": "c.555"}) == {allele_id}
        assert allele_ids(api, {"type": "alleles", "gene": GENE, "freetext": "c.100A"}) == set()
        # annotations of any shape are taken without error; what is not a transcript gives no row
        odd = [
            {"transcripts": "none"},
            {"transcripts": [1, None, {"transcript": 5, "hgnc_id": "HGNC:1", "HGVSc": ["x"]}]},
            {"transcripts": [{"transcript": "NM_1.1", "hgnc_id": "77", "HGVSc": "c.1A>G", "HGVSp": "NP_1.1:p.X"}]},
        ]
        with session_for(url) as session:
            allele = session.get(Allele, allele_id)
            for annotation in odd:
                set_annotation(session, allele, annotation)
                session.flush()
            session.commit()
        assert _shadow(url, allele_id) == [("NM_1.1", 77, None, "c.1A>G", "p.X")]
        with session_for(url) as session:
            session.execute(
                text("DELETE FROM annotation WHERE allele_id = :a AND date_superceeded IS NULL"), {"a": allele_id}
            )
            session.commit()
        assert _shadow(url, allele_id) == []


def test_shadow_rows_of_an_import(env):
    _, url, world = env
    with session_for(url) as session:
        expected = sum(
            len(a.annotation.get("transcripts", []))
            for a in session.scalars(select(Annotation).where(Annotation.date_superceeded.is_(None)))
        )
        stored = session.scalar(text("SELECT count(*) FROM annotationshadowtranscript"))
    assert stored == expected > 6
    assert ("NM_000059.3", None, "BRCA2", "c.10G>T", "p.Gly4Ter") in _shadow(url, world.alleles["trio_32890607"])
