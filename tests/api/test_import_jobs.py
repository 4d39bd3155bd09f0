"""The annotation-job API at ELLA's URLs (``import/service/*``), driven through the poller against the local
annotation-service stand-in (tests/support/fake_annotation_service.py): ordering, access by gene panel, bad
input (422 naming the line or field, nothing stored), Create/Append/Variants deposits, cancel and retry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from ella_app.services.annotation_client import AnnotationClient
from ella_app.services.poller import AnnotationPoller
from tests.api.factories import Api, World, build_world, copy_db, make_app, template_db
from tests.support.fake_annotation_service import FakeAnnotationService

JOBS = "/api/v1/import/service/jobs/"
THREE = "13:32890607 G>T (het)\n13-32893344-A-G (hom)\nchr13:32900290 A>G (het)\n"
VCF_LINES = "\n".join(
    [
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tbrca_sample_3",
        "13\t32899256\tCD101423\tGA\tG\t5000.0\tPASS\t.\tGT:AD:DP:GQ:PL\t0/1:107,80:187:99:2048,0,2917",
        "13\t32900236\tCS1213347\tA\tT\t5000.0\tPASS\t.\tGT:AD:DP:GQ:PL\t0/1:107,80:187:99:2048,0,2917",
    ]
)


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build_world)


@pytest.fixture
def service() -> Iterator[FakeAnnotationService]:
    fake = FakeAnnotationService(active_polls=1).start()
    yield fake
    fake.stop()


class Env:
    def __init__(self, app: Any, url: str, world: World, service: FakeAnnotationService) -> None:
        self.app, self.url, self.world, self.service = app, url, world, service
        app.config["ELLA_SETTINGS"].config["app"]["annotation_service"] = service.url
        self.ada = Api(app, url, world.users["ada"])  # hboc-lab: HBOC v1.0.0
        self.cid = Api(app, url, world.users["cid"])  # cilio-lab: Ciliopathy v1.0.0

    def poller(self, **kw: Any) -> AnnotationPoller:
        return AnnotationPoller(
            self.url, AnnotationClient(self.service.url), app_config=self.app.config["ELLA_SETTINGS"].config, **kw
        )

    def poll(self, times: int = 4, **kw: Any) -> None:
        poller = self.poller(**kw)
        for _ in range(times):
            poller.poll_once()

    def query(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        engine = create_engine(self.url)
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            rows = [tuple(r) for r in result] if result.returns_rows else []
        engine.dispose()
        return rows

    def count(self, table: str) -> int:
        return int(self.query(f'SELECT count(*) FROM "{table}"')[0][0])

    def delete(self, who: Api, path: str) -> Any:
        return who.client.delete(path, headers={"X-CSRF-Token": who.csrf})


@pytest.fixture
def env(pg, template, tmp_path, service) -> Iterator[Env]:
    name, world = template
    with copy_db(pg, name) as url:
        yield Env(make_app(url, tmp_path), url, world, service)


def _job(data: str = THREE, name: str = "Pasted-1", **more: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "mode": "Analysis",
        "data": data,
        "genepanel_name": "HBOC",
        "genepanel_version": "v1.0.0",
        "properties": {"analysis_name": name, "create_or_append": "Create", "sample_type": "HTS"},
    }
    body.update(more)
    return body


# ------------------------------------------------------------------------------------------ ordering


def test_submit_annotationjob(env):
    """Mirrors ELLA src/api/tests/test_annotationjob.py::test_submit_annotationjob (the job is the caller's,
    whatever user_id the body gives)."""
    response = env.ada.post(JOBS, json={**_job(VCF_LINES, "abc"), "user_id": env.world.users["cid"]})
    assert response.status_code == 200, response.json
    job = response.json
    [(status, history, user_id, task_id, mode, panel, props)] = env.query(
        "SELECT status, status_history, user_id, task_id, mode, genepanel_name, properties FROM annotationjob"
    )
    assert (status, history, task_id, mode, panel) == ("SUBMITTED", {}, "", "Analysis", "HBOC")
    assert user_id == env.world.users["ada"] == job["user_id"] and job["user"]["username"] == "ada"
    assert props["analysis_name"] == "abc" and props["create_or_append"] == "Create"
    assert job["status"] == "SUBMITTED" and job["id"] > 0


def test_validate_only_checks_without_storing(env):
    response = env.ada.post(JOBS + "?validate_only=true", json=_job())
    assert response.status_code == 200 and response.json["id"] is None
    assert env.count("annotationjob") == 0


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (_job("13:32890607 G>T (het)\nthis is not a variant\n"), 422, "line 2"),
        (_job("13:32890607 G>T (het)\n13:32890607 G>T (het)\n"), 422, "listed twice"),
        (_job("13:32890607 G>T\n"), 422, "genotype"),
        (_job("99:1 A>C (het)\n"), 422, "chromosome"),
        (_job(genepanel_name="Ciliopathy"), 422, "genepanel_name"),
        (_job(genepanel_version="v9"), 422, "not one of your user group's panels"),
        (_job(name="bad name/../x"), 422, "properties.analysis_name"),
        (_job(mode="Sideways"), 422, "mode"),
        (_job(data=None), 422, "sample_id"),
        (_job("-A\n1:1 A>C (het)\n-B\n1:2 A>C (het)\n"), 422, "one job takes the variants of one sample"),
        (_job(mode="Single variant", data="13:32890607 G>T\n13:32890617 G>T\n"), 422, "one variant"),
        (
            _job(properties={"analysis_name": "No-Such-1", "create_or_append": "Append"}, genepanel_name=None),
            422,
            "properties.analysis_name",
        ),
        (
            _job(properties={"analysis_name": "Diag-Cilio-1", "create_or_append": "Append"}, genepanel_name=None),
            422,
            "no analysis 'Diag-Cilio-1' you can see",
        ),
        (_job(properties={"analysis_name": "x", "priority": 7}), 422, "priority"),
    ],
)
def test_bad_orders_are_refused_naming_the_problem_and_store_nothing(env, body, status, words):
    response = env.ada.post(JOBS, json=body)
    assert response.status_code == status, response.json
    assert words in response.json["message"], response.json["message"]
    assert env.count("annotationjob") == 0


def test_an_analysis_that_exists_is_a_conflict(env):
    env.query(
        "INSERT INTO analysis (name, genepanel_name, genepanel_version, properties) "
        "VALUES ('Dup.HBOC_v1.0.0', 'HBOC', 'v1.0.0', '{}')"
    )
    response = env.ada.post(JOBS, json=_job(name="Dup"))
    assert response.status_code == 409 and "Dup.HBOC_v1.0.0 exists already" in response.json["message"]
    assert env.count("annotationjob") == 0


def test_the_error_names_the_line_of_the_paste(env):
    response = env.ada.post(JOBS, json=_job("13:32890607 G>T (het)\n\n13:32890608 Q>T (het)\n"))
    assert response.status_code == 422
    assert response.json["message"] == "line 3: REF 'Q' must be bases (A, C, G, T, N)"


def test_a_50_mb_paste_is_refused(env):
    big = "13:32890607 G>T (het)\n" * (50_000_000 // 22)
    response = env.ada.post(JOBS, json=_job(big))
    assert 400 <= response.status_code < 500 and "at most 5,000,000" in response.json["message"]
    assert env.count("annotationjob") == 0


# ------------------------------------------------------------------------------------------ access


def test_jobs_are_seen_only_through_the_groups_gene_panels(env):
    job_id = env.ada.post(JOBS, json=_job()).json["id"]
    assert [j["id"] for j in env.ada.get(JOBS).json] == [job_id]
    assert env.cid.get(JOBS).json == []
    assert env.cid.get(f"{JOBS}{job_id}/").status_code == 404
    assert env.cid.patch(f"{JOBS}{job_id}/", json={"status": "CANCELLED"}).status_code == 404
    assert env.delete(env.cid, f"{JOBS}{job_id}/").status_code == 404
    assert env.query("SELECT status FROM annotationjob") == [("SUBMITTED",)]
    assert env.ada.get(f"{JOBS}2147483648/").status_code == 404


def test_list_filters_on_status_and_pages(env):
    ids = [env.ada.post(JOBS, json=_job(name=f"P{i}")).json["id"] for i in range(3)]
    env.delete(env.ada, f"{JOBS}{ids[0]}/")
    active = env.ada.get(JOBS, query_string={"q": '{"status": ["SUBMITTED", "RUNNING", "ANNOTATED"]}'})
    assert [j["id"] for j in active.json] == [ids[2], ids[1]]
    history = env.ada.get(JOBS, query_string={"q": '{"status": ["CANCELLED", "DONE"]}', "per_page": 1})
    assert [j["id"] for j in history.json] == [ids[0]] and history.headers["Total-Count"] == "1"
    page = env.ada.get(JOBS, query_string={"per_page": 2, "page": 2})
    assert [j["id"] for j in page.json] == [ids[0]] and page.headers["Total-Pages"] == "2"
    bad = env.ada.get(JOBS, query_string={"q": '{"status": ["FINISHED"]}'})
    assert bad.status_code == 422 and "q.status" in bad.json["message"]


# ------------------------------------------------------------------------------------------ through the poller


def test_pasted_variants_become_an_analysis(env):
    job_id = env.ada.post(JOBS, json=_job()).json["id"]
    seen = []
    poller = env.poller()
    for _ in range(4):
        poller.poll_once()
        seen.append(env.ada.get(f"{JOBS}{job_id}/").json["status"])
    assert seen == ["RUNNING", "RUNNING", "ANNOTATED", "DONE"]
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert [h["status"] for h in job["status_history"]["history"]] == ["DONE", "ANNOTATED", "RUNNING"]
    assert "Pasted-1.HBOC_v1.0.0 created" in job["message"]
    [(analysis_id,)] = env.query("SELECT id FROM analysis WHERE name = 'Pasted-1.HBOC_v1.0.0'")
    assert job["analysis_id"] == analysis_id
    assert env.ada.get(f"/api/v1/analyses/{analysis_id}/").status_code == 200
    # what the service got: ella-anno's genomic form with the genotypes
    [task] = env.service.tasks.values()
    assert task["input"].splitlines() == ["13-32890607-G-T (het)", "13-32893344-A-G (hom)", "13-32900290-A-G (het)"]
    assert env.query(
        "SELECT count(*) FROM genotype g JOIN sample s ON s.id = g.sample_id WHERE s.analysis_id = :a", a=analysis_id
    ) == [(3,)]


def test_deposit_independent_variants(env):
    """Mirrors ELLA src/api/tests/test_annotationjob.py::test_deposit_independent_variants."""
    body = _job("13:32890607 G>T\n13:32890617 C>A\n", mode="Variants", properties={"sample_type": "Sanger"})
    job_id = env.ada.post(JOBS, json=body).json["id"]
    env.poll()
    assert env.ada.get(f"{JOBS}{job_id}/").json["status"] == "DONE"
    keys = env.query("SELECT chromosome, vcf_pos, vcf_ref, vcf_alt FROM allele WHERE vcf_pos IN (32890607, 32890617)")
    assert sorted(keys) == [("13", 32890607, "G", "T"), ("13", 32890617, "C", "A")]


def test_append_to_analysis(env):
    """Mirrors ELLA src/api/tests/test_annotationjob.py::test_append_to_analysis, and ELLA's
    AnalysisInterpretationImporter.process(reopen_if_exists=True): a Done interpretation is reopened."""
    analysis_id = env.world.analyses["hboc"]
    genotypes = "SELECT count(*) FROM genotype g JOIN sample s ON s.id = g.sample_id WHERE s.analysis_id = :a"
    [(before,)] = env.query(genotypes, a=analysis_id)
    env.query(
        "UPDATE analysisinterpretation SET status = 'Done', finalized = true WHERE analysis_id = :a", a=analysis_id
    )
    body = _job(
        "13:32890700 C>T (het)\n13:32890710 G>A (hom)\n",
        properties={"analysis_name": "Diag-HBOC-1", "create_or_append": "Append", "sample_type": "Sanger"},
        genepanel_name=None,
        genepanel_version=None,
    )
    response = env.ada.post(JOBS, json=body)
    assert response.status_code == 200, response.json
    assert (response.json["genepanel_name"], response.json["genepanel_version"]) == ("HBOC", "v1.0.0")
    env.poll()
    job = env.ada.get(f"{JOBS}{response.json['id']}/").json
    assert job["status"] == "DONE", job["message"]
    assert "2 variant(s) appended to analysis Diag-HBOC-1" in job["message"] and "reopened" in job["message"]
    assert job["analysis_id"] == analysis_id
    assert env.query(genotypes, a=analysis_id) == [(before + 2,)]
    rounds = env.query("SELECT status FROM analysisinterpretation WHERE analysis_id = :a ORDER BY id", a=analysis_id)
    assert rounds == [("Done",), ("Not started",)]
    assert env.query("SELECT sample_type FROM sample WHERE analysis_id = :a ORDER BY id", a=analysis_id)[-1] == (
        "Sanger",
    )
    filtered = env.ada.get(
        f"/api/v1/workflows/analyses/{analysis_id}/interpretations/"
        f"{env.query('SELECT max(id) FROM analysisinterpretation WHERE analysis_id = :a', a=analysis_id)[0][0]}"
        "/filteredalleles/"
    )
    assert filtered.status_code == 200
    shown = {*filtered.json["allele_ids"], *(i for ids in filtered.json["excluded_allele_ids"].values() for i in ids)}
    new = {r[0] for r in env.query("SELECT id FROM allele WHERE vcf_pos IN (32890700, 32890710)")}
    assert new <= shown  # the stored filter result was dropped and computed again with the new variants


def test_append_to_an_open_interpretation_leaves_it_open(env):
    analysis_id = env.world.analyses["hboc"]
    body = _job("13:32890700 C>T (het)\n", properties={"analysis_name": "Diag-HBOC-1", "create_or_append": "Append"})
    job_id = env.ada.post(JOBS, json=body).json["id"]
    env.poll()
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert job["status"] == "DONE" and "reopened" not in job["message"]
    assert env.query("SELECT count(*) FROM analysisinterpretation WHERE analysis_id = :a", a=analysis_id) == [(1,)]


# ------------------------------------------------------------------------------------------ cancel and retry


def test_cancel_before_and_during_annotation(env):
    first = env.ada.post(JOBS, json=_job(name="A")).json["id"]
    cancelled = env.delete(env.ada, f"{JOBS}{first}/")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "CANCELLED"
    assert cancelled.json["message"] == "cancelled by ada"
    second = env.ada.post(JOBS, json=_job(name="B")).json["id"]
    env.poller().poll_once()  # submitted: RUNNING at the service
    assert env.ada.get(f"{JOBS}{second}/").json["status"] == "RUNNING"
    response = env.ada.patch(f"{JOBS}{second}/", json={"status": "CANCELLED"})
    assert response.status_code == 200 and response.json["status"] == "CANCELLED"
    env.poll()
    for job_id in (first, second):
        job = env.ada.get(f"{JOBS}{job_id}/").json
        assert job["status"] == "CANCELLED" and job["status_history"]["history"][0]["status"] == "CANCELLED"
    assert env.service.requests.count("POST /api/v1/annotate") == 1  # the first never went to the service
    assert env.count("analysis") == 2  # the world's two; nothing imported
    again = env.delete(env.ada, f"{JOBS}{first}/")
    assert again.status_code == 409 and "CANCELLED" in again.json["message"]


def test_failed_job_is_retried_and_done_job_is_not(env):
    env.service.reject_annotate = True
    env.service.error_message = "the input has no variants the service can read"
    job_id = env.ada.post(JOBS, json=_job()).json["id"]
    env.poll(1)
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert job["status"] == "FAILED (SUBMISSION)"
    assert "the input has no variants the service can read" in job["message"]
    env.service.reject_annotate = False
    bad = env.ada.patch(f"{JOBS}{job_id}/", json={"status": "RUNNING"})
    assert bad.status_code == 422 and "status" in bad.json["message"]
    retried = env.ada.patch(f"{JOBS}{job_id}/", json={"status": "SUBMITTED"})
    assert retried.status_code == 200 and retried.json["status"] == "SUBMITTED"
    env.poll()
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert job["status"] == "DONE"
    assert [h["status"] for h in job["status_history"]["history"]] == [
        "DONE",
        "ANNOTATED",
        "RUNNING",
        "SUBMITTED",
        "FAILED (SUBMISSION)",
    ]
    done = env.ada.patch(f"{JOBS}{job_id}/", json={"status": "SUBMITTED"})
    assert done.status_code == 409 and "only failed or cancelled jobs" in done.json["message"]


def test_retry_with_corrected_variants(env):
    env.service.hgvs = {}
    job_id = env.ada.post(JOBS, json=_job("NM_000059.3:c.7397T>C (het)\n")).json["id"]
    env.poll()
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert job["status"] == "FAILED (PROCESSING)" and "cannot map NM_000059.3:c.7397T>C" in job["message"]
    wrong = env.ada.patch(f"{JOBS}{job_id}/", json={"status": "SUBMITTED", "data": "13:xx G>T (het)"})
    assert wrong.status_code == 422 and "line 1" in wrong.json["message"]
    fixed = env.ada.patch(f"{JOBS}{job_id}/", json={"status": "SUBMITTED", "data": "13:32929387 T>C (het)"})
    assert fixed.status_code == 200 and fixed.json["data"] == "13-32929387-T-C (het)"
    env.poll()
    assert env.ada.get(f"{JOBS}{job_id}/").json["status"] == "DONE"


@pytest.mark.parametrize(
    ("switch", "state", "reason"),
    [
        ("status_error", "FAILED (ANNOTATION)", "annotation crashed"),
        ("process_error", "FAILED (PROCESSING)", "annotation crashed"),
        ("bad_vcf", "FAILED (DEPOSIT)", ""),
    ],
)
def test_service_failures_leave_a_named_failed_state_and_nothing_imported(env, switch, state, reason):
    setattr(env.service, switch, True)
    job_id = env.ada.post(JOBS, json=_job()).json["id"]
    env.poll()
    job = env.ada.get(f"{JOBS}{job_id}/").json
    assert job["status"] == state and job["message"] and reason in job["message"]
    assert env.count("analysis") == 2 and env.query("SELECT count(*) FROM allele WHERE vcf_pos = 32893344") == [(0,)]


# ------------------------------------------------------------------------------------------ the service


def test_running_and_samples(env):
    running = env.app.test_client().get("/api/v1/import/service/running/")
    assert running.status_code == 200 and running.json == {"running": True}
    found = env.ada.get("/api/v1/import/service/samples/", query_string={"term": "sample-1", "limit": 5})
    assert found.status_code == 200 and found.json == [{"technology": "HTS", "name": "Diag-Sample-1"}]
    assert env.app.test_client().get("/api/v1/import/service/samples/?term=x").status_code == 403
    env.service.stop()
    assert env.app.test_client().get("/api/v1/import/service/running/").json == {"running": False}
    down = env.ada.get("/api/v1/import/service/samples/", query_string={"term": "x"})
    assert down.status_code == 502 and down.json["message"].startswith("GET http://127.0.0.1")
    env.service = FakeAnnotationService().start()  # for the fixture's stop()


def test_annotationconfigs_by_id(env):
    view = '[{"section": "external", "template": "keyValue", "source": "external.HGMD", "config": {}}]'
    [(config_id,)] = env.query(
        "INSERT INTO annotationconfig (deposit, view) VALUES ('[]', CAST(:v AS jsonb)) RETURNING id", v=view
    )
    response = env.ada.get("/api/v1/annotationconfigs/", query_string={"annotation_config_ids": str(config_id)})
    assert response.status_code == 200 and [c["id"] for c in response.json] == [config_id]
    assert response.json[0]["view"][0]["source"] == "external.HGMD"
    missing = env.ada.get("/api/v1/annotationconfigs/", query_string={"annotation_config_ids": "999999"})
    assert missing.status_code == 404
    assert env.ada.get("/api/v1/annotationconfigs/").status_code == 422


def test_cancel_while_the_poller_holds_the_job_is_a_conflict(env):
    job_id = env.ada.post(JOBS, json=_job()).json["id"]
    engine = create_engine(env.url)
    try:
        with engine.begin() as conn:  # the poller's lock while it submits or deposits
            conn.execute(text("SELECT id FROM annotationjob WHERE id = :i FOR UPDATE"), {"i": job_id})
            response = env.delete(env.ada, f"{JOBS}{job_id}/")
            assert response.status_code == 409 and "being handled by the poller" in response.json["message"]
    finally:
        engine.dispose()
    assert env.query("SELECT status FROM annotationjob WHERE id = :i", i=job_id) == [("SUBMITTED",)]
    assert env.delete(env.ada, f"{JOBS}{job_id}/").json["status"] == "CANCELLED"  # once the lock is gone
