"""Checks evaluate.py's combinatorial counts against a brute-force count over all pairs, the
pure helpers of ambiguity.py, report.py and splink_run.py, and pprl_bench.py's split and scores.

    python -m unittest bench/linkage/test_evaluate.py
"""

import csv
import itertools
import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from evaluate import evaluate  # noqa: E402
import ambiguity  # noqa: E402
import ceiling  # noqa: E402
import report  # noqa: E402
import pprl_bench  # noqa: E402


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


class EvaluateTest(unittest.TestCase):
    def check(self, link, seed):
        rng = random.Random(seed)
        n = 60
        truth = {str(i): str(rng.randrange(15)) for i in range(n)}
        source = {str(i): (i % 2 if link else 0) for i in range(n)}
        cluster = {str(i): str(rng.randrange(12)) for i in range(n) if rng.random() < 0.9}
        with tempfile.TemporaryDirectory() as d:
            paths = [os.path.join(d, f"t{s}.csv") for s in range(2 if link else 1)]
            for s, path in enumerate(paths):
                write(path, ["id", "truth"], [(i, t) for i, t in truth.items() if source[i] == s])
            cpath = os.path.join(d, "c.csv")
            write(cpath, ["id", "cluster"], list(cluster.items()))
            got = evaluate(paths, cpath)
        tp = fp = fn = 0
        for a, b in itertools.combinations(truth, 2):
            if link and source[a] == source[b]:
                continue
            same_cluster = a in cluster and b in cluster and cluster[a] == cluster[b]
            same_truth = truth[a] == truth[b]
            tp += same_cluster and same_truth
            fp += same_cluster and not same_truth
            fn += same_truth and not same_cluster
        self.assertEqual(got["true_positives"], tp)
        self.assertEqual(got["predicted_pairs"], tp + fp)
        self.assertEqual(got["true_pairs"], tp + fn)

    def test_dedup_matches_brute_force(self):
        for seed in range(20):
            self.check(False, seed)

    def test_link_matches_brute_force(self):
        for seed in range(20):
            self.check(True, seed)


def row(truth, family, given, birth_date="", sex="F", commune="69901", country="", birth_commune="",
        household="", id=""):
    return ambiguity.row_of({"id": id, "truth": truth, "family_name": family, "given_names": given,
                             "birth_date": birth_date, "sex": sex, "commune": commune, "birth_country": country,
                             "birth_commune": birth_commune, "household": household})


