#!/usr/bin/env python3
"""Differential random testing of diffc's gradients.

Generates random well-typed, smooth(ish) scalar functions mixing the constructs the optimiser
rewrites (for loops with carried scalars and vectors, reads and updates at i + c offsets, nested and
triangular loops, integer counters, comprehensions and maps in loops, sum / logsumexp / max / mean
reductions, while loops, if/else, @checkpoint, matmul, slices, f32 and f64) and checks, for each:

  1. `run --grad --jacobian` in the JIT and in the interpreter (`--interp`) print the same bits;
  2. the reverse-mode gradient equals the forward-mode Jacobian row (dot-product test against e_j);
  3. the optimised gradient equals the unoptimised one (`--no-opt --interp`) to rounding;
  4. `gradcheck` (central differences) passes at the same inputs.

Usage: gradfuzz.py DIFFC [--count N] [--seed S] [--keep DIR] [--time SECONDS]
A finding leaves DIR/fail-SEED.diff and its inputs and prints the oracle that failed.
"""
import argparse
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time


class Gen:
    """One random function `f[N](x, y: T[N], A: T[N, N], w: T) -> T`."""

    def __init__(self, rng, ty, helper=False, maxc=2):
        self.maxc = maxc  # largest constant index (sizes 1 and 2 have fewer elements)
        self.helper = helper
        self.cheap = rng.random() < 0.4
        self.r = rng
        self.ty = ty
        self.n = 0
        self.scalars = ["w"]
        self.vectors = ["x", "y"]
        self.matrices = ["A"]
        # index variables in scope: (name, lo, hi): the index runs over lo..N - hi, so i + c is
        # in range for -lo <= c <= hi.
        self.idx = []
        self.lines = []
        self.depth = 0

    def fresh(self, p):
        self.n += 1
        return f"{p}{self.n}"

    def lit(self):
        v = self.r.choice(["0.5", "0.25", "1.5", "2.0", "0.1", "1.0", "0.75"])
        # a literal-only expression is f64: in an f32 function literals are cast
        return f"f32({v})" if self.ty == "f32" else v

    def off(self, name, lo, hi):
        c = self.r.randint(-lo, hi)
        if c == 0:
            return name
        return f"{name} + {c}" if c > 0 else f"{name} - {-c}"

    def index(self):
        """An i64 index expression in range for a vector of length N."""
        if self.idx and self.r.random() < 0.8:
            name, lo, hi = self.r.choice(self.idx)
            return self.off(name, lo, hi)
        return str(self.r.randint(0, self.maxc))

    # ---- scalar expressions --------------------------------------------------------------
    def scalar(self, d=0):
        r = self.r.random()
        if d >= 3 or r < 0.3:
            return self.sleaf()
        k = self.r.randint(0, 16)
        if self.cheap:
            # arithmetic only: loops of these split per offset and pair with their reverse
            k = self.r.choice([0, 0, 1, 2, 2, 4, 5, 11, 12, 13, 14, 15])
        a = lambda: self.scalar(d + 1)
        fors = [e for e in self.idx if not e[0].startswith(("idx", "it"))]
        if k == 14 and fors:
            # a slice starting or ending at a loop index: i + c..N, 0..i + c + 1 (never empty)
            v = self.r.choice(self.vectors)
            name, lo, hi = self.r.choice(fors)
            c = self.r.randint(-lo, hi)
            at = name if c == 0 else (f"{name} + {c}" if c > 0 else f"{name} - {-c}")
            red = self.r.choice(["sum", "max", "min"] if self.cheap else
                                ["sum", "logsumexp", "max", "prod", "norm", "min"])
            # a slice of static length L at a loop index: i + c + L - 1 <= N - 1
            ln = self.r.randint(1, hi - c + 1)
            sl = f"{at}:{name} + {c + ln}"
            return f"{red}({v}[{sl}])"
        if k == 15:
            f = self.r.choice(["max", "min"] if self.cheap else ["max", "min", "hypot", "atan2"])
            return f"{f}({a()}, {a()})"
        if k == 16:
            return self.r.choice([f"clamp({a()}, -0.5, 0.8)",
                                  f"select({a()} > {a()}, {a()}, {a()})",
                                  f"sum(log_softmax({self.vector(d + 1)}) * {self.vector(d + 1)})",
                                  f"prod(1.0 + 0.1 * tanh({self.vector(d + 1)}))"])
        if k == 0:
            return f"({a()} + {a()})"
        if k == 1:
            return f"({a()} - {a()})"
        if k == 2:
            return f"({a()} * {a()})"
        if k == 3:
            f = self.r.choice(["sin", "tanh", "sigmoid", "cos", "atan", "softplus"])
            return f"{f}({a()})"
        if k == 4:
            return f"({a()} / (1.0 + {a()} ^ 2))"
        if k == 5:
            return f"sqrt(1.0 + {a()} ^ 2)"
        if k == 6:
            return f"exp(tanh({a()}))"
        if k == 7:
            return f"log(1.0 + {a()} ^ 2)"
        if k == 8:
            red = self.r.choice(["sum", "logsumexp", "max", "mean", "min", "sum", "logsumexp"])
            return f"{red}({self.vector(d + 1)})"
        if k == 9:
            return f"({self.vector(d + 1)} @ {self.vector(d + 1)})"
        if k == 10:
            # generator reduction
            k2 = self.fresh("k")
            self.idx.append((k2, 0, 0))
            body = self.scalar(d + 1)
            self.idx.pop()
            red = self.r.choice(["sum", "logsumexp", "max"])
            return f"{red}({body} for {k2} in 0..N)"
        if k == 11:
            return f"(if {a()} > {a()} {{ {a()} }} else {{ {a()} }})"
        if k == 12:
            if self.helper and self.r.random() < 0.6:
                return f"g({self.vector(d + 1)}, {self.vector(d + 1)}, {self.r.choice(self.matrices)}, {a()})"
            m = self.r.choice(self.matrices)
            return f"{m}[{self.index()}, {self.index()}]"
        return f"({self.lit()} * {a()})"

    def sleaf(self):
        r = self.r.random()
        if r < 0.45:
            v = self.r.choice(self.vectors)
            return f"{v}[{self.index()}]"
        if r < 0.75:
            return self.r.choice(self.scalars)
        if r < 0.85:
            m = self.r.choice(self.matrices)
            return f"{m}[{self.index()}, {self.index()}]"
        return self.lit()

    # ---- vector expressions (length N) ---------------------------------------------------
    def vector(self, d=0):
        if d >= 3 or self.r.random() < 0.35:
            return self.r.choice(self.vectors)
        k = self.r.randint(0, 10)
        if self.cheap:
            k = self.r.choice([0, 1, 2, 4, 6, 8, 9, 10])
        if self.helper and self.r.random() < 0.2:
            k = 8
        v = lambda: self.vector(d + 1)
        if k == 0:
            return f"({v()} + {v()})"
        if k == 1:
            return f"({v()} * {v()})"
        if k == 2:
            return f"({self.scalar(d + 1)} * {v()})"
        if k == 3:
            f = self.r.choice(["sin", "tanh", "sigmoid", "exp"])
            inner = v()
            return f"{f}({inner})" if f != "exp" else f"exp(tanh({inner}))"
        if k == 4:
            m = self.r.choice(self.matrices)
            t = self.r.choice(["", ".T"])
            return f"({m}{t} @ {v()})"
        if k == 5:
            return f"softmax({v()})"
        if k == 6:
            k2 = self.fresh("k")
            self.idx.append((k2, 0, 0))
            body = self.scalar(d + 1)
            self.idx.pop()
            return f"[{body} for {k2} in 0..N]"
        if k == 7:
            # rotate by slices: (N - 1) + 1 = N
            a = v()
            return f"concat({a}[1:N], {a}[0:1])"
        if k == 8:
            if self.helper and self.r.random() < 0.5:
                return f"gv({v()}, {v()}, {self.r.choice(self.matrices)}, {self.scalar(d + 1)})"
            m = self.r.choice(self.matrices)
            return f"{m}[{self.index()}]"
        if k == 9:
            m = self.r.choice(self.matrices)
            return f"{m}[:, {self.index()}]"
        return f"({v()} - {self.scalar(d + 1)})"

    def matrix(self):
        k = self.r.randint(0, 4)
        m = lambda: self.r.choice(self.matrices)
        if k == 0:
            return f"({m()} @ {m()})"
        if k == 1:
            return f"outer({self.vector(2)}, {self.vector(2)})"
        if k == 2:
            return f"tanh({m()} + {self.scalar(2)})"
        if k == 3:
            return f"({m()}.T * {self.lit()})"
        k2, k3 = self.fresh("k"), self.fresh("k")
        self.idx.append((k2, 0, 0))
        self.idx.append((k3, 0, 0))
        body = self.scalar(2)
        self.idx.pop()
        self.idx.pop()
        return f"[{body} for {k2} in 0..N, {k3} in 0..N]"

    # ---- statements -----------------------------------------------------------------------
    def emit(self, s):
        self.lines.append("  " * (self.depth + 1) + s)

    def stmt(self):
        k = self.r.choice(["let_s", "let_v", "let_m", "for", "for", "for", "for", "while",
                           "if", "map", "counter", "counter2"])
        if self.depth > 0 and k in ("let_m",):
            k = "let_s"
        getattr(self, "st_" + k)()

    def st_let_s(self):
        n = self.fresh("s")
        self.emit(f"let {n} = {self.scalar()};")
        self.scalars.append(n)

    def st_let_v(self):
        n = self.fresh("v")
        self.emit(f"let {n} = {self.vector()};")
        self.vectors.append(n)

    def st_let_m(self):
        n = self.fresh("M")
        self.emit(f"let {n} = {self.matrix()};")
        self.matrices.append(n)

    def loop_body(self, carried_s, carried_v, carried_m):
        """Updates of the carried variables, local lets, maybe a nested loop or an if."""
        saved = (len(self.scalars), len(self.vectors), len(self.matrices))
        # the body may read what the loop carries (at other offsets too: iterations then depend
        # on each other, which decides whether reverse loops may run forwards or split)
        if self.r.random() < 0.5:
            self.scalars += [a for a in carried_s if a not in self.scalars]
            self.vectors += [a for a in carried_v if a not in self.vectors]
            self.matrices += [a for a in carried_m if a not in self.matrices]
        for _ in range(self.r.randint(1, 4)):
            k = self.r.choice([0, 0, 0, 1, 2, 3, 4, 5, 6, 6, 7, 7, 8, 9])
            if k <= 1 and carried_s:
                a = self.r.choice(carried_s)
                form = self.r.randint(0, 4)
                e = self.scalar(1)
                if form == 0:
                    self.emit(f"{a} += {e};")
                elif form == 1 and self.cheap:
                    self.emit(f"{a} = {a} * {self.lit()} + {e};")
                elif form == 1:
                    self.emit(f"{a} = tanh({a} * {self.lit()} + {e});")
                elif form == 2 and self.cheap:
                    self.emit(f"{a} *= 1.0 + 0.1 * {e} / (1.0 + {e} ^ 2);")
                elif form == 2:
                    self.emit(f"{a} *= 1.0 + 0.1 * sin({e});")
                elif form == 3:
                    self.emit(f"{a} -= {e};")
                elif self.cheap:
                    self.emit(f"{a} = {a} * 0.5 + {a} * {e} / (1.0 + {e} ^ 2);")
                else:
                    self.emit(f"{a} = {a} + 0.5 * sin({a}) * tanh({e});")
            elif k <= 4 and carried_v and self.idx and self.r.random() < 0.2:
                # a whole-vector update
                v = self.r.choice(carried_v)
                fn = "" if self.cheap else self.r.choice(["tanh", "sin", ""])
                self.emit(f"{v} = {fn}({v} * {self.lit()} + {self.vector(1)});")
            elif k <= 4 and carried_v and self.idx:
                v = self.r.choice(carried_v)
                op = self.r.choice(["+=", "+=", "-=", "=", "*="])
                e = self.scalar(1)
                if op == "*=":
                    e = f"(1.0 + 0.1 * {e} / (1.0 + {e} ^ 2))" if self.cheap else f"(1.0 + 0.1 * tanh({e}))"
                self.emit(f"{v}[{self.index()}] {op} {e};")
            elif k == 5 and carried_m and self.idx:
                m = self.r.choice(carried_m)
                if self.r.random() < 0.7:
                    self.emit(f"{m}[{self.index()}, {self.index()}] += {self.scalar(1)};")
                else:
                    self.emit(f"{m}[{self.index()}] = {self.vector(1)};")
            elif k == 6:
                n = self.fresh("t")
                self.emit(f"let {n} = {self.scalar(1)};")
                self.scalars.append(n)
            elif k == 7 and self.depth < 2:
                self.nested_for(carried_s, carried_v, carried_m)
            elif k == 8 and self.depth < 3 and (carried_s or carried_v):
                self.emit(f"if {self.scalar(2)} > {self.scalar(2)} {{")
                self.depth += 1
                self.loop_body(carried_s, carried_v, carried_m)
                self.depth -= 1
                if self.r.random() < 0.6:
                    self.emit("} else {")
                    self.depth += 1
                    self.loop_body(carried_s, carried_v, carried_m)
                    self.depth -= 1
                self.emit("}")
            else:
                n = self.fresh("u")
                self.emit(f"let {n} = {self.vector(1)};")
                self.vectors.append(n)
        del self.scalars[saved[0]:]
        del self.vectors[saved[1]:]
        del self.matrices[saved[2]:]

    def loop_range(self, i):
        """A range for index i: lo..N - hi, sometimes starting at an outer index (triangular)."""
        lo, hi = self.r.randint(0, 2), self.r.randint(0, 2)
        if self.idx and self.r.random() < 0.3:
            o = self.r.choice(self.idx)
            # i in o..N - hi: i >= o >= o.lo
            return f"{o[0]}..N" + (f" - {hi}" if hi else ""), (i, o[1], hi)
        rng = f"{lo}..N" + (f" - {hi}" if hi else "")
        return rng, (i, lo, hi)

    def nested_for(self, carried_s, carried_v, carried_m):
        i = self.fresh("j")
        rng, entry = self.loop_range(i)
        local = []
        if self.r.random() < 0.5:
            a = self.fresh("c")
            self.emit(f"var {a} = {self.scalar(2)};")
            local.append(a)
        self.emit(f"for {i} in {rng} {{")
        self.depth += 1
        self.idx.append(entry)
        self.loop_body(carried_s + local, carried_v, carried_m)
        self.idx.pop()
        self.depth -= 1
        self.emit("}")
        if local:
            # the inner carried value flows on into the outer carried ones
            if carried_s:
                self.emit(f"{self.r.choice(carried_s)} += {local[0]};")

    def st_for(self):
        cs, cv, cm = [], [], []
        for _ in range(self.r.randint(0, 2)):
            a = self.fresh("acc")
            self.emit(f"var {a} = {self.r.choice([self.lit(), self.scalar(2)])};")
            cs.append(a)
        for _ in range(self.r.randint(0, 2)):
            a = self.fresh("vv")
            init = self.r.choice([self.vector(2), "0.0 * x" if self.ty == "f32" else "zeros(N)", f"{self.lit()} * {self.vector(2)}"])
            self.emit(f"var {a} = {init};")
            cv.append(a)
        if self.r.random() < 0.2:
            a = self.fresh("MM")
            self.emit(f"var {a} = {self.r.choice(self.matrices)};")
            cm.append(a)
        if not (cs or cv or cm):
            a = self.fresh("acc")
            self.emit(f"var {a} = {self.lit()};")
            cs.append(a)
        i = self.fresh("i")
        rng, entry = self.loop_range(i)
        if self.r.random() < 0.2:
            self.emit("@checkpoint")
        self.emit(f"for {i} in {rng} {{")
        self.depth += 1
        self.idx.append(entry)
        self.loop_body(cs, cv, cm)
        self.idx.pop()
        self.depth -= 1
        self.emit("}")
        self.scalars += cs
        self.vectors += cv
        self.matrices += cm

    def st_counter(self):
        """An integer counter stepping with the loop (ReverseInduction)."""
        a = self.fresh("acc")
        c = self.fresh("idx")
        start = self.r.randint(0, 1)
        self.emit(f"var {a} = {self.lit()};")
        self.emit(f"var {c} = {start};")
        i = self.fresh("i")
        hi = self.r.randint(start, 2)
        self.emit(f"for {i} in 0..N - {hi} {{")
        self.depth += 1
        self.idx.append((i, 0, hi))
        self.idx.append((c, start, hi - start))
        self.loop_body([a], [], [])
        self.idx.pop()
        self.emit(f"{c} += 1;")
        self.idx.pop()
        self.depth -= 1
        self.emit("}")
        self.scalars.append(a)

    def st_counter2(self):
        """A counter stepped by loop indices or constants in a nest, read modulo N."""
        a = self.fresh("acc")
        c = self.fresh("idx")
        i, j = self.fresh("i"), self.fresh("j")
        self.emit(f"var {a} = {self.lit()};")
        self.emit(f"var {c} = {self.r.randint(0, 3)};")
        self.emit(f"for {i} in 0..N {{")
        self.depth += 1
        steps = [f"{c} += 1;", f"{c} += {i};", f"{c} -= 1;", f"{c} += 2;", f"{c} += N;", ""]
        self.emit(self.r.choice(steps))
        inner = self.r.random() < 0.7
        if inner:
            self.emit(f"for {j} in {self.r.choice(['0', i])}..{self.r.choice(['N', i, f'{i} + 1'])} {{")
            self.depth += 1
        v = self.r.choice(self.vectors)
        e = self.scalar(2) if self.r.random() < 0.5 else self.lit()
        read = f"{v}[(({c} % N) + N) % N]"
        self.emit(self.r.choice([f"{a} = {a} * 0.75 + {read} * {e};", f"{a} += {read} * {e};",
                                 f"{a} = {a} * {read} + {e};"]))
        self.emit(self.r.choice(steps + [f"{c} += {j};" if inner else ""]))
        if inner:
            self.depth -= 1
            self.emit("}")
        self.depth -= 1
        self.emit("}")
        self.scalars.append(a)

    def st_while(self):
        a = self.fresh("acc")
        c = self.fresh("it")
        cap = self.r.randint(0, min(3, self.maxc + 1))
        self.emit(f"var {a} = {self.scalar(2)};")
        self.emit(f"var {c} = 0;")
        # sometimes a data-dependent trip count as well (piecewise smooth)
        cond = self.r.choice(["", "", f" && {a} < 1.7", f" && {self.scalar(2)} > -0.9"])
        self.emit(f"while {c} < {cap}{cond} {{")
        self.depth += 1
        self.idx.append((c, 0, min(2, self.maxc + 1 - cap)))
        self.loop_body([a], [], [])
        self.idx.pop()
        self.emit(f"{c} += 1;")
        self.depth -= 1
        self.emit("}")
        self.scalars.append(a)

    def st_if(self):
        a = self.fresh("z")
        self.emit(f"var {a} = {self.scalar(1)};")
        self.emit(f"if {self.scalar(2)} > 0.0 {{")
        self.depth += 1
        self.emit(f"{a} = {self.scalar(1)};")
        self.depth -= 1
        self.emit("} else {")
        self.depth += 1
        self.emit(f"{a} = {a} * {self.scalar(1)};")
        self.depth -= 1
        self.emit("}")
        self.scalars.append(a)

    def st_map(self):
        """The GMM shape: per outer step a map over k whose body reads invariants and the step."""
        a = self.fresh("tot")
        n = self.fresh("n")
        k = self.fresh("k")
        m = self.r.choice(self.matrices)
        self.emit(f"var {a} = {self.lit()};")
        self.emit(f"for {n} in 0..N {{")
        self.depth += 1
        self.idx.append((n, 0, 0))
        self.idx.append((k, 0, 0))
        body = self.r.choice([
            f"sum(exp(tanh({m}[{k}, 0:N])) * {self.r.choice(self.vectors)}) - sin({m}[{k}, 0])",
            f"{self.scalar(1)} - 0.5 * sum(({self.r.choice(self.matrices)}[{k}] - {self.r.choice(self.vectors)}) ^ 2)",
            f"{self.scalar(2)}",
        ])
        self.idx.pop()
        t = self.fresh("terms")
        self.emit(f"let {t} = [{body} for {k} in 0..N];")
        red = self.r.choice(["logsumexp", "sum", "max", "logsumexp"])
        self.emit(f"{a} += {red}({t});")
        self.idx.pop()
        self.depth -= 1
        self.emit("}")
        self.scalars.append(a)

    def program(self, name="f", vector=False):
        for _ in range(self.r.randint(1, 5)):
            self.stmt()
        T = self.ty
        if vector:
            # a vector result: gradients flow back through a call's seed
            vs = self.vectors[2:] or ["x"]
            ss = self.scalars[1:] or ["w"]
            res = " + ".join(f"{self.r.choice(ss)} * {v}" for v in vs) + " + y * w"
            body = "\n".join(self.lines)
            return (f"fn {name}[N](x: {T}[N], y: {T}[N], A: {T}[N, N], w: {T}) -> {T}[N] {{\n"
                    f"{body}\n  {res}\n}}\n")
        # the result uses most values (some are left dead on purpose)
        terms = []
        for s in self.scalars[1:]:
            if self.r.random() < 0.85:
                terms.append(s)
        for v in self.vectors[2:]:
            if self.r.random() < 0.85:
                terms.append(self.r.choice([f"sum({v} * {v})", f"logsumexp({v})", f"sum({v})",
                                            f"({v} @ y)"]))
        for m in self.matrices[1:]:
            if self.r.random() < 0.85:
                terms.append(f"sum({m} * {m})")
        terms.append("0.1 * sum(x * y) * w")
        body = "\n".join(self.lines)
        res = " + ".join(terms)
        src = (f"fn {name}[N](x: {T}[N], y: {T}[N], A: {T}[N, N], w: {T}) -> {T} {{\n{body}\n"
               f"  {res}\n}}\n")
        if self.helper:
            # a helper called from f (gradients through calls), same shape of parameters
            h = Gen(self.r, T, maxc=self.maxc).program("g")
            hv = Gen(self.r, T, maxc=self.maxc).program("gv", vector=True)
            src = h + "\n" + hv + "\n" + src
        return src


