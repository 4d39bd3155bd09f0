"""Conformance: running a filter chain (order, exceptions, allele- and analysis-scoped filters).

Mirrors ELLA src/datalayer/tests/test_allelefilter.py::TestAlleleFilter with ELLA's mock filters, here
registered in ``FILTERS`` for the test. ELLA's ``filter_alleles`` (per gene panel, without an analysis) is
not used by ELLA's application, only ``filter_analysis``; its scenarios that apply to an analysis run here
too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ella_app.services import filtering
from ella_app.services.filters import FilterType
from ella_app.services.filters.context import FilterContext
from tests.filters.builders import allele, context


def removes(ids: set[int]) -> Callable[[FilterContext, set[int], dict[str, Any]], set[int]]:
    return lambda ctx, allele_ids, config: set(allele_ids) & ids


def one_three_if_one(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
    return set(allele_ids) & {1, 3} if 1 in allele_ids else set()


MOCKS = {
    "allele_one": ("allele", removes({1})),
    "allele_one_two": ("allele", removes({1, 2})),
    "allele_duplicate_one_two": ("allele", removes({1, 2})),
    "allele_three_four": ("allele", removes({3, 4})),
    "allele_five_six": ("allele", removes({5, 6})),
    "allele_filter_one_three_if_one": ("allele", one_three_if_one),
    "allele_none": ("allele", removes(set())),
    "analysis_one_two": ("analysis", removes({1, 2})),
    "analysis_duplicate_one_two": ("analysis", removes({1, 2})),
    "analysis_three_four": ("analysis", removes({3, 4})),
    "analysis_five_six": ("analysis", removes({5, 6})),
    "analysis_filter_one_three_if_one": ("analysis", one_three_if_one),
    "analysis_none": ("analysis", removes(set())),
}


@pytest.fixture
def chain(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[dict[str, Any]], list[int]], dict[str, Any]]:
    for name, (scope, fn) in MOCKS.items():
        monkeypatch.setitem(filtering.FILTERS, name, FilterType(name, scope, fn))
    monkeypatch.setattr(filtering, "check_filterconfig", lambda config: None)  # the mock names are no ELLA filters

    def run(filters: list[dict[str, Any]], allele_ids: list[int]) -> dict[str, Any]:
        for f in filters:
            f.setdefault("config", {})
            for e in f.setdefault("exceptions", []):
                e.setdefault("config", {})
        ctx = context([allele(allele_id=a) for a in allele_ids])
        remaining, excluded = filtering.run(ctx, {"filters": filters}, set(allele_ids))
        return {"allele_ids": sorted(remaining), "excluded_allele_ids": excluded}

    return run


def test_filter_alleles(chain):
    """Mirrors ELLA test_allelefilter.py::TestAlleleFilter::test_filter_alleles (per analysis)."""
    assert chain([{"name": "allele_one_two"}], [1, 4]) == {
        "allele_ids": [4],
        "excluded_allele_ids": {"allele_one_two": [1]},
    }
    names = ["allele_one_two", "allele_duplicate_one_two", "allele_three_four", "allele_five_six", "allele_none"]
    assert chain([{"name": n} for n in names], list(range(1, 10))) == {
        "allele_ids": [7, 8, 9],
        "excluded_allele_ids": {
            "allele_one_two": [1, 2],
            "allele_duplicate_one_two": [],
            "allele_three_four": [3, 4],
            "allele_five_six": [5, 6],
            "allele_none": [],
        },
    }
    # an allele exception on an allele filter
    assert chain([{"name": "allele_one_two", "exceptions": [{"name": "allele_one"}]}], [1, 2, 3, 4]) == {
        "allele_ids": [1, 3, 4],
        "excluded_allele_ids": {"allele_one_two": [2]},
    }
    # exceptions apply only to the filter they are given for
    filters = [
        {"name": "allele_one_two", "exceptions": [{"name": "allele_three_four"}]},
        {"name": "allele_three_four", "exceptions": [{"name": "allele_one_two"}]},
    ]
    assert chain(filters, [1, 2, 3, 4]) == {
        "allele_ids": [],
        "excluded_allele_ids": {"allele_one_two": [1, 2], "allele_three_four": [3, 4]},
    }


def test_filter_analysis(chain):
    """Mirrors ELLA test_allelefilter.py::TestAlleleFilter::test_filter_analysis."""
    assert chain([{"name": "analysis_one_two"}], [1, 2, 3, 4]) == {
        "allele_ids": [3, 4],
        "excluded_allele_ids": {"analysis_one_two": [1, 2]},
    }
    names = ["analysis_one_two", "analysis_duplicate_one_two", "analysis_three_four", "analysis_five_six"]
    assert chain([{"name": n} for n in [*names, "analysis_none"]], list(range(1, 10))) == {
        "allele_ids": [7, 8, 9],
        "excluded_allele_ids": {
            "analysis_one_two": [1, 2],
            "analysis_duplicate_one_two": [],
            "analysis_three_four": [3, 4],
            "analysis_five_six": [5, 6],
            "analysis_none": [],
        },
    }
    # allele and analysis filters combined
    mixed = ["allele_one_two", "analysis_one_two", "analysis_three_four", "allele_five_six", "analysis_none"]
    assert chain([{"name": n} for n in mixed], list(range(1, 10))) == {
        "allele_ids": [7, 8, 9],
        "excluded_allele_ids": {
            "allele_one_two": [1, 2],
            "analysis_one_two": [],
            "analysis_three_four": [3, 4],
            "allele_five_six": [5, 6],
            "analysis_none": [],
        },
    }
    # an allele exception on an analysis filter sees what the filter removed
    assert chain([{"name": "analysis_one_two", "exceptions": [{"name": "allele_one"}]}], [1, 2, 3, 4]) == {
        "allele_ids": [1, 3, 4],
        "excluded_allele_ids": {"analysis_one_two": [2]},
    }
    # an analysis exception sees every allele still in play
    filters = [
        {"name": "analysis_one_two", "exceptions": [{"name": "analysis_one_two"}]},
        {"name": "analysis_three_four", "exceptions": [{"name": "analysis_one_two"}]},
    ]
    assert chain(filters, [1, 2, 3, 4]) == {
        "allele_ids": [1, 2],
        "excluded_allele_ids": {"analysis_one_two": [], "analysis_three_four": [3, 4]},
    }
    assert chain([{"name": "analysis_one_two"}, {"name": "allele_one_two"}], [1, 2, 3, 4]) == {
        "allele_ids": [3, 4],
        "excluded_allele_ids": {"analysis_one_two": [1, 2], "allele_one_two": []},
    }
    # alleles a filter removed are not given to the next one (all four combinations of scopes)
    for first, second in [
        ("analysis_one_two", "analysis_filter_one_three_if_one"),
        ("allele_one_two", "analysis_filter_one_three_if_one"),
        ("analysis_one_two", "allele_filter_one_three_if_one"),
        ("allele_one_two", "allele_filter_one_three_if_one"),
    ]:
        assert chain([{"name": first}, {"name": second}], [1, 2, 3, 4]) == {
            "allele_ids": [3, 4],
            "excluded_allele_ids": {first: [1, 2], second: []},
        }


def test_an_exception_of_analysis_scope_sees_the_alleles_before_the_filter(chain, monkeypatch):
    """ELLA's filter_analysis passes the alleles in play before the filter to an analysis-scoped exception
    ("if excepting compound heterozygote candidates, while just one was filtered, you need to see all
    candidates in the gene"), and only what the filter removed to an allele-scoped one."""
    seen: dict[str, set[int]] = {}

    def spy(scope: str) -> FilterType:
        def apply(ctx: FilterContext, allele_ids: set[int], config: dict[str, Any]) -> set[int]:
            seen[scope] = set(allele_ids)
            return set()

        return FilterType(f"spy_{scope}", scope, apply)

    for scope in ("allele", "analysis"):
        monkeypatch.setitem(filtering.FILTERS, f"spy_{scope}", spy(scope))
    chain(
        [
            {"name": "allele_five_six"},
            {"name": "allele_one_two", "exceptions": [{"name": "spy_allele"}, {"name": "spy_analysis"}]},
        ],
        [1, 2, 3, 4, 5, 6],
    )
    assert seen == {"allele": {1, 2}, "analysis": {1, 2, 3, 4}}


def test_a_filter_name_used_twice_keeps_both_removals(chain):
    """ELLA keeps only the last entry of a filter name used twice in ``excluded_allele_ids``, so the alleles
    the first one removed are shown nowhere; we keep both (the variant list is the same)."""
    result = chain([{"name": "allele_one_two"}, {"name": "allele_three_four"}, {"name": "allele_one_two"}], [1, 3, 5])
    assert result == {"allele_ids": [5], "excluded_allele_ids": {"allele_one_two": [1], "allele_three_four": [3]}}
