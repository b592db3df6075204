"""The one evaluator of the linkage benchmark: pairwise precision, recall and F1 of a clustering
against the ground truth, the same for every tool.

    python evaluate.py --truth FILE.csv --clusters OUT.csv            # deduplication
    python evaluate.py --truth A.csv B.csv --clusters OUT.csv         # linkage of A with B

Truth files have columns `id` and `truth` (others ignored); ids are unique across the files. The
clusters file has columns `id` and `cluster`; a record it leaves out is alone in its cluster.

A pair of records is *predicted* when both are in the same cluster, *true* when they have the same
truth. For a linkage, only pairs with one record from each file count (within-file pairs are
neither predicted nor true). Pairs are counted by combinatorics on the cluster sizes, the truth
group sizes and the sizes of their intersections, never one by one: linear in the records.

Prints one JSON object: records, true_pairs, predicted_pairs, true_positives, precision, recall,
f1 (precision is null when nothing is predicted).
"""

import argparse
import csv
import json
import sys
from collections import Counter


def read_truth(paths):
    """id -> (truth, source index)."""
    records = {}
    for source, path in enumerate(paths):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                rid = row["id"].strip()
                if rid in records:
                    sys.exit(f"evaluate: id {rid} appears twice in the truth files")
                records[rid] = (row["truth"].strip(), source)
    return records


def read_clusters(path, records):
    cluster_of = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "id" not in reader.fieldnames or "cluster" not in reader.fieldnames:
            sys.exit(f"evaluate: {path} needs columns id,cluster (has {reader.fieldnames})")
        for row in reader:
            rid = row["id"].strip()
            if rid not in records:
                sys.exit(f"evaluate: {path} has id {rid}, which no truth file has")
            if rid in cluster_of and cluster_of[rid] != row["cluster"]:
                sys.exit(f"evaluate: {path} puts id {rid} in two clusters")
            cluster_of[rid] = row["cluster"]
    return cluster_of


def pairs(counts, link):
    """Pairs within groups: `counts` maps a group to [records of file 0, of file 1, …]."""
    total = 0
    for per_source in counts.values():
        if link:
            total += per_source[0] * per_source[1]
        else:
            n = sum(per_source)
            total += n * (n - 1) // 2
    return total


def evaluate(truth_paths, clusters_path):
    link = len(truth_paths) == 2
    if len(truth_paths) not in (1, 2):
        sys.exit("evaluate: one truth file (deduplication) or two (linkage)")
    records = read_truth(truth_paths)
    cluster_of = read_clusters(clusters_path, records)
    width = len(truth_paths)
    by_cluster, by_truth, by_both = {}, {}, {}
    for rid, (truth, source) in records.items():
        cluster = cluster_of.get(rid, ("alone", rid))
        for table, key in ((by_cluster, cluster), (by_truth, truth), (by_both, (cluster, truth))):
            table.setdefault(key, [0] * width)[source] += 1
    true_pairs = pairs(by_truth, link)
    predicted = pairs(by_cluster, link)
    tp = pairs(by_both, link)
    precision = tp / predicted if predicted else None
    recall = tp / true_pairs if true_pairs else None
    f1 = 2 * tp / (predicted + true_pairs) if predicted + true_pairs else None
    return {
        "records": len(records),
        "clustered_records": len(cluster_of),
        "clusters": len(by_cluster),
        "true_pairs": true_pairs,
        "predicted_pairs": predicted,
        "true_positives": tp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--truth", nargs="+", required=True)
    p.add_argument("--clusters", required=True)
    p.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="copied into the output")
    args = p.parse_args()
    out = dict(t.split("=", 1) for t in args.tag)
    out.update(evaluate(args.truth, args.clusters))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