class AmbiguityTest(unittest.TestCase):
    def test_norm_place(self):
        for written in ("St-Étienne", "ST ETIENNE", "Saint-Etienne", "saint étienne", " St Etienne "):
            self.assertEqual(ambiguity.norm_place(written), "saintetienne", written)
        self.assertEqual(ambiguity.norm_place("Ste-Foy-lès-Lyon"), "saintefoyleslyon")
        self.assertEqual(ambiguity.norm_place("Stains"), "stains")  # not an abbreviation
        self.assertEqual(ambiguity.norm_place(""), "")

    def test_bucket(self):
        self.assertEqual([ambiguity.bucket(n) for n in (2, 4, 5, 10, 11)], ["2", "4", "5–10", "5–10", "over 10"])

    def test_birth_place_agreement(self):
        a = row("1", "Martin", "Marie", country="99100", birth_commune="St-Étienne")
        b = row("1", "Martin", "Marie", country="99100", birth_commune="SAINT ETIENNE")
        c = row("2", "Martin", "Marie", country="99350", birth_commune="Lyon")
        d = row("2", "Martin", "Marie", country="99100")
        self.assertEqual(ambiguity.birth_place_agreement(a, b), (True, True))
        self.assertEqual(ambiguity.birth_place_agreement(a, c), (False, False))
        self.assertIsNone(ambiguity.birth_place_agreement(a, d))

    def test_analyse(self):
        rows = [
            row("1", "Martin", "Marie Anne", "1980-01-02", country="99100", birth_commune="Lyon"),
            row("1", "MARTIN", "Marie", country="99100", birth_commune="LYON"),
            row("2", "Martin", "Marie", "1990-03-04", commune="69902", country="99100", birth_commune="Paris"),
            row("3", "Durand", "Paul", sex="M"),
            row("3", "Durand", "Paul", sex="M"),
            row("4", "Durand", "Paul", sex="F"),  # another sex: not a candidate pair
        ]
        out = ambiguity.analyse(rows)
        self.assertEqual(out["true_pairs"], 2)
        by_key = {(c["rows_with_the_name"], c["same_commune"]): (c["one_person"], c["two_persons"])
                  for c in out["classes"]}
        # Martin (3 rows): the first two one person (same commune), the last two two persons (other
        # commune), the first and last both dated; Durand (3 rows): the first two one person
        self.assertEqual(by_key, {("3", True): (2, 0), ("3", False): (0, 1)})
        self.assertEqual((out["undated_same_name_true_pairs"], out["undated_same_name_false_pairs"]), (2, 1))
        places = {(c["same_commune"], c["same_birth_country"], c["same_birth_commune"]):
                  (c["one_person"], c["two_persons"]) for c in out["birth_place_classes"]}
        self.assertEqual(places, {(True, True, True): (1, 0), (False, True, False): (0, 1)})
        self.assertEqual((out["birth_place_true_pairs"], out["birth_place_false_pairs"]), (1, 1))
        self.assertEqual([(c["one_person"], c["two_persons"]) for c in out["co_member"]], [(0, 0), (2, 1)])

    def test_co_member_namesakes(self):
        rows = [
            # reports 10 and 20: Marie Martin, undated in one, with her son Paul in both
            row("1", "Martin", "Marie", "1980-01-02", household="10", id="1"),
            row("5", "Martin", "Paul", "2010-05-06", sex="M", household="10", id="2"),
            row("1", "Martin", "Marie", household="20", id="3"),
            row("5", "MARTIN", "Paul", sex="M", household="20", id="4"),
            # report 30: another Marie Martin, undated, with a daughter Paule
            row("2", "Martin", "Marie", household="30", id="5"),
            row("6", "Martin", "Paule", household="30", id="6"),
        ]
        out = ambiguity.analyse(rows, cluster_of={"1": "a", "3": "a", "5": "b"})
        co = {c["co_member_namesake"]: c for c in out["co_member"]}
        # Marie 1–3 (Paul in both reports): one person with a co-member namesake, linked; Marie
        # 1–5 and 3–5 have none; Paul 2–4 has Marie as co-member namesake
        self.assertEqual((co[True]["one_person"], co[True]["two_persons"], co[True]["one_person_linked"]), (2, 0, 1))
        self.assertEqual((co[False]["one_person"], co[False]["two_persons"], co[False]["two_persons_linked"]),
                         (0, 2, 0))
        self.assertEqual(ambiguity.co_member_namesakes(rows[0], rows[1], {"10": rows[:2]}), 0, "one report")


class ReportTest(unittest.TestCase):
    def test_co_member_paragraph(self):
        a = {"true_pairs": 1000, "co_member": [
            {"co_member_namesake": True, "one_person": 40, "two_persons": 1, "one_person_linked": 35,
             "two_persons_linked": 0},
            {"co_member_namesake": False, "one_person": 100, "two_persons": 900, "one_person_linked": 50,
             "two_persons_linked": 2}]}
        text = report.render_co_member(a)[0]
        self.assertIn("of these pairs, 41 have", text)
        self.assertIn("The other 100 true pairs (10.0% of all true pairs)", text)
        self.assertIn("links 35 of the first true pairs (0 false), and 50 of the others (2 false)", text)
        a["co_member"][0]["one_person_linked"] = None
        self.assertNotIn("links", report.render_co_member(a)[0])

    CORE = ["family_name", "given_names", "birth_date", "sex", "commune"]
    TRAITS = ["birth_name", "birth_country", "birth_commune"]

    def test_columns_label(self):
        label = report.columns_label
        self.assertEqual(label(self.CORE, False), "names, date, sex, commune")
        self.assertEqual(label(self.CORE + self.TRAITS, False), "+ birth name, birth country and commune")
        self.assertEqual(label(self.CORE, True), "+ households")
        self.assertEqual(label(self.CORE + self.TRAITS, True), "+ birth name, birth country and commune, + households")
        self.assertEqual(label(self.CORE + ["birth_name", "birth_commune"], False), "+ birth name and birth commune")
        self.assertEqual(label(["given_name", "surname", "date_of_birth", "postcode"], False),
                         "names, date, postcode")

    def test_run_columns_falls_back_on_the_variant(self):
        self.assertEqual(report.run_columns({"dataset": "synth-10000", "tool": "parcours-no-household"}),
                         "+ birth name, birth country and commune")
        self.assertEqual(report.run_columns({"dataset": "febrl3", "tool": "parcours"}), "—")
        j = {"fields": self.CORE, "households": True}
        self.assertEqual(report.run_columns({"dataset": "synth-10000", "tool": "x", "tool_json": j}), "+ households")

    def test_tool_label_shows_the_flags(self):
        r = {"tool": "parcours-names", "tool_json": {"threshold": 0.99},
             "command": "parcours link eval f.csv --ignore household,birth_name --clusters-out c.csv --json"}
        self.assertEqual(report.tool_label(r), "parcours `link eval`, threshold 0.99, `--ignore household,birth_name`")

    def test_birth_place_rows(self):
        classes = [
            {"rows_with_the_name": "2", "same_commune": True, "same_birth_country": True,
             "same_birth_commune": True, "one_person": 5, "two_persons": 1},
            {"rows_with_the_name": "2", "same_commune": True, "same_birth_country": True,
             "same_birth_commune": False, "one_person": 2, "two_persons": 3},
            {"rows_with_the_name": "2", "same_commune": True, "same_birth_country": False,
             "same_birth_commune": True, "one_person": 1, "two_persons": 4},
        ]
        self.assertEqual(report.birth_place_rows(classes), {("2", True): [5, 1, 3, 7]})


