"""Conformance: the ``classification`` filter.

Mirrors ELLA src/datalayer/tests/test_classificationfilter.py::test_classificationfilter: one assessment per
class, created a generated number of days ago, generated classes and ``exclude_outdated``, and ELLA's
expected outcome (outdated when at least the class's ``outdated_after_days`` old). A class that the
application does not have is refused when the config is deposited (ELLA raises when filtering).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given

from ella_app.config.loader import load_config_file
from ella_app.errors import InputError
from ella_app.formats.filterconfigs import FilterConfigEntry, check_against_config
from ella_app.services.filters.context import is_outdated
from tests.conftest import EXAMPLE_CONFIG
from tests.filters.builders import CONFORMANCE, allele, context, run

APP_CONFIG = load_config_file(EXAMPLE_CONFIG, {})
CLASSES = ["1", "2", "3", "4", "5", "NP", "RF", "DR"]


@CONFORMANCE
@given(
    st.lists(st.integers(0, 366), min_size=len(CLASSES), max_size=len(CLASSES)),
    st.lists(st.sampled_from(CLASSES), unique=True),
    st.booleans(),
    st.lists(st.integers(1, 2 * len(CLASSES)), min_size=len(CLASSES), unique=True),
)
def test_classificationfilter(days, classes, exclude_outdated, allele_ids):
    """Mirrors ELLA test_classificationfilter.py::test_classificationfilter."""
    now = dt.datetime.now(dt.UTC)
    options = {o["value"]: o for o in APP_CONFIG["classification"]["options"]}
    alleles = []
    want = set()
    for index, (klass, n_days) in enumerate(zip(CLASSES, days, strict=True)):
        created = now - dt.timedelta(days=n_days)
        a = allele(allele_id=index + 1, classification=klass)
        assert a.assessment is not None
        a.assessment = type(a.assessment)(a.id, klass, created, is_outdated(APP_CONFIG, klass, created, now))
        alleles.append(a)
        option = options.get(klass, {})
        valid = not exclude_outdated or "outdated_after_days" not in option or option["outdated_after_days"] > n_days
        if klass in classes and valid and a.id in allele_ids:
            want.add(a.id)
    alleles += [allele(allele_id=i) for i in allele_ids if i > len(CLASSES)]
    ctx = context(alleles)
    config = {"classes": classes, "exclude_outdated": exclude_outdated}
    assert run("classification", ctx, config, [i for i in allele_ids]) == want


def test_unknown_class_is_refused_at_deposit():
    entry = FilterConfigEntry(
        "x", (), [], {"filters": [{"name": "classification", "config": {"classes": ["5", "non-existing-class"]}}]}, 2
    )
    with pytest.raises(InputError) as info:
        check_against_config([entry], APP_CONFIG, str(Path("f.json")))
    assert info.value.key == "filterconfig.filters.0.config.classes"
    assert "non-existing-class" in info.value.message and info.value.line == 2
