#!/usr/bin/env python3
"""tune_lexicon.py — fits the hand-written lexicon valences to labeled data, and says how much.

What it does, in order:
  1. runs `medtone batch --explain` on each labeled file (id, label, text TSV) to get, per text,
     the terms that fired and what each contributed after the rules;
  2. splits every file in two by a hash of the id: a tuning half and a held-out half;
  3. fits one multiplier w per lexicon entry (only entries seen at least --min-count times in the
     tuning halves) so that the squashed sum of w * contribution tracks the label, with an L2 pull
     of every w towards 1 (--l2) and w kept in [--min-w, --max-w], so a tuned value stays close
     to what a person wrote and never flips sign unless --min-w is below 0;
  4. reports the metrics of `medtone eval` on both halves before and after;
  5. with --apply, rewrites the valence column of the winning line of each tuned entry in
     lexicons/*.tsv (comments and order untouched) and notes the run in lexicons/TUNING.md.

Labels become targets in [-1, 1]: score labels / 3 (clipped), 3-class -0.6 / 0 / 0.6, ratings
(r - 5.5) / 4.5. Every file weighs the same in the loss, whatever its size.

usage: tools/tune_lexicon.py --medtone build/medtone FILE.tsv... [--apply] [--iterations N]
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import re
import subprocess
import sys

ALPHA = 15.0  # as in src/score.c
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def label_target(label):
    if label in ("negative", "neutral", "positive"):
        return {"negative": -0.6, "neutral": 0.0, "positive": 0.6}[label], "3-class"
    v = float(label)
    if "." in label:
        return max(-1.0, min(1.0, v / 3.0)), "score"
    return (v - 5.5) / 4.5, "rating"


def in_holdout(ident):
    return hashlib.sha1(ident.encode()).digest()[0] % 2 == 1


def load_set(medtone, path):
    labels = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3:
                labels[cols[0]] = cols[1]
    out = subprocess.run([medtone, "batch", "--explain", "--format", "tsv", path],
                         capture_output=True, text=True, check=False)
    rows = []
    for line in out.stdout.splitlines():
        obj = json.loads(line)
        ident = str(obj["id"])
        if "error" in obj or ident not in labels:
            continue
        y, kind = label_target(labels[ident])
        terms = [((t["layer"], t["entry"]), t["contribution"]) for t in obj.get("terms", [])]
        rows.append((ident, labels[ident], y, kind, terms))
    return rows


def squash(s):
    return s / math.sqrt(s * s + ALPHA)


def scale(terms):
    """As in src/score.c: the sum is divided by the square root of the number of terms."""
    return 1.0 / math.sqrt(len(terms)) if len(terms) > 1 else 1.0


def predict(rows, w):
    return [squash(scale(terms) * sum(c * w.get(k, 1.0) for k, c in terms))
            for _, _, _, _, terms in rows]


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def f1s(gold, pred):
    out = []
    for c in (0, 1, 2):
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        pp = sum(1 for p in pred if p == c)
        gp = sum(1 for g in gold if g == c)
        prec = tp / pp if pp else 0
        rec = tp / gp if gp else 0
        out.append((2 * prec * rec / (prec + rec) if prec + rec else 0, gp))
    return out


def metrics(rows, preds):
    """The two metrics `medtone eval` reports for the rows' label kind."""
    kind = rows[0][3]
    cls = [2 if p >= 0.05 else 0 if p <= -0.05 else 1 for p in preds]
    if kind == "score":
        gold = [float(r[1]) for r in rows]
        gc = [2 if g > 0 else 0 if g < 0 else 1 for g in gold]
        f = f1s(gc, cls)
        return {"pearson_r": pearson(preds, gold),
                "weighted_f1": sum(a * b for a, b in f) / len(rows)}
    if kind == "rating":
        gold = [float(r[1]) for r in rows]
        gc = [0 if g <= 4 else 1 if g <= 6 else 2 for g in gold]
        return {"spearman_rho": pearson(ranks(preds), ranks(gold)),
                "binned_macro_f1": sum(a for a, _ in f1s(gc, cls)) / 3}
    gc = [{"negative": 0, "neutral": 1, "positive": 2}[r[1]] for r in rows]
    return {"macro_f1": sum(a for a, _ in f1s(gc, cls)) / 3}


def fit(sets, args):
    counts = {}
    for rows in sets.values():
        for r in rows:
            if not in_holdout(r[0]):
                for k, _ in r[4]:
                    counts[k] = counts.get(k, 0) + 1
    free = {k for k, n in counts.items() if n >= args.min_count}
    w = {k: 1.0 for k in free}
    m = {k: 0.0 for k in free}
    v = {k: 0.0 for k in free}
    train = {name: [r for r in rows if not in_holdout(r[0])] for name, rows in sets.items()}
    b1, b2, eps = 0.9, 0.999, 1e-8
    for it in range(1, args.iterations + 1):
        grad = {k: 2 * args.l2 * (w[k] - 1.0) for k in free}
        loss = 0.0
        for rows in train.values():
            weight = 1.0 / max(1, len(rows))
            for _, _, y, _, terms in rows:
                n = scale(terms)
                s = n * sum(c * w.get(k, 1.0) for k, c in terms)
                p = squash(s)
                loss += weight * (p - y) ** 2
                dp = 2 * (p - y) * ALPHA / (s * s + ALPHA) ** 1.5 * weight * n
                for k, c in terms:
                    if k in free:
                        grad[k] += dp * c
        for k in free:  # Adam steps, then the box constraint
            m[k] = b1 * m[k] + (1 - b1) * grad[k]
            v[k] = b2 * v[k] + (1 - b2) * grad[k] ** 2
            step = args.rate * (m[k] / (1 - b1 ** it)) / (math.sqrt(v[k] / (1 - b2 ** it)) + eps)
            w[k] = min(args.max_w, max(args.min_w, w[k] - step))
        if it % 25 == 0 or it == args.iterations:
            print(f"  iteration {it}: loss {loss:.5f}", file=sys.stderr)
    return w, counts


