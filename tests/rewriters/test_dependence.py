"""The dependence proof of rewriters/loops, fed access records directly (no source, no libcst)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from optadvise.rewriters.loops.dependence import Access, LoopAccesses, disjoint, pivot_reads, prove

Record = tuple[int, Access, bool]


def rd(array: str, *offsets: int | None, subs: tuple[str, ...] | None = None, at: int = 0) -> Record:
    """A read of `array` at loop index + offset per axis (None: axis unused), in statement `at`."""
    return at, Access(array, offsets, subs if subs is not None else ("",) * len(offsets)), False


def wr(array: str, *offsets: int | None, subs: tuple[str, ...] | None = None, at: int = 0) -> Record:
    """A write, like `rd`."""
    return at, Access(array, offsets, subs if subs is not None else ("",) * len(offsets)), True


def verdict(*accesses: Record, fresh: Iterable[str] = (), iterated: Iterable[str] = (),
            results: Iterable[str] = ()) -> tuple[str, str]:
    v = prove(LoopAccesses(tuple(accesses), frozenset(iterated), frozenset(fresh), frozenset(results)))
    return v.kind, v.reason


def test_elementwise_map_into_a_fresh_array_is_independent():
    assert verdict(rd("a", 0), wr("out", 0), fresh={"out"})[0] == "independent"


def test_stencil_reading_neighbours_of_another_array_is_independent():
    assert verdict(rd("a", -1), rd("a", 0), rd("a", 1), wr("out", 0), fresh={"out"})[0] == "independent"


def test_in_place_update_of_the_element_itself_is_independent():
    # a[i] = a[i] * 2: read and write of the same element, one array only (nothing to alias)
    assert verdict(rd("a", 0), wr("a", 0))[0] == "independent"


def test_accumulated_results_make_a_reduction_named_in_the_reason():
    kind, reason = verdict(rd("a", 0), results={"total"})
    assert kind == "reduction" and "`total`" in reason


def test_reading_what_an_earlier_iteration_wrote_is_a_recurrence():
    kind, reason = verdict(rd("x", -1), wr("x", 0), fresh={"x"})
    assert kind == "carried" and "recurrence" in reason


def test_reading_ahead_before_the_write_is_allowed_but_after_it_is_carried():
    assert verdict(rd("x", 1, at=0), wr("x", 0, at=0), fresh={"x"})[0] == "independent"
    kind, reason = verdict(wr("x", 0, at=0), rd("x", 1, at=1), fresh={"x"})
    assert kind == "carried" and "read ahead" in reason


def test_the_first_nonzero_axis_offset_decides_in_a_2d_nest():
    assert verdict(rd("g", 0, -1), wr("g", 0, 0), fresh={"g"})[0] == "carried"
    assert verdict(rd("g", 1, -1), wr("g", 0, 0), fresh={"g"})[0] == "independent"


def test_writing_two_places_per_iteration_is_carried():
    kind, reason = verdict(wr("x", 0), wr("x", 1), fresh={"x"})
    assert kind == "carried" and "several different places" in reason


def test_iterating_over_the_array_written_is_carried():
    kind, reason = verdict(wr("a", 0), iterated={"a"}, fresh={"a"})
    assert kind == "carried" and "iterates over `a`" in reason


def test_other_constant_column_is_never_the_element_written():
    assert verdict(rd("m", 0, None, subs=("", "1")), wr("m", 0, None, subs=("", "0")),
                   fresh={"m"})[0] == "independent"


@pytest.mark.parametrize("subs", [("", "k"), ("", "0")])
def test_same_or_symbolic_fixed_index_differing_is_carried(subs):
    kind, reason = verdict(rd("m", 0, None, subs=("", "j")), wr("m", 0, None, subs=subs), fresh={"m"})
    assert kind == "carried" and "different fixed indices" in reason


def test_different_index_pattern_is_carried():
    kind, reason = verdict(rd("g", 0, None), wr("g", 0, 0), fresh={"g"})
    assert kind == "carried" and "different index pattern" in reason


def test_written_array_not_allocated_before_the_loop_may_alias_another():
    kind, reason = verdict(rd("a", 0), wr("b", 0))
    assert kind == "carried" and "may share memory with `a`" in reason
    assert verdict(rd("a", 0), wr("b", 0), fresh={"a"})[0] == "independent"


def at(array: str, subs: tuple[str, ...], lows: tuple[tuple[str, int] | None, ...]) -> Access:
    """An access with fixed subscripts `subs` ("" where a loop index stands, its least value in `lows`)."""
    return Access(array, (0,) * sum(not s for s in subs), subs, lows=lows)


@pytest.mark.parametrize("fixed, low, apart", [
    ("k", ("k", 1), True),  # row k against rows k+1.. (LU's pivot row)
    ("k + 1", ("k", 2), True),
    ("0", ("", 1), True),
    ("k", ("k", 0), False),  # the loop starts at the fixed row itself
    ("k - 1", ("k", 0), False),  # k - 1 is -1 (the last row) when k is 0
    ("-1", ("", 1), False),  # wraps around to the last row
    ("j", ("k", 1), False),  # another symbol: nothing known
])
def test_a_fixed_index_below_the_loop_start_is_never_the_element_written(fixed: str, low: tuple[str, int],
                                                                          apart: bool) -> None:
    w = at("a", ("", ""), (low, low))
    r = at("a", (fixed, ""), (None, low))
    assert disjoint(w, r) is apart and disjoint(r, w) is apart


def test_distinct_fixed_indices_are_apart_only_as_non_negative_literals() -> None:
    assert disjoint(at("a", ("0", ""), (None, ("", 0))), at("a", ("2", ""), (None, ("", 0))))
    assert not disjoint(at("a", ("-1", ""), (None, ("", 0))), at("a", ("2", ""), (None, ("", 0))))
    assert not disjoint(at("a", ("k", ""), (None, ("", 0))), at("a", ("k + 1", ""), (None, ("", 0))))


def test_the_pivot_row_read_while_the_rows_below_are_written_is_independent() -> None:
    w = (0, at("a", ("", ""), (("k", 1), ("k", 1))), True)
    assert verdict(w, (0, at("a", ("k", ""), (None, ("k", 1))), False),
                   (0, at("a", ("", "k"), (("k", 1), None)), False))[0] == "independent"


def fw_accesses(row: Access) -> list[Record]:
    w = Access("d", (0, 0), ("", ""), (0, 1), (("", 0), ("", 0)))
    col = Access("d", (0, None), ("", "k"), (0,), (("", 0), None))
    return [(0, col, False), (0, row, False), (0, w, False), (0, w, True)]


def test_pivot_row_and_column_reads_are_listed_for_a_run_time_check() -> None:
    row = Access("d", (None, 0), ("k", ""), (1,), (None, ("", 0)))
    accs = fw_accesses(row)
    v = prove(LoopAccesses(tuple(accs), guard_aliases=True))
    assert v.kind == "independent" and len(v.pivots) == 2
    assert prove(LoopAccesses(tuple(accs))).kind == "carried"  # no run-time checks allowed: declined


@pytest.mark.parametrize("row", [
    Access("d", (None, 1), ("k", ""), (1,), (None, ("", 1))),  # the pivot row read one column ahead
    Access("d", (1, None), ("", "k"), (0,), (("", 1), None)),  # a column read one row below
])
def test_a_pivot_read_off_the_written_element_is_not_a_pivot(row: Access) -> None:
    assert pivot_reads("d", fw_accesses(row), LoopAccesses((), guard_aliases=True)) == ()
