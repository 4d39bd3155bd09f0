"""``ella-cli deposit references`` and ``ella-cli references fetch`` (against a local fake efetch)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import create_engine, text

from ella_app.errors import ExternalServiceError, InputError
from ella_app.services.pubmed import PubMedClient
from tests.conftest import DEMO_FIXTURES, UPSTREAM, Cli, table_snapshot
from tests.support.fake_http import FakeServer, articles_from_files, free_port

REFERENCES = DEMO_FIXTURES / "references.json"
SAMPLE_IDS = [8896564, 11485765, 16160809, 20301425]


def stored_references(db_url: str) -> dict[int, dict]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT pubmed_id, title, journal, year, published, authors FROM reference"))
        result = {r.pubmed_id: r._asdict() for r in rows}
    engine.dispose()
    return result


@pytest.fixture
def efetch():
    with FakeServer(articles_from_files(sorted((UPSTREAM / "pubmed").glob("*.xml")))) as server:
        yield server


# --- deposit references ---------------------------------------------------------------------------------


def test_deposit_references_twice(cli, db_url):
    first = cli.ok("deposit", "references", str(REFERENCES), "--json").json()
    assert first["changed"] is True and first["created"] == 4
    stored = stored_references(db_url)
    assert sorted(stored) == SAMPLE_IDS
    assert stored[16160809]["authors"] == "Ptok M & Morlot S" and stored[16160809]["published"] is True
    before = table_snapshot(db_url)
    second = cli.ok("deposit", "references", str(REFERENCES), "--json").json()
    assert second["changed"] is False and second["unchanged"] == 4 and second["created"] == 0
    assert table_snapshot(db_url) == before
    human = cli.ok("deposit", "references", str(REFERENCES)).stdout
    assert "references: 0 created, 0 updated, 4 unchanged" in human


def test_deposit_references_updates_changed_fields_only(cli, db_url, tmp_path):
    cli.ok("deposit", "references", str(REFERENCES))
    lines = [json.loads(line) for line in REFERENCES.read_text().splitlines()]
    changed = [
        {"pubmed_id": lines[0]["pubmed_id"], "title": "Corrected title"},  # other fields left out: kept
        *lines[1:],
        {"pubmed_id": 123456, "title": "New one", "year": "2020", "published": False},
    ]
    path = tmp_path / "refs.txt"
    path.write_text("".join(json.dumps(x) + "\n" for x in changed))
    result = cli.ok("deposit", "references", str(path), "--json").json()
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 3)
    stored = stored_references(db_url)
    first = stored[lines[0]["pubmed_id"]]
    assert first["title"] == "Corrected title" and first["journal"] == lines[0]["journal"]
    assert stored[123456]["published"] is False


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"pubmed_id": 1}\n{"pubmed_id": 2, "doi": "10.1/x"}\n', "line 2, key 'doi': unknown key(s): doi"),
        ('{"pubmed_id": 1}\n{"pubmed_id": 2\n', "line 2: invalid JSON"),
        ('{"pubmed_id": 1}\n{"pubmed_id": 2, "year": 1999}\n', "line 2, key 'year'"),
        ('{"pubmed_id": 1}\n{"pubmed_id": 1}\n', "line 2, key 'pubmed_id': duplicate pubmed_id 1"),
        ('{"pubmed_id": 1}\n[1, 2]\n', "line 2"),
    ],
)
def test_deposit_references_bad_input_changes_nothing(cli, db_url, tmp_path, content, expected):
    cli.ok("deposit", "references", str(REFERENCES))
    path = tmp_path / "refs.txt"
    path.write_text(content)
    before = table_snapshot(db_url)
    result = cli("deposit", "references", str(path))
    assert result.exit_code == 2
    assert f"{path}, {expected}" in result.stderr
    assert table_snapshot(db_url) == before


def test_deposit_references_missing_file(cli):
    result = cli("deposit", "references", "/nonexistent/refs.txt")
    assert result.exit_code == 2 and "/nonexistent/refs.txt: file not found" in result.stderr


# --- references fetch -----------------------------------------------------------------------------------


def test_fetch_writes_default_file_in_cwd_that_deposits(cli, db_url, efetch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ids = tmp_path / "ids.txt"
    ids.write_text("8896564 11485765\n16160809\n\n20301425 99999999\n")
    result = cli.ok("references", "fetch", str(ids), "--base-url", efetch.url, "--json").json()
    target = tmp_path / f"references-{dt.date.today():%y%m%d}.txt"
    assert result["output"] == str(target) and result["written"] == 4 and result["missing"] == [99999999]
    assert efetch.efetch_batches() == [[8896564, 11485765, 16160809, 20301425, 99999999]]
    fetched = [json.loads(line) for line in target.read_text().splitlines()]
    assert fetched == [json.loads(line) for line in REFERENCES.read_text().splitlines()]
    assert result["changed"] is True
    again = cli.ok("references", "fetch", str(ids), "--base-url", efetch.url, "--json").json()
    assert again["changed"] is False and [p.name for p in tmp_path.glob(".references*")] == []
    deposited = cli.ok("deposit", "references", str(target), "--json").json()
    assert deposited["created"] == 4


def test_fetch_uses_env_base_url_batches_of_200_and_output_option(cli_env, db_url, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(str(i) for i in range(1000, 1450)))
    out = tmp_path / "out" / "refs.jsonl"
    with FakeServer(synthesize=True) as server:
        cli = Cli({**cli_env, "ELLA_PUBMED_URL": server.url + "/"})
        human = cli.ok("references", "fetch", str(ids), "--output", str(out)).stdout
        assert [len(batch) for batch in server.efetch_batches()] == [200, 200, 50]
    assert f"450 of 450 reference(s) written to {out}" in human
    assert len(out.read_text().splitlines()) == 450


def test_fetch_with_server_down_is_a_clear_error_and_writes_nothing(cli, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    ids = work / "ids.txt"
    ids.write_text("8896564\n")
    out = work / "refs.txt"
    url = f"http://127.0.0.1:{free_port()}"
    result = cli("references", "fetch", str(ids), "--base-url", url, "--output", str(out), "--retries", "0")
    assert result.exit_code == 6
    assert f"PubMed efetch at {url} failed after 1 attempt(s): cannot connect" in result.stderr
    assert "--base-url" in result.stderr
    assert list(work.iterdir()) == [ids]


def test_fetch_with_http_500_is_a_clear_error_and_writes_nothing(cli, efetch, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    ids = work / "ids.txt"
    ids.write_text("8896564\n")
    out = work / "refs.txt"
    efetch.fail_next(5, status=500)
    result = cli("references", "fetch", str(ids), "--base-url", efetch.url, "--output", str(out), "--retries", "0")
    assert result.exit_code == 6 and "HTTP 500" in result.stderr
    assert not out.exists() and list(work.iterdir()) == [ids]


def test_fetch_invalid_id_names_the_line(cli, efetch, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("8896564\n11485765 PMID:123\n")
    result = cli("references", "fetch", str(ids), "--base-url", efetch.url)
    assert result.exit_code == 2 and f"{ids}, line 2: 'PMID:123' is not a PubMed id" in result.stderr
    assert efetch.requests == []


def test_client_retries_with_backoff_then_succeeds(efetch):
    waits: list[float] = []
    client = PubMedClient(efetch.url, retries=3, backoff=0.5, sleep=waits.append)
    client.min_interval = 0
    efetch.fail_next(2, status=503)
    result = client.fetch([16160809])
    assert [r["pubmed_id"] for r in result.references] == [16160809]
    assert result.requests == 3 and waits == [0.5, 1.0]


def test_client_gives_up_after_retries_and_does_not_retry_client_errors(efetch):
    waits: list[float] = []
    client = PubMedClient(efetch.url, retries=2, backoff=0.1, sleep=waits.append)
    client.min_interval = 0
    efetch.fail_next(3, status=500)
    with pytest.raises(ExternalServiceError, match="failed after 3 attempt"):
        client.fetch([16160809])
    assert len(waits) == 2
    bad = PubMedClient(efetch.url + "/nothing-here", retries=3, sleep=waits.append)
    with pytest.raises(ExternalServiceError, match="HTTP 404"):
        bad.fetch([16160809])


def test_client_rejects_non_http_base_url():
    with pytest.raises(InputError, match="not an http"):
        PubMedClient("ftp://example.org/eutils")
