"""Checks evaluate.py's combinatorial counts against a brute-force count over all pairs.

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


if __name__ == "__main__":
    unittest.main()
