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

Then whether the household says more: for each such pair whose rows are in two different
reports (the `household` column), whether a co-member of one row has the same name as a
co-member of the other (same normalised names, sex compatible, birth dates equal or one missing):
two reports sharing two namesakes are likely one household reported twice. With `--clusters`
(the engine's `--clusters-out`), also how many of those pairs the engine put in one cluster.

Also prints the share of all true pairs in these classes.

    python ambiguity.py --input synth-1000000.csv [--clusters clusters.csv] [--json]
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
Row = collections.namedtuple("Row", "id truth birth_date sex commune birth_country birth_commune name household")


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
        id=r.get("id", ""),
        truth=r["truth"],
        birth_date=r["birth_date"],
        sex=r["sex"],
        commune=r["commune"],
        birth_country=(r.get("birth_country") or "").strip(),
        birth_commune=norm_place(r.get("birth_commune") or ""),
        name=(norm(r["family_name"]), first_given(r["given_names"])),
        household=(r.get("household") or "").strip(),
    )


def namesakes(x, y):
    """Two rows with the same normalised name, sexes compatible and birth dates not different."""
    return (x.name == y.name and (x.sex == y.sex or "X" in (x.sex, y.sex))
            and (not x.birth_date or not y.birth_date or x.birth_date == y.birth_date))


def co_member_namesakes(x, y, households):
    """How many pairs of co-members, one in `x`'s report and one in `y`'s, are namesakes (0 when
    the rows are not in two different reports)."""
    if not x.household or not y.household or x.household == y.household:
        return 0
    return sum(1 for u in households[x.household] if u.id != x.id
               for v in households[y.household] if v.id != y.id and namesakes(u, v))


def analyse(records, cluster_of=None):
    """The output object (see main) from rows as `row_of` gives them; `cluster_of` maps a row id
    to the engine's cluster."""
    by_name = collections.defaultdict(list)
    by_truth = collections.Counter()
    households = collections.defaultdict(list)
    for row in records:
        by_name[row.name].append(row)
        by_truth[row.truth] += 1
        if row.household:
            households[row.household].append(row)
    true_pairs = sum(n * (n - 1) // 2 for n in by_truth.values())
    classes = collections.defaultdict(lambda: [0, 0])  # (bucket, same commune) -> [one person, two]
    # (bucket, same commune, same birth country, same birth commune) -> [one person, two]
    places = collections.defaultdict(lambda: [0, 0])
    # has a co-member namesake -> [one person, two, one person linked by the engine, two linked]
    co = {True: [0, 0, 0, 0], False: [0, 0, 0, 0]}
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
            c = co[co_member_namesakes(x, y, households) > 0]
            c[two] += 1
            if cluster_of is not None and cluster_of.get(x.id) is not None \
                    and cluster_of.get(x.id) == cluster_of.get(y.id):
                c[2 + two] += 1
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
        # the same pairs, by whether a co-member of one row's report has a namesake in the other's
        "co_member": [{"co_member_namesake": k, "one_person": v[0], "two_persons": v[1],
                       "one_person_linked": v[2] if cluster_of is not None else None,
                       "two_persons_linked": v[3] if cluster_of is not None else None}
                      for k, v in ((True, co[True]), (False, co[False]))],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input", required=True)
    p.add_argument("--clusters", help="the engine's clusters (id,cluster), from link eval --clusters-out")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    cluster_of = None
    if args.clusters:
        with open(args.clusters, newline="", encoding="utf-8") as f:
            cluster_of = {r["id"]: r["cluster"] for r in csv.DictReader(f)}
    with open(args.input, newline="", encoding="utf-8") as f:
        out = analyse((row_of(r) for r in csv.DictReader(f)), cluster_of)
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
    print()
    print("| a co-member has a namesake in the other report | one person | two persons | share one person "
          "| one person linked | two persons linked |")
    print("|---|---|---|---|---|---|")
    for r in out["co_member"]:
        share = r["one_person"] / max(1, r["one_person"] + r["two_persons"])
        linked = [f"{r[k]:,}" if r[k] is not None else "—" for k in ("one_person_linked", "two_persons_linked")]
        print(f"| {yes[r['co_member_namesake']]} | {r['one_person']:,} | {r['two_persons']:,} | {share:.3f} | "
              f"{linked[0]} | {linked[1]} |")


if __name__ == "__main__":
    sys.exit(main())
