"""The tolerance policy of optadvise.verify.compare, on text, values and files."""

import math

import numpy as np
import pytest

from optadvise.verify.compare import compare_files, compare_text, compare_values, tokens, volatile_positions


def test_text_equal_within_rtol_and_words_exact():
    assert compare_text("mean 1.0000000001\n", "mean  1.0000000002", 1e-9).ok
    d = compare_text("mean 1.0 n 3", "mean 1.1 n 3", 1e-9)
    assert not d.ok and "numbers differ at token 2: 1.0 vs 1.1" in d.reason
    d = compare_text("total 5", "sum 5", 1e-9)
    assert not d.ok and "words differ" in d.reason


def test_integers_compare_exactly_and_length_matters():
    assert not compare_text("count 1000000001", "count 1000000000", 1e-6).ok
    assert compare_text("x 1000000001.0", "x 1000000000.9", 1e-6).ok
    d = compare_text("a 1 2", "a 1", 1e-9)
    assert not d.ok and "prints more" in d.reason


def test_nan_inf_and_words_containing_nan():
    assert compare_text("v nan -inf", "v nan -inf", 1e-9).ok
    assert not compare_text("v nan", "v 0.0", 1e-9).ok
    assert not compare_text("v inf", "v -inf", 1e-9).ok
    assert [t[0] for t in tokens("financial")] == ["w"]


def test_volatile_positions_find_timings():
    assert volatile_positions(["took 1.5 s, result 3.25", "took 1.7 s, result 3.25"], 0.0) == {1}
    assert volatile_positions(["a 1", "b 1"], 0.0) is None
    d = compare_text("took 1.5 s, result 3.25", "took 0.2 s, result 3.25", 1e-9, ignore=frozenset({1}))
    assert d.ok


def test_arrays_shape_dtype_nan_positions():
    a = np.array([1.0, np.nan, 3.0])
    assert compare_values(a, a.copy(), 1e-9).ok
    assert not compare_values(a, np.array([1.0, 2.0, 3.0]), 1e-9).ok
    assert not compare_values(a, a.astype(np.float32), 1e-9).ok
    assert not compare_values(a, a[:2], 1e-9).ok
    d = compare_values(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]), 1e-9)
    assert d.ok and 0 < d.max_rel_diff < 1e-11
    assert not compare_values(np.array([1, 2]), np.array([1, 3]), 1.0).ok  # integers exact


def test_values_nested_and_scalars():
    assert compare_values((np.float64(2.0), [1, 2]), (2.0, [1, 2]), 1e-9).ok
    assert not compare_values((1.0, [1, 2]), (1.0, [1, 2, 3]), 1e-9).ok
    assert not compare_values(np.zeros(2), [0.0, 0.0], 1e-9).ok
    assert not compare_values(True, 1, 1e-9).ok
    assert compare_values({"a": 1.0}, {"a": 1.0 + 1e-12}, 1e-9).ok
    assert compare_values(math.nan, math.nan, 1e-9).ok


@pytest.mark.parametrize("suffix", [".npy", ".csv", ".bin"])
def test_files(tmp_path, suffix):
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    x = np.linspace(0, 1, 11)
    if suffix == ".npy":
        np.save(a, x)
        np.save(b, x * (1 + 1e-12))
        tolerant = True
    elif suffix == ".csv":
        np.savetxt(a, x, delimiter=",")
        np.savetxt(b, x * (1 + 1e-12), delimiter=",")
        tolerant = True
    else:
        a.write_bytes(b"\x00\x01")
        b.write_bytes(b"\x00\x02")
        tolerant = False
    assert compare_files(str(a), str(a), 1e-9).ok
    assert compare_files(str(a), str(b), 1e-9).ok is tolerant
    if suffix == ".npy":
        np.save(b, x + 0.1)
        assert not compare_files(str(a), str(b), 1e-9).ok


def test_number_kind_changes_are_differences():
    assert not compare_text("big 2500", "big 2500.0", 1e-9).ok
    assert not compare_values(2500, 2500.0, 1e-9).ok
    assert compare_values(np.int64(3), 3, 1e-9).ok


def test_random_generators_compare_by_stream_position():
    a, b = np.random.default_rng(1), np.random.default_rng(1)
    assert compare_values(a, b, 1e-9).ok
    b.random()
    assert not compare_values(a, b, 1e-9).ok
    r1, r2 = np.random.RandomState(2), np.random.RandomState(2)
    r2.random_sample()
    assert not compare_values(r1, r2, 1e-9).ok
