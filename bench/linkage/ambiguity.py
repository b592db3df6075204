"""How much of a synthetic linkage set no method can link at precision 0.999: the true pairs whose
only evidence is a shared name, and how often that evidence is wrong.

    python ambiguity.py --input synth-1000000.csv [--json]

For every pair of rows with the same normalised family name and first given name, the same sex
(or one unknown) and at least one birth date missing, counts the pairs that are one person and
those that are two, by how many rows carry that full name in the whole file and whether the
commune is the same. A linker that sees only these fields cannot tell such pairs apart beyond
those counts: linking a class whose share of true pairs is 0.94 adds 6 false links per 94 true
ones, where precision 0.999 allows one per thousand.

Then the same breakdown once more, restricted to the pairs whose two rows both give a birth
country and a birth commune (the `birth_country` and `birth_commune` columns; a file without them
has no such pair), split by whether the two birth countries agree and whether the two birth
communes agree (normalised as the names, a leading `St`/`Ste` written out): how much of the
ambiguity the birth place resolves.

Also prints the share of all true pairs in these classes.
"""

import argparse
import collections
import csv
import itertools
import json
import re
import sys
import unicodedata

BUCKETS = ("2", "3", "4", "5–10", "over 10")
# what the analysis keeps of a row (a tuple: a million of them stay small)
Row = collections.namedtuple("Row", "truth birth_date sex commune birth_country birth_commune name")


def norm(s):
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(ch for ch in s if ch.isalpha())


def first_given(s):
    return norm(s.replace("-", " ").split(" ")[0]) if s.strip() else ""


def norm_place(s):
    """A commune as written, normalised as the names once a leading `St` / `Ste` is written out:
    `St-Étienne`, `ST ETIENNE`, `Saint-Etienne` -> `saintetienne`."""
    s = unicodedata.normalize("NFKD", s.strip().lower())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return norm(re.sub(r"^st(e?)[ -]", r"saint\1 ", s))


def bucket(n):
    """The class of a name carried by `n` rows of the file."""
    return str(n) if n <= 4 else ("5–10" if n <= 10 else "over 10")


def birth_place_agreement(a, b):
    """(same birth country, same birth commune) of two rows that both give both, else None."""
    if not (a.birth_country and b.birth_country and a.birth_commune and b.birth_commune):
        return None
    return a.birth_country == b.birth_country, a.birth_commune == b.birth_commune


def row_of(r):
    """What the analysis keeps of a CSV row (missing optional columns are empty)."""
    return Row(
        truth=r["truth"],
        birth_date=r["birth_date"],
        sex=r["sex"],
        commune=r["commune"],
        birth_country=(r.get("birth_country") or "").strip(),
        birth_commune=norm_place(r.get("birth_commune") or ""),
        name=(norm(r["family_name"]), first_given(r["given_names"])),
    )


def analyse(records):
    """The output object (see main) from rows as `row_of` gives them."""
    by_name = collections.defaultdict(list)
    by_truth = collections.Counter()
    for row in records:
        by_name[row.name].append(row)
        by_truth[row.truth] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in by_truth.values())
    classes = collections.defaultdict(lambda: [0, 0])  # (bucket, same commune) -> [one person, two]
    # (bucket, same commune, same birth country, same birth commune) -> [one person, two]
    places = collections.defaultdict(lambda: [0, 0])
    for rows in by_name.values():
        n = len(rows)
        if n < 2 or n > 300:
            continue
        b = bucket(n)
        for x, y in itertools.combinations(rows, 2):
            if x.birth_date and y.birth_date:
                continue
            if x.sex != y.sex and "X" not in (x.sex, y.sex):
                continue
            same = x.commune == y.commune
            two = 0 if x.truth == y.truth else 1
            classes[(b, same)][two] += 1
            agreement = birth_place_agreement(x, y)
            if agreement is not None:
                places[(b, same, *agreement)][two] += 1
    order = {k: i for i, k in enumerate(BUCKETS)}
    rows = []
    for (b, same), (one, two) in sorted(classes.items(), key=lambda kv: (order[kv[0][0]], not kv[0][1])):
        rows.append({"rows_with_the_name": b, "same_commune": same, "one_person": one, "two_persons": two,
                     "share_one_person": one / (one + two)})
    place_rows = []
    for (b, same, country, commune), (one, two) in sorted(
            places.items(), key=lambda kv: (order[kv[0][0]], not kv[0][1], not kv[0][2], not kv[0][3])):
        place_rows.append({"rows_with_the_name": b, "same_commune": same, "same_birth_country": country,
                           "same_birth_commune": commune, "one_person": one, "two_persons": two,
                           "share_one_person": one / (one + two)})
    return {
        "true_pairs": true_pairs,
        "undated_same_name_true_pairs": sum(r["one_person"] for r in rows),
        "undated_same_name_false_pairs": sum(r["two_persons"] for r in rows),
        "classes": rows,
        # the same pairs when both rows give a birth country and a birth commune
        "birth_place_true_pairs": sum(r["one_person"] for r in place_rows),
        "birth_place_false_pairs": sum(r["two_persons"] for r in place_rows),
        "birth_place_classes": place_rows,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input", required=True)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    with open(args.input, newline="", encoding="utf-8") as f:
        out = analyse(row_of(r) for r in csv.DictReader(f))
    if args.json:
        print(json.dumps(out))
        return
    true_pairs = out["true_pairs"]
    undated_same_name = out["undated_same_name_true_pairs"]
    print(f"true pairs: {true_pairs:,}; with one birth date missing and the same name: {undated_same_name:,} "
          f"({undated_same_name / true_pairs:.1%})")
    print("| rows with the full name | same commune | one person | two persons | share one person |")
    print("|---|---|---|---|---|")
    for r in out["classes"]:
        print(f"| {r['rows_with_the_name']} | {'yes' if r['same_commune'] else 'no'} | {r['one_person']:,} | "
              f"{r['two_persons']:,} | {r['share_one_person']:.3f} |")
    print()
    print(f"of these, both rows give a birth country and a birth commune: {out['birth_place_true_pairs']:,} "
          f"one person, {out['birth_place_false_pairs']:,} two persons")
    print("| rows with the full name | same commune | same birth country | same birth commune | one person | "
          "two persons | share one person |")
    print("|---|---|---|---|---|---|---|")
    yes = {True: "yes", False: "no"}
    for r in out["birth_place_classes"]:
        print(f"| {r['rows_with_the_name']} | {yes[r['same_commune']]} | {yes[r['same_birth_country']]} | "
              f"{yes[r['same_birth_commune']]} | {r['one_person']:,} | {r['two_persons']:,} | "
              f"{r['share_one_person']:.3f} |")


if __name__ == "__main__":
    sys.exit(main())
