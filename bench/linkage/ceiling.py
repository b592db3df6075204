"""An upper estimate of the recall at precision 0.999 that the candidate pairs' evidence allows:
a classifier trained *with the truth* on the pairs the engine scored, their comparison levels,
the frequencies of their values and whether a household co-member vouched for them.

    CSV=synth-1000000.csv KEEP=0.01 EXPORT=pairs.csv \
        target/release/examples/synthetic_bench            # the engine's pairs and features
    target/bench-venv/bin/python bench/linkage/ceiling.py --pairs pairs.csv --truth synth-1000000.csv [--json]

Gradient-boosted trees (scikit-learn), cross-fitted in two halves split by person, so that each
pair is scored by a model that never saw its person. The pairs' scores are then clustered like
the engine's edges (strongest first, union–find, no guard against chaining) at the threshold
that keeps precision at 0.999, and the same is done with the engine's own probability on the
same pairs: the gap between the two is what a better unsupervised model could still win on these
features; the labelled model's own recall is not a bound on what other evidence could add, only
a strong estimate of what this evidence holds.
"""

import argparse
import csv
import json
import sys


def true_pairs(truth_csv):
    counts = {}
    with open(truth_csv, newline="") as f:
        for row in csv.DictReader(f):
            counts[row["truth"]] = counts.get(row["truth"], 0) + 1
    return sum(n * (n - 1) // 2 for n in counts.values())


def clustered(a, b, ta, tb, order, total_true, target):
    """Union-find over the pairs in `order`; the largest prefix whose clusters keep pairwise
    precision >= target, and its recall (pairs of one cluster counted against the truth)."""
    parent = {}
    # per cluster: size and, per truth id, how many members
    members = {}

    def find(x):
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    tp = predicted = 0
    best = (0.0, 1.0, 0)
    truth_of = {}
    for i in order:
        x, y = a[i], b[i]
        truth_of.setdefault(x, ta[i])
        truth_of.setdefault(y, tb[i])
        rx, ry = find(x), find(y)
        if rx == ry:
            continue
        mx = members.setdefault(rx, {truth_of[x]: 1})
        my = members.setdefault(ry, {truth_of[y]: 1})
        if sum(mx.values()) < sum(my.values()):
            rx, ry, mx, my = ry, rx, my, mx
        sx, sy = sum(mx.values()), sum(my.values())
        predicted += sx * sy
        for t, n in my.items():
            tp += n * mx.get(t, 0)
        for t, n in my.items():
            mx[t] = mx.get(t, 0) + n
        del members[ry]
        parent[ry] = rx
        if predicted and tp / predicted >= target:
            best = (tp / total_true, tp / predicted, predicted)
    return best


def main():
    # imported here: the helpers above are tested without the bench environment
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--truth", required=True, help="the labelled CSV the pairs come from")
    ap.add_argument("--precision", type=float, default=0.999)
    ap.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    args = ap.parse_args()
    total_true = true_pairs(args.truth)
    df = pd.read_csv(args.pairs)
    y = df["same"].to_numpy()
    levels = [c for c in df.columns if c.startswith("level_")]
    counts = [c for c in df.columns if c.startswith("count_")]
    features = df[levels + counts + ["context", "probability"]].copy()
    for c in counts:
        features[c] = np.log2(features[c] + 1)
    # the fold of a pair: its person (the first record's truth id), so that no person is in
    # both halves' training and scoring
    fold = (df["truth_a"].to_numpy() * 2654435761 % 2**32) % 2
    score = np.zeros(len(df))
    categorical = [features.columns.get_loc(c) for c in levels]
    for k in (0, 1):
        train, test = fold != k, fold == k
        model = HistGradientBoostingClassifier(
            max_iter=300, learning_rate=0.1, max_leaf_nodes=63, categorical_features=categorical, random_state=7
        )
        model.fit(features[train], y[train])
        score[test] = model.predict_proba(features[test])[:, 1]
    a, b = df["a"].to_numpy(), df["b"].to_numpy()
    ta, tb = df["truth_a"].to_numpy(), df["truth_b"].to_numpy()
    out = {
        "kind": "ceiling",
        "precision_floor": args.precision,
        "true_pairs": total_true,
        "scored_pairs": len(df),
        "scored_true_pairs": int(y.sum()),
    }
    for name, s in (("engine", df["probability"].to_numpy()), ("classifier", score)):
        order = np.argsort(-s, kind="stable")
        # pairwise: the largest prefix with precision >= target
        tp = np.cumsum(y[order])
        prec = tp / np.arange(1, len(order) + 1)
        ok = np.nonzero(prec >= args.precision)[0]
        pairwise = float(tp[ok[-1]] / total_true) if len(ok) else 0.0
        recall, precision, predicted = clustered(a, b, ta, tb, order, total_true, args.precision)
        out[name] = {"pairwise_recall": pairwise, "clustered_recall": recall, "clustered_precision": precision}
    if args.json:
        print(json.dumps(out))
        return
    print(f"pairs {len(df):,}, of them true {out['scored_true_pairs']:,}; true pairs in the file {total_true:,}")
    for name, label in (("engine", "engine's probability"), ("classifier", "labelled classifier")):
        r = out[name]
        print(
            f"{label}: pairwise recall {r['pairwise_recall']:.4f}; clustered recall {r['clustered_recall']:.4f} "
            f"(precision {r['clustered_precision']:.4f}) at precision >= {args.precision}"
        )


if __name__ == "__main__":
    sys.exit(main())