def report(sets, w):
    lines = []
    for name, rows in sets.items():
        for part, sel in (("tuning half", False), ("held-out half", True)):
            sub = [r for r in rows if in_holdout(r[0]) == sel]
            if not sub:
                continue
            before = metrics(sub, predict(sub, {}))
            after = metrics(sub, predict(sub, w))
            for metric in before:
                lines.append(f"| {name} | {part} | {metric} | {before[metric]:.3f} | "
                             f"{after[metric]:.3f} |")
    return lines


TERM_LINE = re.compile(r"^([^\t#][^\t]*)\t(-?[0-9.]+)((\t.*)?)$")


def apply(w, layers_files):
    """Rewrites the valence of the last line that defines each tuned (layer, entry)."""
    changed = 0
    where = {}
    for path, layer in layers_files:
        with open(path, encoding="utf-8") as f:
            for no, line in enumerate(f):
                m = TERM_LINE.match(line.rstrip("\n"))
                if m:
                    where[(layer, " ".join(m.group(1).lower().split()))] = (path, no)
    edits = {}
    for key, factor in w.items():
        if abs(factor - 1.0) < 0.05 or key not in where:
            continue
        path, no = where[key]
        edits.setdefault(path, {})[no] = factor
    for path, lines_to_edit in edits.items():
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
        for no, factor in lines_to_edit.items():
            m = TERM_LINE.match(lines[no].rstrip("\n"))
            old = float(m.group(2))
            new = max(-4.0, min(4.0, round(old * factor, 1)))
            if new != old:
                lines[no] = f"{m.group(1)}\t{new}{m.group(3)}\n"
                changed += 1
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(lines)
    return changed


def lexicon_files():
    cm = open(os.path.join(ROOT, "lexicons", "CMakeLists.txt"), encoding="utf-8").read()
    names = re.findall(r"^\s+([\w.-]+\.tsv)\s*$", cm, re.M)
    out = []
    for n in names:
        path = os.path.join(ROOT, "lexicons", n)
        layer = n
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#@ layer"):
                    layer = line.split(None, 2)[2].strip()
                    break
        out.append((path, layer))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--medtone", default=os.path.join(ROOT, "build", "medtone"))
    ap.add_argument("--iterations", type=int, default=150)
    ap.add_argument("--rate", type=float, default=0.02)
    ap.add_argument("--l2", type=float, default=0.002)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--min-w", type=float, default=0.0)
    ap.add_argument("--max-w", type=float, default=2.0)
    ap.add_argument("--apply", action="store_true", help="rewrite lexicons/*.tsv")
    args = ap.parse_args()

    sets = {}
    for path in args.files:
        name = os.path.basename(path).rsplit(".", 1)[0]
        sets[name] = load_set(args.medtone, path)
        print(f"{name}: {len(sets[name])} rows", file=sys.stderr)
    w, counts = fit(sets, args)
    table = report(sets, w)
    moved = sorted(((f, k) for k, f in w.items() if abs(f - 1) >= 0.05), key=lambda x: x[0])
    print("| set | part | metric | before | after |\n|---|---|---|---|---|")
    print("\n".join(table))
    print(f"\n{len(w)} entries free, {len(moved)} moved by 5% or more")
    for f, k in moved[:15] + moved[-15:]:
        print(f"  {k[1]!r} ({k[0]}): x{f:.2f}, seen {counts[k]} times")
    if args.apply:
        n = apply(w, lexicon_files())
        stamp = datetime.date.today().isoformat()
        with open(os.path.join(ROOT, "lexicons", "TUNING.md"), "a", encoding="utf-8") as f:
            f.write(f"\n## {stamp}: tools/tune_lexicon.py\n\n"
                    f"Sets (tuning half of each, split by a hash of the id): "
                    f"{', '.join(sets)}. Options: iterations {args.iterations}, rate {args.rate}, "
                    f"l2 {args.l2}, min-count {args.min_count}, w in [{args.min_w}, "
                    f"{args.max_w}]. {len(w)} entries free, {n} valences rewritten.\n\n"
                    "| set | part | metric | before | after |\n|---|---|---|---|---|\n")
            f.write("\n".join(table) + "\n")
        print(f"rewrote {n} valences; see lexicons/TUNING.md")


if __name__ == "__main__":
    main()
