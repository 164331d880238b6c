"""The loop machinery shared by the `vectorize` and `numba` rewriters.

site: where a loop sits and what surrounds it; attributes: arrays reached through attribute chains
(`self.x`), keyed as dotted names, and when they hold one object for the whole loop; facts: what is
known of the names it touches; values: the translated value record and kind lattice; dependence: the
dependence proof, a pure function of the loop's accesses; axes/indexing/expressions/statements: the
translation of a nest to whole-array NumPy, layer by layer (rows reads rows and whole arrays with own
dimensions and row_reductions reduces them; contraction, inline, inner_sums, scatter and extremes
add contractions, inlined helpers, inner sums, scatter-adds and running extremes/argmins between
expressions and statements; windows keeps a loop over a window around the nest's indices while the
nest becomes slices, with linear's forms proving their bounds, and clipped splits a window clamped
at the array's edges into that interior and edge loops); translate: the entry point that runs them
and asks for a verdict. Before translation, counted turns a counted `while` into its `for` loop and
lists converts Python lists of floats at the nest's boundary; pivot and scratch serve partial
vectorisation inside carried loops.
"""
