#!/usr/bin/env python3
"""@checkpoint trades tape memory for recomputation: tape bytes and gradient time of a T-step loop
without and with @checkpoint, measured with `diffc bench` (tape_bytes: the tape memory the
gradient holds at its peak, in 64 KiB-or-more arena chunks). On demand, not part of ctest:

    tests/bench/checkpoint/run.py [T...]      # default 1000 10000 100000 1000000

Memory should drop to ~sqrt(T) entries; time should grow by at most ~one forward run. Times are
the thread's CPU time per call (`*_cpu_ns`): on a loaded machine a call longer than a scheduler
time slice gets preempted, which made the wall-clock figures of the longer gradient up to 3x
too high at some sizes; the last column gives the same ratio from wall-clock medians."""
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scaling"))
from benchlib import bench, size_arg, write_inputs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAM = os.path.join(HERE, "rollout.diff")


def kib(b):
    return f"{b / 1024:.0f} KiB"


def main():
    sizes = size_arg([1_000, 10_000, 100_000, 1_000_000])
    rng = random.Random(11)
    print("| T | tape, plain | tape, @checkpoint | forward ms | gradient ms, plain | gradient ms, @checkpoint "
          "| extra time / forward run | same, wall clock |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for t in sizes:
            path = os.path.join(tmp, f"rollout-{t}.json")
            write_inputs(path, {"x0": 0.5, "w": [rng.uniform(-2, 2) for _ in range(t)]})
            p = bench(PROGRAM, "plain", path)
            c = bench(PROGRAM, "checkpointed", path)
            extra = (c["gradient_cpu_ns"] - p["gradient_cpu_ns"]) / p["forward_cpu_ns"]
            wall = (c["gradient_ns"] - p["gradient_ns"]) / p["forward_ns"]
            print(f"| {t} | {kib(p['tape_bytes'])} | {kib(c['tape_bytes'])} | {p['forward_cpu_ns'] / 1e6:.3f} | "
                  f"{p['gradient_cpu_ns'] / 1e6:.3f} | {c['gradient_cpu_ns'] / 1e6:.3f} | {extra:.2f} | "
                  f"{wall:.2f} |", flush=True)


if __name__ == "__main__":
    main()
