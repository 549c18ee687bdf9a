#!/usr/bin/env python3
"""Checks `diffc run --hessian` against central finite differences of `diffc run --grad`.

Usage: hessian_fd.py DIFFC FILE FN INPUTS_JSON [TOL]
The Hessian's rows and columns run over the float parameters' elements, flattened in order.
"""
import json
import subprocess
import sys


def run(diffc, path, fn, inputs, *flags):
    out = subprocess.run([diffc, "run", path, "--fn", fn, "--inputs", "-", *flags],
                         input=json.dumps(inputs), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def flatten(v):
    if isinstance(v, list):
        return [e for x in v for e in flatten(x)]
    return [v]


def main():
    diffc, path, fn, raw = sys.argv[1:5]
    tol = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-6
    inputs = json.loads(raw)
    hess = run(diffc, path, fn, inputs, "--hessian")["hessian"]
    grads = run(diffc, path, fn, inputs, "--grad")["grad"]
    names = list(grads.keys())
    # Coordinates: (name, flat index); a setter writes one element of a (nested) input.
    coords = [(n, k) for n in names for k in range(len(flatten(inputs[n])))]

    def bump(name, k, h):
        data = json.loads(json.dumps(inputs))
        val = data[name]
        if not isinstance(val, list):
            data[name] = val + h
            return data
        shape = []
        v = val
        while isinstance(v, list):
            shape.append(len(v))
            v = v[0]
        ref = val
        idx = []
        for d in reversed(shape):
            idx.append(k % d)
            k //= d
        idx.reverse()
        for i in idx[:-1]:
            ref = ref[i]
        ref[idx[-1]] += h
        return data

    worst = 0.0
    for j, (name, k) in enumerate(coords):
        h = 1e-5 * max(1.0, abs(flatten(inputs[name])[k]))
        gp = run(diffc, path, fn, bump(name, k, h), "--grad")["grad"]
        gm = run(diffc, path, fn, bump(name, k, -h), "--grad")["grad"]
        col = [(a - b) / (2 * h) for n in names for a, b in zip(flatten(gp[n]), flatten(gm[n]))]
        for i, fd in enumerate(col):
            err = abs(hess[i][j] - fd) / max(1.0, abs(fd))
            worst = max(worst, err)
            if err > tol:
                print(f"hessian[{i}][{j}] = {hess[i][j]!r}, finite differences {fd!r}")
                sys.exit(1)
    print(f"hessian matches finite differences of the gradient: {len(coords)}x{len(coords)}, "
          f"max rel err {worst:.2e}")


main()
