"""PubMed: files of PubMed ids, and NCBI efetch XML (``PubmedArticleSet``) turned into ELLA references.

A reference is a dict with the keys of ELLA's references file: ``pubmed_id``, ``authors``, ``title``,
``journal``, ``abstract``, ``year``, ``published``. Fields PubMed does not have are left out (a deposit then
leaves them as they are). The text conventions are ELLA's:

* authors: ``Last Initials`` for one author, ``A & B`` for two, ``A et al.`` for more; a collective name
  stands for an author without a last name;
* journal: ``ISO abbreviation (else title): volume(issue), pages.``; books:
  ``In: Editors (eds)., Book title, Publisher, Location.``;
* abstract: the abstract sections, one per line, without their labels.

Deliberate differences: ``year`` is the four-digit year also when PubMed gives a season or range
("2001 Jul-Aug" → "2001"), and a journal without volume, issue and pages reads ``Title.`` rather than
``Title: .``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ella_app.errors import InputError

_YEAR = re.compile(r"\b(\d{4})\b")


def parse_pmid_file(path: str | Path) -> list[int]:
    """Whitespace-separated PubMed ids (one or more per line); duplicates are dropped, order kept."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", source=str(path)) from None
    ids: list[int] = []
    seen: set[int] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        for token in line.split():
            if not token.isascii() or not token.isdigit() or int(token) == 0:
                raise InputError(f"'{token}' is not a PubMed id (a positive integer)", source=str(path), line=number)
            pmid = int(token)
            if pmid not in seen:
                seen.add(pmid)
                ids.append(pmid)
    if not ids:
        raise InputError("no PubMed ids in the file", source=str(path))
    return ids


def _text(element: ET.Element | None) -> str | None:
    """All text of an element including inline markup (<i>, <sup>, ...), whitespace collapsed."""
    if element is None:
        return None
    value = " ".join("".join(element.itertext()).split())
    return value or None


def _find_text(parent: ET.Element, path: str) -> str | None:
    return _text(parent.find(path))


def _author_name(author: ET.Element) -> str | None:
    last = _find_text(author, "LastName")
    if last is None:
        return _find_text(author, "CollectiveName")
    initials = _find_text(author, "Initials")
    return f"{last} {initials}" if initials else last


def format_authors(author_list: ET.Element | None) -> str | None:
    if author_list is None:
        return None
    names = [name for name in (_author_name(a) for a in author_list.findall("Author")) if name]
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} & {names[1]}"
    return f"{names[0]} et al."


def _year(*candidates: str | None) -> str | None:
    for value in candidates:
        if value:
            match = _YEAR.search(value)
            return match.group(1) if match else value
    return None


def _abstract(parent: ET.Element) -> str | None:
    parts = [text for text in (_text(p) for p in parent.findall("Abstract/AbstractText")) if text]
    return "\n".join(parts) or None


def _journal(article: ET.Element) -> str | None:
    title = _find_text(article, "Journal/ISOAbbreviation") or _find_text(article, "Journal/Title")
    if title is None:
        return None
    volume = _find_text(article, "Journal/JournalIssue/Volume") or ""
    issue = _find_text(article, "Journal/JournalIssue/Issue")
    volume_issue = f"{volume}({issue})" if issue else volume
    pages = _find_text(article, "Pagination/MedlinePgn")
    body = ", ".join(part for part in (volume_issue, pages) if part)
    return f"{title}: {body}." if body else f"{title}."


def _parse_journal_article(element: ET.Element) -> dict[str, Any]:
    citation = element.find("MedlineCitation")
    if citation is None:
        raise ValueError("PubmedArticle without MedlineCitation")
    article = citation.find("Article")
    if article is None:
        raise ValueError("PubmedArticle without Article")
    return {
        "pubmed_id": _find_text(citation, "PMID"),
        "authors": format_authors(article.find("AuthorList")),
        "title": _find_text(article, "ArticleTitle") or _find_text(article, "VernacularTitle"),
        "journal": _journal(article),
        "abstract": _abstract(article),
        "year": _year(
            _find_text(article, "Journal/JournalIssue/PubDate/Year"),
            _find_text(article, "Journal/JournalIssue/PubDate/MedlineDate"),
            _find_text(article, "ArticleDate/Year"),
        ),
    }


def _parse_book_article(element: ET.Element) -> dict[str, Any]:
    document = element.find("BookDocument")
    if document is None:
        raise ValueError("PubmedBookArticle without BookDocument")
    book = document.find("Book")
    if book is None:
        raise ValueError("PubmedBookArticle without Book")
    book_title = _find_text(book, "BookTitle")
    chapter_title = _find_text(document, "ArticleTitle")
    book_authors = book.find("AuthorList")
    editors = None
    authors = format_authors(book_authors)
    if book_authors is not None and book_authors.get("Type") == "editors":
        editors = authors
        authors = format_authors(document.find("AuthorList"))
    in_collection = editors is not None or chapter_title is not None
    parts = []
    if editors:
        plural = " & " in editors or "et al." in editors
        parts.append(f"{editors} ({'eds' if plural else 'ed'}).")
    if chapter_title is not None and book_title:
        parts.append(book_title)
    publisher = (_find_text(book, "Publisher/PublisherName"), _find_text(book, "Publisher/PublisherLocation"))
    parts += [p for p in publisher if p]
    journal = (("In: " if in_collection else "") + ", ".join(parts) + ".") if parts else None
    return {
        "pubmed_id": _find_text(document, "PMID"),
        "authors": authors,
        "title": chapter_title or book_title,
        "journal": journal,
        "abstract": _abstract(document),
        "year": _year(_find_text(book, "PubDate/Year"), _find_text(book, "PubDate/MedlineDate")),
    }


def parse_article(element: ET.Element) -> dict[str, Any]:
    """One ``PubmedArticle`` or ``PubmedBookArticle`` element → a reference dict."""
    if element.tag == "PubmedArticle":
        raw = _parse_journal_article(element)
    elif element.tag == "PubmedBookArticle":
        raw = _parse_book_article(element)
    else:
        raise ValueError(f"unexpected element <{element.tag}>")
    pmid = raw.pop("pubmed_id")
    if pmid is None or not pmid.isdigit():
        raise ValueError(f"<{element.tag}> without a valid PMID")
    reference: dict[str, Any] = {"pubmed_id": int(pmid)}
    reference.update({key: value for key, value in raw.items() if value is not None})
    reference["published"] = True
    return reference


def parse_article_set(xml: bytes | str, *, source: str = "PubMed XML") -> list[dict[str, Any]]:
    """An efetch answer (``PubmedArticleSet``, or a single article) → references, in document order.

    Raises InputError naming ``source`` when the XML is malformed or an article lacks its PMID.
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise InputError(f"malformed XML: {exc}", source=source) from None
    if root.tag in ("PubmedArticle", "PubmedBookArticle"):
        elements = [root]
    elif root.tag == "PubmedArticleSet":
        elements = [e for e in root if e.tag in ("PubmedArticle", "PubmedBookArticle")]
    else:
        raise InputError(f"expected <PubmedArticleSet>, got <{root.tag}>", source=source)
    references = []
    for position, element in enumerate(elements, start=1):
        try:
            references.append(parse_article(element))
        except ValueError as exc:
            raise InputError(f"article {position}: {exc}", source=source) from None
    return references