class CeilingTest(unittest.TestCase):
    def test_clustered_matches_brute_force(self):
        rng = random.Random(3)
        n = 40
        truth = [rng.randrange(15) for _ in range(n)]
        pairs = [(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < 0.08]
        rng.shuffle(pairs)
        a = [p[0] for p in pairs]
        b = [p[1] for p in pairs]
        ta = [truth[x] for x in a]
        tb = [truth[y] for y in b]
        total_true = sum(1 for x in range(n) for y in range(x + 1, n) if truth[x] == truth[y])
        for target in (0.5, 0.8, 1.0):
            got = ceiling.clustered(a, b, ta, tb, range(len(pairs)), total_true, target)
            # brute force: union-find prefix by prefix, pairs counted from the clusters
            best = (0.0, 1.0, 0)
            for k in range(1, len(pairs) + 1):
                comp = list(range(n))
                for x, y in pairs[:k]:
                    cx, cy = comp[x], comp[y]
                    comp = [cx if c == cy else c for c in comp]
                same = [(x, y) for x in range(n) for y in range(x + 1, n) if comp[x] == comp[y]]
                tp = sum(1 for x, y in same if truth[x] == truth[y])
                if same and tp / len(same) >= target:
                    best = (tp / total_true, tp / len(same), len(same))
            self.assertEqual(got, best, target)

    def test_render_ceiling(self):
        c = {"kind": "ceiling", "dataset": "synth-1000000", "precision_floor": 0.999, "true_pairs": 1000,
             "scored_pairs": 5000, "scored_true_pairs": 930,
             "engine": {"pairwise_recall": 0.81, "clustered_recall": 0.8, "clustered_precision": 0.999},
             "classifier": {"pairwise_recall": 0.84, "clustered_recall": 0.83, "clustered_precision": 0.999}}
        text = " ".join(report.render_ceiling(c))
        for part in ("930 (93.0%)", "pairwise recall 0.8400", "without labels: 0.8100", "0.8300 (ours: 0.8000"):
            self.assertIn(part, text)


class SplinkCleaningTest(unittest.TestCase):
    def test_clean_place(self):
        try:
            import duckdb
            import splink_run
        except ImportError:
            self.skipTest("needs the bench virtual environment (duckdb, splink)")
        con = duckdb.connect()
        for written, cleaned in (("St-Étienne", "saintetienne"), ("STE MARIE", "saintemarie"),
                                 ("Saint Etienne", "saintetienne"), ("Stains", "stains"), ("", None)):
            got = con.execute(f"select {splink_run.clean_place('$1')}", [written]).fetchone()[0]
            self.assertEqual(got, cleaned, written)


class PprlBenchTest(unittest.TestCase):
    def test_split_and_quality(self):
        header = ["id", "truth", "family_name", "given_names", "birth_date", "sex", "commune", "household",
                  "birth_name", "birth_country", "birth_commune"]
        # persons 1-3 reported twice, 4-7 once
        rows = []
        for person, times in ((1, 2), (2, 2), (3, 3), (4, 1), (5, 1), (6, 1), (7, 1)):
            for k in range(times):
                rows.append([f"{person}{k}", person, f"Nom{person}", "Marie", "1980-01-01", "F", "69123", "",
                             "Née" if k else "", "", ""])
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "in.csv"), header, rows)
            args = type("A", (), {"input": os.path.join(d, "in.csv"), "common": 2, "each": 2,
                                  "out_dir": d, "seed": 3})
            pprl_bench.split(args)
            a = list(csv.DictReader(open(os.path.join(d, "a.csv"))))
            b = list(csv.DictReader(open(os.path.join(d, "b.csv"))))
            self.assertEqual((len(a), len(b)), (4, 4))
            both = {r["truth"] for r in a} & {r["truth"] for r in b}
            self.assertEqual(len(both), 2, "two persons in both files")
            self.assertTrue(both <= {"1", "2", "3"}, "drawn among the persons reported twice")
            self.assertFalse({r["id"] for r in a} & {r["id"] for r in b}, "two different reports of each")
            self.assertEqual(len({r["truth"] for r in a}), 4, "one row per person and partner")
            with open(os.path.join(d, "a-nobirth.csv")) as f:
                self.assertNotIn("birth_name", f.readline())
            a_dup = list(csv.DictReader(open(os.path.join(d, "a-dup.csv"))))
            b_dup = list(csv.DictReader(open(os.path.join(d, "b-dup.csv"))))
            chosen = {r["truth"] for r in a + b}
            every = sorted(str(r[0]) for r in rows if str(r[1]) in chosen)
            self.assertEqual(sorted(r["id"] for r in a_dup + b_dup), every, "every report of the same persons")
            self.assertEqual({r["truth"] for r in a_dup}, {r["truth"] for r in a})
            with open(os.path.join(d, "right-dup.csv"), "w") as f:
                f.write("partner,id,person\n")
                for p, rs in (("a", a_dup), ("b", b_dup)):
                    f.writelines(f"{p},{r['id']},{r['truth']}\n" for r in rs)
            dup = pprl_bench.quality(os.path.join(d, "a-dup.csv"), os.path.join(d, "b-dup.csv"),
                                     os.path.join(d, "right-dup.csv"))
            # persons 1-3 have 2, 2 and 3 reports, of whom two are chosen in both files
            self.assertEqual((dup["precision"], dup["recall"], dup["persons_found"]), (1.0, 1.0, 6))
            # the truth as clusters: every pair found; each record alone: none
            with open(os.path.join(d, "right.csv"), "w") as f:
                f.write("partner,id,person\n")
                for p, rs in (("a", a), ("b", b)):
                    f.writelines(f"{p},{r['id']},{r['truth']}\n" for r in rs)
            with open(os.path.join(d, "alone.csv"), "w") as f:
                f.write("id,cluster\n")
                f.writelines(f"{r['id']},{r['id']}\n" for r in a + b)
            right = pprl_bench.quality(os.path.join(d, "a.csv"), os.path.join(d, "b.csv"), os.path.join(d, "right.csv"))
            self.assertEqual((right["precision"], right["recall"], right["persons_found"], right["persons_true"]),
                             (1.0, 1.0, 6, 6))
            alone = pprl_bench.quality(os.path.join(d, "a.csv"), os.path.join(d, "b.csv"), os.path.join(d, "alone.csv"))
            self.assertEqual((alone["recall"], alone["persons_found"]), (0.0, 8))

    def test_spread(self):
        self.assertEqual(pprl_bench.spread([0.3, 0.1, 0.2], "{:.1f}"), "0.2 (0.1–0.3)")
        self.assertEqual(pprl_bench.spread([5, 5], "{:,}"), "5")

    def test_french_figures(self):
        self.assertEqual(pprl_bench.fr("15,928,297"), "15\u202f928\u202f297")
        self.assertEqual(pprl_bench.fr("0.9972"), "0,9972")


if __name__ == "__main__":
    unittest.main()
