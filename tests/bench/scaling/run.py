#!/usr/bin/env python3
"""O(n) gradients (issue 3): times the forward and gradient runs of scaling.diff at n, 10n and
100n with `diffc bench` and prints a markdown table. On demand, not part of ctest:

    tests/bench/scaling/run.py [SIZES...]      # default 10000 100000 1000000

Linear cost shows as a flat "gradient ns per element" column (100x the size, ~100x the time) and a
gradient / forward ratio that does not grow with n. Where the data outgrows a cache level both the
forward and the gradient slow down per element; the growth columns show both."""
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import bench, size_arg, write_inputs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAM = os.path.join(HERE, "scaling.diff")


def inputs(fn, n, rng):
    if fn == "index_loop":
        return {"x": [rng.uniform(-1, 1) for _ in range(n)], "w": [rng.uniform(-1, 1) for _ in range(n)]}
    return {"p0": [0.3, -0.2], "k": [rng.uniform(0.5, 1.5) for _ in range(n)]}


def main():
    sizes = size_arg([10_000, 100_000, 1_000_000])
    rng = random.Random(7)
    print("| function | n | forward ms | gradient ms | gradient / forward | gradient ns per element "
          "| n growth | forward growth | gradient growth |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for fn in ("index_loop", "simulate"):
            base = None
            for n in sizes:
                path = os.path.join(tmp, f"{fn}-{n}.json")
                write_inputs(path, inputs(fn, n, rng))
                r = bench(PROGRAM, fn, path)
                f, g = r["forward_ns"], r["gradient_ns"]
                base = base or (n, f, g)
                print(f"| {fn} | {n} | {f / 1e6:.3f} | {g / 1e6:.3f} | {r['ratio']:.2f} | {g / n:.1f} | "
                      f"{n / base[0]:.0f}x | {f / base[1]:.1f}x | {g / base[2]:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
