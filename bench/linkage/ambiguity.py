"""How much of a synthetic linkage set no method can link at precision 0.999: the true pairs whose
only evidence is a shared name, and how often that evidence is wrong.

    python ambiguity.py --input synth-1000000.csv [--json]

For every pair of rows with the same normalised family name and first given name, the same sex
(or one unknown) and at least one birth date missing, counts the pairs that are one person and
those that are two, by how many rows carry that full name in the whole file and whether the
commune is the same. A linker that sees only these fields cannot tell such pairs apart beyond
those counts: linking a class whose share of true pairs is 0.94 adds 6 false links per 94 true
ones, where precision 0.999 allows one per thousand.

Also prints the share of all true pairs in these classes.
"""

import argparse
import collections
import csv
import itertools
import json
import sys
import unicodedata


def norm(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(ch for ch in s if ch.isalpha())


def first_given(s):
    return norm(s.replace("-", " ").split(" ")[0]) if s.strip() else ""


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input", required=True)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    by_name = collections.defaultdict(list)
    by_truth = collections.defaultdict(list)
    with open(args.input, newline="") as f:
        for r in csv.DictReader(f):
            row = (r["truth"], r["birth_date"], r["sex"], r["commune"])
            by_name[(norm(r["family_name"]), first_given(r["given_names"]))].append(row)
            by_truth[r["truth"]].append(row)
    true_pairs = sum(len(g) * (len(g) - 1) // 2 for g in by_truth.values())
    classes = collections.defaultdict(lambda: [0, 0])  # (bucket, same commune) -> [one person, two]
    for rows in by_name.values():
        n = len(rows)
        if n < 2 or n > 300:
            continue
        bucket = str(n) if n <= 4 else ("5–10" if n <= 10 else "over 10")
        for a, b in itertools.combinations(rows, 2):
            if a[1] and b[1]:
                continue
            if a[2] != b[2] and "X" not in (a[2], b[2]):
                continue
            classes[(bucket, a[3] == b[3])][0 if a[0] == b[0] else 1] += 1
    order = {"2": 0, "3": 1, "4": 2, "5–10": 3, "over 10": 4}
    rows = []
    for (bucket, same), (one, two) in sorted(classes.items(), key=lambda kv: (order[kv[0][0]], not kv[0][1])):
        rows.append({"rows_with_the_name": bucket, "same_commune": same, "one_person": one, "two_persons": two,
                     "share_one_person": one / (one + two)})
    undated_same_name = sum(r["one_person"] for r in rows)
    out = {
        "true_pairs": true_pairs,
        "undated_same_name_true_pairs": undated_same_name,
        "classes": rows,
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"true pairs: {true_pairs:,}; with one birth date missing and the same name: {undated_same_name:,} "
          f"({undated_same_name / true_pairs:.1%})")
    print("| rows with the full name | same commune | one person | two persons | share one person |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['rows_with_the_name']} | {'yes' if r['same_commune'] else 'no'} | {r['one_person']:,} | "
              f"{r['two_persons']:,} | {r['share_one_person']:.3f} |")


if __name__ == "__main__":
    sys.exit(main())
