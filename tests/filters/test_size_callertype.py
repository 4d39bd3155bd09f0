"""Conformance: the ``size`` and ``callertype`` filters.

Mirrors ELLA src/datalayer/tests/test_sizefilter.py::test_sizefilter and
src/datalayer/tests/test_callertypefilter.py::test_callertypefilter (generated lengths, modes, thresholds
and caller types against ELLA's parallel implementations).
"""

from __future__ import annotations

import operator

import hypothesis.strategies as st
from hypothesis import given

from tests.filters.builders import CONFORMANCE, allele, context, run

MODES = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le, "==": operator.eq}


@CONFORMANCE
@given(
    st.lists(st.integers(1, 10_000_000), min_size=1, max_size=10),
    st.sampled_from(list(MODES)),
    st.integers(0, 10_000_000),
)
def test_sizefilter(sizes, mode, threshold):
    """Mirrors ELLA test_sizefilter.py::test_sizefilter."""
    alleles = [allele(length=size) for size in sizes]
    want = {a.id for a in alleles if MODES[mode](a.length, threshold)}
    assert run("size", context(alleles), {"mode": mode, "threshold": threshold}) == want


@CONFORMANCE
@given(
    st.lists(st.sampled_from(["cnv", "snv"]), min_size=1, max_size=6),
    st.lists(st.sampled_from(["cnv", "snv"]), unique=True),
)
def test_callertypefilter(caller_types, configs):
    """Mirrors ELLA test_callertypefilter.py::test_callertypefilter: one config per caller type, each taking
    exactly the alleles of its type."""
    alleles = [allele(caller_type=t) for t in caller_types]
    for caller_type in configs:
        want = {a.id for a in alleles if a.caller_type == caller_type}
        assert run("callertype", context(alleles), {"callerTypes": [caller_type]}) == want