def inputs(rng, n):
    v = lambda: round(rng.uniform(-1.2, 1.2), 6)  # no ties with literals (kinks)
    return {"x": [v() for _ in range(n)], "y": [v() for _ in range(n)],
            "A": [[v() for _ in range(n)] for _ in range(n)], "w": v()}


def flat(g):
    if isinstance(g, list):
        out = []
        for e in g:
            out += flat(e)
        return out
    return [float(g)]


def close(a, b, tol):
    import math
    if len(a) != len(b):
        return False
    for p, q in zip(a, b):
        if math.isnan(p) and math.isnan(q):
            continue
        if not (abs(p - q) <= tol * max(1.0, abs(p), abs(q))):
            return False
    return True


def run(cmd, timeout=60):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -999, "", "timeout"


def grads(out):
    j = json.loads(out)
    g = []
    for k in ("x", "y", "A", "w"):
        g += flat(j["grad"][k])
    return g


def check_hessian(diffc, pf, jf, inp, d):
    """Forward over reverse: the Hessian is symmetric, and its last column (w's) matches central
    differences of the reverse-mode gradient in w."""
    rc, out, err = run([diffc, "run", pf, "--fn", "f", "--hessian", "--inputs", jf, "--no-cache"])
    if rc != 0:
        return [f"--hessian failed rc={rc}: {err.strip()[:400]}"]
    H = json.loads(out)["hessian"]
    H = [[float(v) for v in row] for row in H]
    if not all(math.isfinite(v) for row in H for v in row):
        return []
    m = len(H)
    scale = max(1.0, max(abs(v) for row in H for v in row))
    for a in range(m):
        for b in range(a):
            if abs(H[a][b] - H[b][a]) > 1e-8 * scale:
                return [f"Hessian not symmetric at ({a}, {b}): {H[a][b]} vs {H[b][a]}"]
    h = 1e-5 * max(1.0, abs(inp["w"]))
    gs = []
    for sgn in (1, -1):
        q = dict(inp)
        q["w"] = inp["w"] + sgn * h
        qf = os.path.join(d, "q.json")
        json.dump(q, open(qf, "w"))
        rc, out, err = run([diffc, "run", pf, "--fn", "f", "--grad", "--inputs", qf, "--no-cache"])
        os.unlink(qf)
        if rc != 0:
            return []
        gs.append(grads(out))
    fd = [(p - q) / (2 * h) for p, q in zip(gs[0], gs[1])]
    col = [H[r][m - 1] for r in range(m)]
    for r in range(m):
        # the differences also carry the rounding of the gradient itself, about 1e-16 |g| / h
        noise = 1e-14 * max(abs(gs[0][r]), abs(gs[1][r])) / h
        if abs(fd[r] - col[r]) > 1e-4 * max(1.0, abs(fd[r])) + noise:
            return [f"Hessian column w != differences of the gradient at row {r}: {col[r]} vs {fd[r]}"]
    return []


