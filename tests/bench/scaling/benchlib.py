"""Shared by the on-demand benchmarks in tests/bench/scaling and tests/bench/checkpoint: find the
diffc binary, write an inputs file, run `diffc bench` and read its JSON line."""
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def diffc_binary():
    exe = os.environ.get("DIFFC", os.path.join(ROOT, "build", "diffc"))
    if not os.path.exists(exe):
        sys.exit(f"no diffc at {exe}: build it first (ninja -C build diffc) or set DIFFC")
    return exe


def write_inputs(path, values):
    with open(path, "w") as f:
        json.dump(values, f)


def bench(program, fn, inputs, runs=None):
    """{"forward_ns", "gradient_ns", "ratio", "runs", "tape_bytes"} of `diffc bench`."""
    cmd = [diffc_binary(), "bench", program, "--fn", fn, "--inputs", inputs]
    if runs:
        cmd += ["--runs", str(runs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def size_arg(default):
    """Sizes from the command line (`run.py 1000 10000`), else the default list."""
    return [int(float(a)) for a in sys.argv[1:]] or default
