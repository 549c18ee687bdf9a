"""Merges OUT/cpp*.json (hand, diffc, ADOL-C, finite differences) and OUT/torch.json (PyTorch) into
OUT/results.json, the markdown table OUT/results.md and the plot OUT/gradient_vs_size.svg.

    /usr/bin/python3 report.py OUT
"""
import datetime
import glob
import json
import os
import sys

PEERS = [("hand", "hand"), ("diffc", "diffc"), ("adolc", "ADOL-C"), ("adolc_retape", "ADOL-C retape"),
         ("torch", "PyTorch"), ("fd", "finite diff.")]


CASE_ORDER = ["gmm", "lstm", "mlp", "rosenbrock", "projectile"]


def case_of(path):
    name = os.path.basename(path)[:-len(".json")]
    return name[len("cpp-"):] if name.startswith("cpp-") else ""


def best(p, impl, kind="gradient"):
    t = p["impls"].get(impl, {}).get(kind)
    return t["best_ns"] if t else None


def us(ns):
    if ns is None:
        return "–"
    v = ns / 1e3
    return f"{v:.3g}" if v < 1000 else f"{v:,.0f}"


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt_ratio(r, target=None, at_most=True):
    if r is None:
        return "–"
    s = f"{r:.2f}" if r < 10 else f"{r:.0f}"
    if target is not None and ((r > target) if at_most else (r < target)):
        s = f"**{s}** ✗"
    return s


def merge(out):
    problems = []
    for path in sorted(glob.glob(os.path.join(out, "cpp*.json")),
                       key=lambda p: CASE_ORDER.index(case_of(p)) if case_of(p) in CASE_ORDER else 99):
        with open(path) as f:
            problems += json.load(f)
    torch_meta = None
    tpath = os.path.join(out, "torch.json")
    if os.path.exists(tpath):
        with open(tpath) as f:
            t = json.load(f)
        torch_meta = {"version": t["torch_version"], "threads": t["threads"]}
        by_key = {(r["case"], r["size"]): r for r in t["problems"]}
        for p in problems:
            r = by_key.get((p["case"], p["size"]))
            if r:
                p["impls"].update(r["impls"])
                p["agreement"]["torch"] = r["agreement"]
    return problems, torch_meta


def small_or_medium(p):
    return p.get("tier") != "large"


def table(problems):
    head = ("| case | size | tier | params | hand µs | diffc µs | diffc / hand | diffc grad / fn | "
            "ADOL-C µs | ADOL-C / diffc | ADOL-C retape µs | PyTorch µs | PyTorch / diffc | FD µs |")
    lines = [head, "|" + "|".join([" --- "] * (head.count("|") - 1)) + "|"]
    for p in problems:
        h, d = best(p, "hand"), best(p, "diffc")
        dfn = best(p, "diffc", "value")
        a, ar, t, fd = best(p, "adolc"), best(p, "adolc_retape"), best(p, "torch"), best(p, "fd")
        peer_target = 10 if small_or_medium(p) else None
        lines.append(
            f"| {p['case']} | {p['size']} | {p['tier']} | {p['n_params']} | {us(h)} | {us(d)} | "
            f"{fmt_ratio(ratio(d, h), 1.2)} | {fmt_ratio(ratio(d, dfn), 3)} | {us(a)} | "
            f"{fmt_ratio(ratio(a, d), peer_target, at_most=False)} | {us(ar)} | {us(t)} | "
            f"{fmt_ratio(ratio(t, d), peer_target, at_most=False)} | {us(fd)} |")
    return "\n".join(lines)


def scaling(problems):
    lines = ["| case | size | growth of the size | diffc gradient µs | growth of diffc's time | "
             "growth of hand's time |", "| --- | --- | --- | --- | --- | --- |"]
    for case in ["rosenbrock", "projectile", "gmm", "lstm"]:
        ps = [p for p in problems if p["case"] == case]
        if case == "gmm":
            ps = [p for p in ps if p["size"].startswith("d10_K25")]
        if case == "lstm":
            ps = [p for p in ps if p["size"].startswith("l2_")]
        if len(ps) < 2:
            continue
        base = ps[0]
        for p in ps:
            lines.append(
                f"| {case} | {p['size']} | {p['scale'] / base['scale']:.0f}x | {us(best(p, 'diffc'))} | "
                f"{best(p, 'diffc') / best(base, 'diffc'):.1f}x | "
                f"{best(p, 'hand') / best(base, 'hand'):.1f}x |")
    return "\n".join(lines)


