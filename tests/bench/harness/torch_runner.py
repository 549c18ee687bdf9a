"""PyTorch peer: for every exchange file the C++ harness wrote (inputs and the hand-derived value
and gradient of one problem), runs the case's torch_impl.objective on CPU in float64 with one
thread, checks value and gradient against the hand reference (exit 1 on disagreement), then times
the function alone (no_grad) and value + gradient (forward + backward), interleaved.

    /usr/bin/python3 torch_runner.py ROOT OUT quick|full
writes OUT/torch.json.
"""
import glob
import importlib.util
import json
import os
import sys
import time


def load(root, case):
    spec = importlib.util.spec_from_file_location(f"{case}_torch", os.path.join(root, case, "torch_impl.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def tensors(torch, inputs, wrt):
    out = {}
    for name, v in inputs.items():
        if isinstance(v, list):
            dtype = torch.int64 if name == "labels" else torch.float64
            t = torch.tensor(v, dtype=dtype)
            out[name] = t.requires_grad_(True) if name in wrt else t
        else:
            out[name] = v
    return out


def time_interleaved(fns, budget, sample_s=0.002, min_samples=5):
    reps = []
    for f in fns:
        f()
        t0 = time.perf_counter(); f(); one = time.perf_counter() - t0
        reps.append(max(1, min(100000, int(sample_s / max(one, 1e-9)))))
    samples = [[] for _ in fns]
    start = time.perf_counter()
    rounds = 0
    while True:
        for i, f in enumerate(fns):
            t0 = time.perf_counter()
            for _ in range(reps[i]):
                f()
            samples[i].append((time.perf_counter() - t0) / reps[i] * 1e9)
        rounds += 1
        elapsed = time.perf_counter() - start
        if rounds >= min_samples and elapsed > budget or rounds >= 1000:
            break
        if rounds >= 3 and elapsed > 10 * budget:
            break
    out = []
    for i, s in enumerate(samples):
        s.sort()
        out.append({"best_ns": s[0], "median_ns": s[len(s) // 2], "samples": len(s), "reps": reps[i]})
    return out


def main():
    root, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        import torch
    except ImportError:
        print("torch_runner: PyTorch is not installed (apt-get install python3-torch); skipping the PyTorch peer")
        return 0
    torch.set_num_threads(1)  # one thread, like every other implementation here
    budget = 1.5 if mode == "full" else 0.4
    results = []
    for path in sorted(glob.glob(os.path.join(out, "exchange", "*.json"))):
        with open(path) as f:
            ex = json.load(f)
        mod = load(root, ex["case"])
        wrt = ex["wrt"]
        assert wrt == mod.WRT, f"{ex['case']}: torch_impl.WRT {mod.WRT} differs from {wrt}"
        inp = tensors(torch, ex["inputs"], wrt)

        def gradient():
            for name in wrt:
                inp[name].grad = None
            loss = mod.objective(**inp)
            loss.backward()
            return loss

        def value():
            with torch.no_grad():
                return mod.objective(**inp)

        t0 = time.perf_counter(); loss = gradient(); first = time.perf_counter() - t0
        g = torch.cat([inp[name].grad.reshape(-1) for name in wrt]).tolist()
        ref, refv = ex["grad"], ex["value"]
        scale = max(1.0, max(abs(r) for r in ref))
        dg = max(abs(a - b) for a, b in zip(g, ref)) / scale
        dv = abs(loss.item() - refv) / max(1.0, abs(refv))
        dvf = abs(value().item() - refv) / max(1.0, abs(refv))
        tag = f"{ex['case']} {ex['size']}"
        if not (len(g) == len(ref) and dg <= ex["tol"] and dv <= ex["tol"] and dvf <= ex["tol"]):
            print(f"torch_runner: {tag}: DISAGREEMENT: value {loss.item()!r} vs {refv!r}, gradient "
                  f"differs by {dg:.3g} (tolerance {ex['tol']:.1g})", file=sys.stderr)
            return 1
        if first > 5.0:  # long step-by-step simulations: the checked call is the one timing
            one = first
            print(f"torch_runner: {tag}: one gradient takes {one:.1f} s; timed once", file=sys.stderr)
            tg = {"best_ns": one * 1e9, "median_ns": one * 1e9, "samples": 1, "reps": 1}
            t0 = time.perf_counter(); value(); tv1 = time.perf_counter() - t0
            tv = {"best_ns": tv1 * 1e9, "median_ns": tv1 * 1e9, "samples": 1, "reps": 1}
        else:
            tg, tv = time_interleaved([gradient, value], budget)
        print(f"torch_runner: {tag}: gradient {tg['best_ns'] / 1e3:.4g} us", file=sys.stderr)
        results.append({"case": ex["case"], "size": ex["size"], "agreement": max(dg, dv, dvf),
                        "impls": {"torch": {"gradient": tg, "value": tv}}})
    with open(os.path.join(out, "torch.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "threads": torch.get_num_threads(),
                   "problems": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
