"""Magnitude bounds of integer values computed from loop indices, so that whole-array int64 code is
only written where Python's unbounded ints could not have grown past int64.

A bound is a monomial `coef * N_0**p_0 * N_1**p_1 ...` over the trip bounds `N_k` of the nest axes
(an index of axis k is below N_k). Sums take the larger powers, products add them. Where a trip
bound is not a literal, it is unknown, but indices of distinct axes multiplied once each are below
the number of iterations the Python loop runs, which no loop finishing in practice exceeds
(`ITERATIONS`); a power of two or more of an unknown bound is unbounded.
"""

from __future__ import annotations

from typing import NamedTuple

ITERATIONS = 2**40  # no pure-Python loop nest runs more iterations (about 10 hours at 30 ns each)
INT64_SAFE = 2**62  # values below this stay exact in int64 through one more addition


class Mag(NamedTuple):
    """`|value| <= coef * prod(N_k ** powers[k])`."""

    coef: int
    powers: tuple[int, ...]


def index_mag(k: int, naxes: int) -> Mag:
    return Mag(1, tuple(1 if a == k else 0 for a in range(naxes)))


def const_mag(c: int, naxes: int) -> Mag:
    return Mag(abs(c), (0,) * naxes)


def add_mag(a: Mag | None, b: Mag | None) -> Mag | None:
    if a is None or b is None:
        return None
    return Mag(a.coef + b.coef, tuple(max(x, y) for x, y in zip(a.powers, b.powers)))


def mul_mag(a: Mag | None, b: Mag | None) -> Mag | None:
    if a is None or b is None:
        return None
    return Mag(a.coef * b.coef, tuple(x + y for x, y in zip(a.powers, b.powers)))


def mag_value(mag: Mag | None, trips: list[int | None]) -> int | None:
    """The numeric bound given the literal trip bounds (None: unknown), or None when unbounded."""
    if mag is None:
        return None
    value, unknown = mag.coef, False
    for n, p in zip(trips, mag.powers):
        if p == 0:
            continue
        if n is None:
            if p > 1:
                return None
            unknown = True
        else:
            value *= max(n, 1) ** p
    return value * ITERATIONS if unknown else value


def fits_int64(mag: Mag | None, trips: list[int | None]) -> bool:
    v = mag_value(mag, trips)
    return v is not None and v < INT64_SAFE
