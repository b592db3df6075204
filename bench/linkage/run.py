"""Runs one tool on one data set of the linkage benchmark, measures it, evaluates its clusters and
records everything in a JSON result file for report.py.

    python run.py --result R.json --dataset NAME --tool NAME --truth T.csv [T2.csv] \
        --clusters OUT.csv [--pairs N] [--label CMD] -- COMMAND ARGS…

Wall time and peak resident memory are those of the whole COMMAND process (children included),
read from GNU time (`/usr/bin/time -v`) when present, else from `os.wait4`'s resource usage (the
same source). If COMMAND prints a JSON object on its last line of stdout, it is kept (`tool_json`)
and its pairs count used when --pairs is not given. A failing COMMAND gives a result with
`status: failed` and the end of its stderr, so that the other tools' figures still appear.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import evaluate  # noqa: E402

GNU_TIME = "/usr/bin/time"
PAIR_KEYS = ("pairs_compared", "candidate_pairs", "pairs", "compared_pairs", "comparisons")


def measure(command):
    """(exit code, stdout, stderr, wall seconds, peak RSS bytes)."""
    use_gnu = os.access(GNU_TIME, os.X_OK)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        argv = [GNU_TIME, "-v", "-o", tf.name, *command] if use_gnu else command
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate()
        wall = time.perf_counter() - started
        if use_gnu:
            report = Path(tf.name).read_text()
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
            peak = int(m.group(1)) * 1024 if m else None
            e = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", report)
            if e:
                parts = [float(x) for x in e.group(1).split(":")]
                wall = sum(p * 60**i for i, p in enumerate(reversed(parts)))
            code = proc.returncode
            m = re.search(r"Exit status: (\d+)", report)
            if m:
                code = int(m.group(1))
        else:
            # Popen already reaped the child; its usage is in RUSAGE_CHILDREN (largest child)
            import resource

            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
            code = proc.returncode
    return code, out, err, wall, peak


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def find_pairs(obj):
    if isinstance(obj, dict):
        for k in PAIR_KEYS:
            if isinstance(obj.get(k), (int, float)):
                return int(obj[k])
        for v in obj.values():
            n = find_pairs(v)
            if n is not None:
                return n
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--result", required=True)
    p.add_argument("--dataset", required=True)
    p.add_argument("--tool", required=True)
    p.add_argument("--truth", nargs="+", required=True)
    p.add_argument("--clusters", required=True)
    p.add_argument("--pairs", type=int)
    p.add_argument("--label", help="the command as shown in the report (default: COMMAND)")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        sys.exit("run.py: no command")

    clusters = Path(args.clusters)
    if clusters.exists():
        clusters.unlink()
    print(f"linkage bench: {args.tool} on {args.dataset}: {' '.join(command)}", file=sys.stderr, flush=True)
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else None
    code, out, err, wall, peak = measure(command)
    tool_json = last_json(out)
    result = {
        "dataset": args.dataset,
        "tool": args.tool,
        "command": args.label or " ".join(command),
        "exit_code": code,
        "load_average_before": float(load) if load else None,
        "seconds": round(wall, 3),
        "peak_rss_bytes": peak,
        "tool_json": tool_json,
        "pairs_compared": args.pairs if args.pairs is not None else find_pairs(tool_json),
    }
    result["records"] = sum(max(0, sum(1 for _ in open(t, encoding="utf-8")) - 1) for t in args.truth)
    if code != 0 or not clusters.exists():
        lines = [l.strip() for l in err.strip().splitlines() if l.strip()]
        errors = [l for l in lines if l.lower().startswith(("error", "erreur"))]
        result["status"] = "failed"
        result["error"] = (errors[0] if errors else " / ".join(lines[-2:])) or f"exit code {code}, no clusters"
        print(f"linkage bench: {args.tool} on {args.dataset} FAILED: {result['error']}", file=sys.stderr)
    else:
        result["status"] = "ok"
        result["evaluation"] = evaluate(args.truth, str(clusters))
        ev = result["evaluation"]
        print(
            f"linkage bench: {args.tool} on {args.dataset}: precision {ev['precision']}, recall {ev['recall']}, "
            f"F1 {ev['f1']}, {wall:.1f} s, peak {peak / 2**30 if peak else 0:.2f} GiB",
            file=sys.stderr,
        )
    Path(args.result).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