def targets(problems):
    rows = []
    misses = {"hand": [], "fn": [], "adolc": [], "torch": []}
    for p in problems:
        tag = f"{p['case']} {p['size']}"
        d = best(p, "diffc")
        r = ratio(d, best(p, "hand"))
        if r is not None and r > 1.2:
            misses["hand"].append(f"{tag} ({r:.2f}x)")
        r = ratio(d, best(p, "diffc", "value"))
        if r is not None and r > 3:
            misses["fn"].append(f"{tag} ({r:.2f})")
        if small_or_medium(p):
            for peer in ["adolc", "torch"]:
                r = ratio(best(p, peer), d)
                if r is not None and r < 10:
                    # The hand-derived gradient bounds what any AD tool can reach against a peer.
                    hr = ratio(best(p, peer), best(p, "hand"))
                    bound = f"; hand-derived code {hr:.1f}x" if hr is not None else ""
                    misses[peer].append(f"{tag} ({r:.1f}x{bound})")
    names = {"hand": "diffc gradient within 1.2x of the hand-derived one",
             "fn": "diffc gradient / diffc function <= 3",
             "adolc": ">= 10x faster than ADOL-C (tape replay) on small/medium sizes",
             "torch": ">= 10x faster than PyTorch on small/medium sizes"}
    for k, name in names.items():
        status = "met on every case" if not misses[k] else "missed on " + ", ".join(misses[k])
        rows.append(f"- {name}: {status}")
    return "\n".join(rows)


def plot(problems, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib is not installed (apt-get install python3-matplotlib); no plot")
        return
    series = [("rosenbrock", None, "Rosenbrock (indexing loop)"), ("projectile", None, "projectile (simulation)"),
              ("gmm", "d10_K25", "GMM d=10 K=25"), ("lstm", "l2_", "LSTM 2 layers")]
    fig, axes = plt.subplots(1, len(series), figsize=(4.2 * len(series), 3.8))
    for ax, (case, prefix, title) in zip(axes, series):
        ps = [p for p in problems if p["case"] == case and (prefix is None or p["size"].startswith(prefix))]
        for impl, label in PEERS:
            pts = [(p["scale"], best(p, impl)) for p in ps if best(p, impl) is not None]
            if len(pts) >= 1:
                ax.plot([x for x, _ in pts], [y / 1e3 for _, y in pts], marker="o", label=label)
        if ps:
            ax.set_xlabel(ps[0]["scale_name"])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("gradient time (µs, best of samples)")
    handles = {}
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, h)
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=len(handles), fontsize=9)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, format="svg")


def main():
    out = sys.argv[1]
    problems, torch_meta = merge(out)
    cpu = ""
    if os.path.exists(os.path.join(out, "cpu.txt")):
        cpu = open(os.path.join(out, "cpu.txt")).read().strip()
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu, "torch": torch_meta}
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"meta": meta, "problems": problems}, f, indent=1)
    torch_line = (f"PyTorch {torch_meta['version']} on CPU, float64, {torch_meta['threads']} thread"
                  if torch_meta else "PyTorch: not installed, skipped")
    md = f"""Measured {meta['date']} on {cpu or 'this machine'} (2 cores shared with other work).
Times are per call, the best of interleaved samples (each sample averages enough calls to last
at least 2 ms); ratios compare figures of the same run. Gradient times include the value.
Every implementation was checked against the hand-derived gradient before timing (and that one
against central finite differences). {torch_line}. Bold ✗ marks a missed target.

{table(problems)}

Targets:
{targets(problems)}

Growth with size (the largest size of each case against the smallest):

{scaling(problems)}
"""
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(md)
    plot(problems, os.path.join(out, "gradient_vs_size.svg"))
    update_readme(out, md)


def update_readme(out, md):
    """Puts the table into the repository README between its benchmark markers, if it has them."""
    readme = os.path.join(out, "..", "..", "..", "README.md")
    begin, end = "<!-- bench:begin (tests/bench/run.sh writes this) -->", "<!-- bench:end -->"
    if not os.path.exists(readme):
        return
    with open(readme) as f:
        text = f.read()
    if begin not in text or end not in text:
        return
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(readme, "w") as f:
        f.write(head + begin + "\n" + md + end + tail)


if __name__ == "__main__":
    main()