def check_one(diffc, seed, keep):
    rng = random.Random(seed)
    ty = "f32" if rng.random() < 0.2 else "f64"
    wrap = rng.random() < 0.2
    # small sizes, and some past a vector width or two (vectorised loop bodies and remainders)
    n = rng.choice([3, 4, 5, 6, 3, 4, 5, 6, 9, 11, 17, 1, 2])
    src = Gen(rng, ty, helper=rng.random() < 0.35, maxc=min(2, n - 1)).program("h" if wrap else "f")
    if wrap:
        # derivatives inside the language: f differentiates h (reverse over reverse, or forward
        # over reverse when `run --jacobian` differentiates f)
        T = ty
        e = rng.choice(["sum(grad(h(x, y, A, w), x) * y)", "jvp(h(x, y, A, w), x, y)",
                        "grad(h(x, y, A, w), w)", "sum(grad(h(x, y, A, w), A) * A)"])
        src += (f"\nfn f[N](x: {T}[N], y: {T}[N], A: {T}[N, N], w: {T}) -> {T} =\n"
                f"  {e} + h(x, y, A, w);\n")
    inp = inputs(rng, n)
    d = tempfile.mkdtemp(prefix="gradfuzz")
    pf, jf = os.path.join(d, "p.diff"), os.path.join(d, "in.json")
    open(pf, "w").write(src)
    json.dump(inp, open(jf, "w"))
    base = [diffc, "run", pf, "--fn", "f", "--grad", "--inputs", jf, "--no-cache"]
    problems = []
    rc, out, err = run([diffc, "check", pf])
    if rc != 0:
        return "skip", src, inp, ["generator: program does not check: " + err.strip()[:500]]
    rc1, jit, e1 = run(base + ["--jacobian"])
    rc2, itp, e2 = run(base + ["--interp"])
    if rc1 != rc2 or (rc1 != 0 and e1.split("error:")[-1] != e2.split("error:")[-1]):
        problems.append(f"exit codes differ jit={rc1} interp={rc2}: {e1.strip()[:300]} | {e2.strip()[:300]}")
    if rc1 != 0:
        if rc1 < 0 or rc1 > 1:
            problems.append(f"crash {rc1}: {e1.strip()[:500]}")
        return ("fail" if problems else "rterr"), src, inp, problems or [e1.strip()[:200]]
    jit_grad = jit.split(', "jacobian"')[0]
    itp_grad = itp.strip()[:-1]
    if jit_grad != itp_grad:
        problems.append("JIT != interpreter:\n  jit    " + jit.strip()[:1500] + "\n  interp " + itp.strip()[:1500])
    tol = 1e-4 if ty == "f32" else 1e-10
    try:
        j = json.loads(jit)
        g = []
        for k in ("x", "y", "A", "w"):
            g += flat(j["grad"][k])
        jac = flat(j["jacobian"])
        if not all(math.isfinite(v) for v in g + [float(j["value"])]):
            # overflow of a chaotic loop: only the bit-equality oracle applies
            return ("fail" if problems else "nonfinite"), src, inp, problems
        if not close(g, jac, tol):
            problems.append(f"reverse != forward:\n  grad {g}\n  jac  {jac}")
    except Exception as ex:  # noqa
        problems.append(f"bad output {ex}: {jit[:300]}")
        g = None
    rc3, noopt, e3 = run(base + ["--no-opt", "--interp"])
    if rc3 != 0:
        problems.append(f"--no-opt failed rc={rc3}: {e3.strip()[:400]}")
    elif g is not None:
        j3 = json.loads(noopt)
        g3 = []
        for k in ("x", "y", "A", "w"):
            g3 += flat(j3["grad"][k])
        if not close(g, g3, tol) or not close([j["value"]], [j3["value"]], tol):
            problems.append(f"opt != no-opt:\n  opt   {j['value']} {g}\n  noopt {j3['value']} {g3}")
    if g is not None and rng.random() < 0.5:
        # a gradient with respect to some parameters only (activity differs: other loops are
        # inactive, other reverse loops independent) agrees with the full one
        sub = rng.sample(["x", "y", "A", "w"], rng.randint(1, 3))
        rc6, part, e6 = run(base[:-1] + ["--wrt", ",".join(sub), "--no-cache"])
        if rc6 != 0:
            problems.append(f"--wrt {sub} failed rc={rc6}: {e6.strip()[:400]}")
        else:
            jp = json.loads(part)["grad"]
            for k in sub:
                if not close(flat(jp[k]), flat(j["grad"][k]), tol):
                    problems.append(f"--wrt {','.join(sub)}: {k} differs:\n  {flat(jp[k])}\n  {flat(j['grad'][k])}")
    if ty == "f64" and n <= 5 and rng.random() < 0.3 and g is not None:
        problems += check_hessian(diffc, pf, jf, inp, d)
    rc4, gc, e4 = run([diffc, "gradcheck", pf, "--fn", "f", "--inputs", jf])
    if rc4 != 0:
        # Central differences of an ill-conditioned function (large curvature, f32) can miss by
        # more than the tolerance: count it as noise when the f64 twin passes at a looser tolerance
        # and the gradients agree with it.
        tf = os.path.join(d, "t64.diff")
        open(tf, "w").write(src.replace("f32", "f64"))
        # rounding in f(x +- h) alone is about 1e-16 |f| / h
        tol5 = max(1e-4, 1e-9 * abs(float(j["value"]))) if g is not None else 1e-4
        rc5, _, _ = run([diffc, "gradcheck", tf, "--fn", "f", "--inputs", jf, "--tol", str(tol5)])
        if rc5 == 0 and ty == "f32" and g is not None:
            # an f32-only error would pass in the twin: the f32 gradient must still be near it
            rc7, out7, _ = run([diffc, "run", tf, "--fn", "f", "--grad", "--inputs", jf, "--no-cache"])
            if rc7 == 0:
                g64 = grads(out7)
                big = max([1.0] + [abs(v) for v in g64])
                if any(abs(p - q) > 1e-2 * big for p, q in zip(g, g64)):
                    rc5 = 1
                    problems.append(f"f32 gradient far from the f64 twin's:\n  {g}\n  {g64}")
        os.unlink(tf)
        if rc5 == 0:
            rc4 = 0
            problems.append("NOISE")
    if rc4 != 0:
        problems.append(f"gradcheck failed rc={rc4}:\n{gc.strip()[-1500:]}\n{e4.strip()[:300]}")
    noise = "NOISE" in problems
    problems = [p for p in problems if p != "NOISE"]
    if problems and keep:
        os.makedirs(keep, exist_ok=True)
        open(os.path.join(keep, f"fail-{seed}.diff"), "w").write(src)
        json.dump(inp, open(os.path.join(keep, f"fail-{seed}.json"), "w"))
        open(os.path.join(keep, f"fail-{seed}.txt"), "w").write("\n".join(problems))
    for f_ in (pf, jf):
        os.unlink(f_)
    os.rmdir(d)
    return ("fail" if problems else "fdnoise" if noise else "ok"), src, inp, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("diffc")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", default=None)
    ap.add_argument("--time", type=float, default=0)
    ap.add_argument("--print", action="store_true")
    a = ap.parse_args()
    # a campaign stopped by `kill PID` still prints what it ran
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    stats = {}
    t0 = time.time()
    s = a.seed
    while s < a.seed + a.count or (a.time and time.time() - t0 < a.time):
        try:
            status, src, inp, problems = check_one(a.diffc, s, a.keep)
        except KeyboardInterrupt:
            break
        stats[status] = stats.get(status, 0) + 1
        if a.print:
            print(src)
        if status in ("fail", "skip"):
            print(f"seed {s}: {status}")
            for p in problems:
                print("  " + p.replace("\n", "\n  "))
            sys.stdout.flush()
        s += 1
        if (s - a.seed) % 100 == 0:
            print(f"progress: {s - a.seed} programs,", stats, flush=True)
        if a.time and time.time() - t0 >= a.time:
            break
    print("gradfuzz:", ", ".join(f"{k} {v}" for k, v in sorted(stats.items())),
          f"({s - a.seed} programs)")
    return 1 if stats.get("fail", 0) or stats.get("skip", 0) else 0


if __name__ == "__main__":
    sys.exit(main())
