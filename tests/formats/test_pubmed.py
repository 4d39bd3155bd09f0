"""PubMed efetch XML → ELLA references, and PubMed id files."""

from __future__ import annotations

import json

import pytest

from ella_app.errors import InputError
from ella_app.formats.pubmed import parse_article_set, parse_pmid_file
from ella_app.formats.references import parse_references
from tests.conftest import DEMO_FIXTURES, UPSTREAM

PUBMED = UPSTREAM / "pubmed"


def parse_file(pmid: int) -> dict:
    [reference] = parse_article_set((PUBMED / f"{pmid}.xml").read_bytes())
    return reference


def test_journal_article_with_medline_date_and_many_authors():
    ref = parse_file(11485765)
    assert ref["pubmed_id"] == 11485765
    assert ref["authors"] == "Budu et al."  # first author has no initials
    assert ref["journal"] == "Jpn. J. Ophthalmol.: 45(4), 355-8."
    assert ref["year"] == "2001"  # from <MedlineDate>2001 Jul-Aug</MedlineDate>
    assert ref["title"].startswith("Peripherin/RDS gene mutation (Pro210Leu)")
    sections = ref["abstract"].split("\n")
    assert len(sections) == 4 and sections[0].startswith("To determine the frequency")
    assert "PURPOSE" not in ref["abstract"]
    assert ref["published"] is True


def test_two_authors_and_single_section_abstract():
    ref = parse_file(16160809)
    assert ref["authors"] == "Ptok M & Morlot S"
    assert ref["journal"] == "HNO: 54(7), 557-60."
    assert ref["year"] == "2006"
    assert "\n" not in ref["abstract"] and ref["abstract"].startswith("Waardenburg syndrome (WS) type 1")


def test_collective_author():
    ref = parse_file(8896564)
    assert ref["authors"] == "Fanconi anaemia/Breast cancer consortium"
    assert ref["journal"] == "Nat. Genet.: 14(3), 324-8."


def test_book_chapter_with_editors():
    ref = parse_file(20301425)
    assert ref["authors"] == "Petrucelli N et al."
    assert ref["title"] == "BRCA1 and BRCA2 Hereditary Breast and Ovarian Cancer"
    assert ref["journal"] == (
        "In: Pagon RA et al. (eds)., GeneReviews(®), University of Washington, Seattle, Seattle (WA)."
    )
    assert ref["year"] == "1993"
    assert ref["abstract"].startswith("Hereditary breast and ovarian cancer syndrome")
    assert "Copyright" not in ref["abstract"]


ARTICLE = """<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>
<Journal>{journal}</Journal><ArticleTitle>A <i>BRCA2</i>  variant
 study</ArticleTitle>{extra}</Article>
<CommentsCorrectionsList><CommentsCorrections><PMID>999</PMID></CommentsCorrections></CommentsCorrectionsList>
</MedlineCitation></PubmedArticle>"""


def test_set_with_missing_fields_inline_markup_and_deleted_citations():
    no_issue = "<JournalIssue><Volume>7</Volume><PubDate><Year>2013</Year></PubDate></JournalIssue>"
    no_iso = "<JournalIssue><PubDate><Year>2014</Year></PubDate></JournalIssue><Title>Arthritis &amp; rheum</Title>"
    xml = (
        "<PubmedArticleSet>"
        + ARTICLE.format(
            pmid=1,
            journal=no_issue + "<ISOAbbreviation>J Med Case Rep</ISOAbbreviation>",
            extra="<Pagination><MedlinePgn>35</MedlinePgn></Pagination>",
        )
        + ARTICLE.format(pmid=2, journal=no_iso, extra="")
        + "<DeleteCitation><PMID>3</PMID></DeleteCitation></PubmedArticleSet>"
    )
    first, second = parse_article_set(xml)
    assert first["journal"] == "J Med Case Rep: 7, 35."
    assert first["title"] == "A BRCA2 variant study"
    assert first["pubmed_id"] == 1, "the article's own PMID, not one from its comments"
    assert second["journal"] == "Arthritis & rheum."
    assert second["year"] == "2014"
    assert "authors" not in second and "abstract" not in second, "fields PubMed lacks are left out"


def test_malformed_or_unexpected_xml_is_an_input_error():
    with pytest.raises(InputError, match="malformed XML"):
        parse_article_set(b"<PubmedArticleSet><oops></PubmedArticleSet>", source="answer")
    with pytest.raises(InputError, match="expected <PubmedArticleSet>"):
        parse_article_set(b"<eFetchResult><ERROR>Empty id list</ERROR></eFetchResult>")
    with pytest.raises(InputError, match="without a valid PMID"):
        parse_article_set(ARTICLE.format(pmid="x", journal="", extra=""))


def test_demo_references_fixture_is_what_the_parser_makes_of_the_sample_xml():
    fixture = [json.loads(line) for line in (DEMO_FIXTURES / "references.json").read_text().splitlines()]
    expected = sorted((parse_file(int(p.stem)) for p in PUBMED.glob("*.xml")), key=lambda r: r["pubmed_id"])
    assert sorted(fixture, key=lambda r: r["pubmed_id"]) == expected
    assert len(parse_references(DEMO_FIXTURES / "references.json")) == len(expected)
    assert parse_pmid_file(DEMO_FIXTURES / "pubmed_ids.txt") == [r["pubmed_id"] for r in fixture]


def test_pmid_file_whitespace_duplicates_and_errors(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("123 456\t789\n\n456   1000\n")
    assert parse_pmid_file(path) == [123, 456, 789, 1000]
    path.write_text("123\n456 12a\n")
    with pytest.raises(InputError, match=r"line 2: '12a' is not a PubMed id"):
        parse_pmid_file(path)
    path.write_text("\n  \n")
    with pytest.raises(InputError, match="no PubMed ids"):
        parse_pmid_file(path)
    with pytest.raises(InputError, match="file not found"):
        parse_pmid_file(tmp_path / "missing.txt")
