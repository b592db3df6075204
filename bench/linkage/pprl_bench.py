"""Two partners' files from the labelled linkage data, and the evaluation of `parcours pprl link`
on them (bench/pprl.sh). Standard library only.

    pprl_bench.py split --input synth.csv --common 25000 --each 25000 --out-dir DIR [--seed 7]
        writes DIR/a.csv and DIR/b.csv (one row per person and partner: `common` persons in both,
        drawn among those reported at least twice, two different reports of each; `each` more
        persons in one partner only), DIR/a-nobirth.csv, DIR/b-nobirth.csv without the
        birth_name column, and DIR/a-dup.csv, DIR/b-dup.csv with every report of the same
        persons (each partner's file holds duplicates of its own).
    pprl_bench.py eval --a a.csv --b b.csv --clusters persons.csv [--json]
        pairwise precision and recall of the persons found, and their number against the truth.
    pprl_bench.py row --label L --threshold T --candidates N --link "S s / M Mo" [--encode "…"]
                      --qualities runs.jsonl
        a row of docs/pprl.md's table from one `eval --json` line per run: medians, and their
        range when the runs differ. `eval --clusters` reads `pprl link --clusters-out` (partner,
        id, person) or `link eval --clusters-out` (id, cluster).
"""

import argparse
import csv
import json
import os
import random
import sys
from collections import defaultdict

COLUMNS = ["id", "family_name", "given_names", "birth_date", "sex", "commune", "birth_name", "truth"]


def split(args):
    by_person = defaultdict(list)
    with open(args.input, newline="") as f:
        for row in csv.DictReader(f):
            by_person[row["truth"]].append(row)
    rng = random.Random(args.seed)
    persons = sorted(by_person)
    rng.shuffle(persons)
    twice = [p for p in persons if len(by_person[p]) >= 2]
    if len(twice) < args.common:
        sys.exit(f"only {len(twice)} persons reported twice or more, {args.common} asked")
    common = twice[: args.common]
    chosen = set(common)
    rest = [p for p in persons if p not in chosen]
    if len(rest) < 2 * args.each:
        sys.exit(f"only {len(rest)} other persons, {2 * args.each} asked")
    a, b = [], []
    # and the same persons with every report of theirs: each partner's file then holds its own
    # duplicates (a common person's first report at A, its second at B, the others at either)
    a_dup, b_dup = [], []
    for p in common:
        reports = rng.sample(by_person[p], len(by_person[p]))
        a.append(reports[0])
        b.append(reports[1])
        a_dup.append(reports[0])
        b_dup.append(reports[1])
        for r in reports[2:]:
            (a_dup if rng.random() < 0.5 else b_dup).append(r)
    for p in rest[: args.each]:
        a.append(rng.choice(by_person[p]))
        a_dup.extend(by_person[p])
    for p in rest[args.each : 2 * args.each]:
        b.append(rng.choice(by_person[p]))
        b_dup.extend(by_person[p])
    for rows in (a, b, a_dup, b_dup):
        rng.shuffle(rows)
    os.makedirs(args.out_dir, exist_ok=True)
    no_birth = [c for c in COLUMNS if c != "birth_name"]
    for name, rows, variants in (
        ("a", a, (("", COLUMNS), ("-nobirth", no_birth))),
        ("b", b, (("", COLUMNS), ("-nobirth", no_birth))),
        ("a", a_dup, (("-dup", COLUMNS),)),
        ("b", b_dup, (("-dup", COLUMNS),)),
    ):
        for suffix, columns in variants:
            with open(os.path.join(args.out_dir, f"{name}{suffix}.csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(columns)
                for r in rows:
                    w.writerow([r.get(c, "") for c in columns])
    with_birth = sum(1 for r in a + b if r.get("birth_name"))
    print(
        f"split: {len(a)} + {len(b)} rows, {args.common} persons in both, "
        f"{len(set(r['truth'] for r in a + b))} persons in all, {with_birth} rows with a birth name; "
        f"with every report: {len(a_dup)} + {len(b_dup)} rows",
        file=sys.stderr,
    )


def quality(a_path, b_path, clusters_path):
    truth = {"a": truths(a_path), "b": truths(b_path)}
    clusters = defaultdict(list)
    with open(clusters_path, newline="") as f:
        for row in csv.DictReader(f):
            if "partner" in row:
                t = truth[row["partner"]][row["id"]]
            else:
                t = truth["a"].get(row["id"]) or truth["b"][row["id"]]
            clusters[row.get("person") or row["cluster"]].append(t)
    per_person = defaultdict(int)
    for side in truth.values():
        for t in side.values():
            per_person[t] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in per_person.values())
    found = tp = 0
    for members in clusters.values():
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                found += 1
                tp += x == y
    persons = len(per_person)
    return {
        "true_pairs": true_pairs,
        "found_pairs": found,
        "precision": tp / found if found else 1.0,
        "recall": tp / true_pairs if true_pairs else 1.0,
        "persons_found": len(clusters),
        "persons_true": persons,
    }


def fr(text):
    """French figures: decimal comma, thin space between thousands."""
    return text.replace(",", "\u202f").replace(".", ",")


def spread(values, fmt):
    """The median, and the range when the runs differ: `0.9983 (0.9941–0.9985)`."""
    values = sorted(values)
    mid = values[(len(values) - 1) // 2]
    text = fmt.format(mid)
    if values[0] != values[-1]:
        text += " (" + fmt.format(values[0]) + "–" + fmt.format(values[-1]) + ")"
    return text


def row(args):
    with open(args.qualities) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    change = [(q["persons_found"] / q["persons_true"] - 1) * 100 for q in runs]
    cells = [
        args.label,
        fr(args.threshold),
        fr(args.encode),
        fr(f"{args.candidates:,}"),
        fr(args.link),
        fr(spread([q["precision"] for q in runs], "{:.4f}")),
        fr(spread([q["recall"] for q in runs], "{:.4f}")),
        fr(spread([q["persons_found"] for q in runs], "{:,}") + f" / {runs[0]['persons_true']:,}")
        + " "
        + fr("(" + spread(change, "{:+.1f}") + " %)"),
    ]
    print("| " + " | ".join(cells) + " |")


def truths(path):
    with open(path, newline="") as f:
        return {row["id"]: row["truth"] for row in csv.DictReader(f)}


def evaluate(args):
    out = quality(args.a, args.b, args.clusters)
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("split")
    s.add_argument("--input", required=True)
    s.add_argument("--common", type=int, default=25000)
    s.add_argument("--each", type=int, default=25000)
    s.add_argument("--out-dir", required=True)
    s.add_argument("--seed", type=int, default=7)
    e = sub.add_parser("eval")
    e.add_argument("--a", required=True)
    e.add_argument("--b", required=True)
    e.add_argument("--clusters", required=True)
    e.add_argument("--json", action="store_true")
    r = sub.add_parser("row")
    r.add_argument("--label", required=True)
    r.add_argument("--threshold", required=True)
    r.add_argument("--candidates", type=int, required=True)
    r.add_argument("--link", required=True)
    r.add_argument("--encode", default="—")
    r.add_argument("--qualities", required=True, help="one `eval --json` line per run")
    args = ap.parse_args()
    {"split": split, "eval": evaluate, "row": row}[args.command](args)


if __name__ == "__main__":
    main()
