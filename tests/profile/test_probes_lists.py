"""What the child-side array scanner records of Python lists of numbers (`probes.describe`)."""

from __future__ import annotations

import numpy as np

from optadvise.profiling.probes import MIN_ARRAY, describe


def _describe(value: object):
    return describe(value, np, "X", "f", "s.py", is_argument=True)


def test_list_of_lists_of_numbers_is_a_two_d_list():
    info = _describe([[1.5] * 40 for _ in range(30)])
    assert info is not None
    assert (info.kind, info.shape, info.dtype, info.nbytes) == ("list", (30, 40), "float", 8 * 1200)


def test_int_matrix_records_its_first_element_type():
    info = _describe([[int(v) for v in row] for row in np.arange(2000).reshape(40, 50)])
    assert info is not None and (info.dtype, info.shape) == ("int", (40, 50))


def test_flat_list_keeps_its_length():
    info = _describe([0.0] * MIN_ARRAY)
    assert info is not None and info.shape == (MIN_ARRAY,)


def test_small_or_non_numeric_lists_are_not_recorded():
    assert _describe([[1.0] * 10 for _ in range(10)]) is None  # 100 elements
    assert _describe([["a"] * 100 for _ in range(100)]) is None
    assert _describe([[]] * 2000) is None
    assert _describe([(1.0, 2.0)] * 2000) is None  # tuples are not rows of a list matrix


def test_ragged_or_mixed_list_of_lists_says_so():
    ragged = [[1.0] * 40 for _ in range(30)] + [[1.0] * 39]
    info = _describe(ragged)
    assert info is not None and (info.shape, info.dtype) == ((31,), "list")
    mixed = [[1.0] * 40 for _ in range(30)] + [[1] + [1.0] * 39]
    info = _describe(mixed)
    assert info is not None and (info.shape, info.dtype) == ((31, 40), "mixed")


def test_flat_list_with_an_int_among_floats_is_mixed():
    info = _describe([0.5] * 2000 + [1])
    assert info is not None and info.dtype == "mixed"
