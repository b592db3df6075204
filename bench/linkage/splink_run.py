"""Runs Splink (DuckDB backend) on one data set of the linkage benchmark and writes `id,cluster`.

    python splink_run.py febrl3 --input febrl3.csv --out clusters.csv
    python splink_run.py febrl4 --input febrl4a.csv febrl4b.csv --out clusters.csv
    python splink_run.py synth  --input synth.csv --out clusters.csv
    python splink_run.py synth-traits --input synth.csv --out clusters.csv   # + birth name and place
    python splink_run.py DATASET --input … --count-pairs    # exact pairs compared, nothing else

Settings are Splink's own tutorials (docs/demos/examples/duckdb/febrl3, febrl4 and
deduplicate_50k_synthetic), kept as they are except that the FEBRL `soc_sec_id` column is not
available (the benchmark drops it), so every rule and comparison using it is left out. On the
synthetic sets, `synth` uses the core columns (names, birth date, sex, commune) and
`synth-traits` adds comparisons for the birth name, birth country and birth commune (see
synth_traits_settings). Prints one JSON object on stdout (version, threshold, the input columns
the comparisons use, seconds per stage, peak memory of this process).
Random sampling for u is seeded (as in the febrl3 tutorial) so that runs are reproducible.
"""

import argparse
import json
import logging
import resource
import sys
import time

import duckdb
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import count_comparisons_from_blocking_rules

# ---- FEBRL3 (tutorial febrl3, without soc_sec_id) -------------------------------------------

FEBRL3_BLOCKING = [
    block_on("given_name"),
    block_on("surname"),
    block_on("date_of_birth"),
    block_on("postcode"),
]


def febrl3_settings():
    return SettingsCreator(
        unique_id_column_name="id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=FEBRL3_BLOCKING,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )


def febrl3_train(linker):
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
        ],
        recall=0.9,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))


# ---- FEBRL4 (tutorial febrl4, detailed model, without soc_sec_id) ---------------------------

FEBRL4_BLOCKING = [
    block_on("given_name", "surname"),
    "l.given_name = r.surname and l.surname = r.given_name",
    block_on("date_of_birth"),
    block_on("state", "address_1"),
    block_on("street_number", "address_1"),
    block_on("postcode"),
]


def febrl4_settings():
    return SettingsCreator(
        unique_id_column_name="id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=FEBRL4_BLOCKING,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )


def febrl4_train(linker):
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )


# ---- synthetic French persons (after tutorial deduplicate_50k_synthetic) -------------------
# Names are cleaned as Splink's documentation advises (lower case, accents and every character
# that is not a letter removed: `N'Diaye`, `Jean-Pierre`, `Le Goff` -> `ndiaye`, `jeanpierre`,
# `legoff`); dates are ISO strings.

# The tutorial's first rule, 3 letters of the given name and 4 of the surname, explodes at a
# million persons (74M pairs, chained into huge clusters): it is replaced by the exact surname and
# 3 letters of the given name. Altogether about 19M pairs at a million persons.
SYNTH_BLOCKING = [
    block_on("family_n", "given_n"),
    block_on("family_n", "birth_date"),
    block_on("given_n", "birth_date"),
    "l.given_n = r.family_n and l.family_n = r.given_n",
    block_on("birth_date", "commune"),
    block_on("substr(given_n,1,2)", "substr(family_n,1,2)", "substr(birth_date,1,4)"),
    block_on("family_n", "substr(given_n,1,3)"),
]


def synth_comparisons():
    return [
        cl.ForenameSurnameComparison("given_n", "family_n", forename_surname_concat_col_name="full_n"),
        cl.DateOfBirthComparison("birth_date", input_is_string=True),
        cl.ExactMatch("sex"),
        cl.ExactMatch("commune").configure(term_frequency_adjustments=True),
    ]


def synth_settings():
    return SettingsCreator(
        unique_id_column_name="id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=SYNTH_BLOCKING,
        comparisons=synth_comparisons(),
        retain_intermediate_calculation_columns=False,
    )


def synth_train(linker):
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_n", "family_n", "birth_date"), block_on("birth_date", "commune", "sex")],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=2)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_n", "family_n"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date", "commune"), estimate_without_term_frequencies=True
    )


# ---- the same with the identity traits: birth name, birth country, birth commune -----------
# The core comparisons and training are the same; the new columns get comparisons from Splink's
# library with their defaults, and EM estimates them in both sessions (neither blocks on them).
#
# - birth country (INSEE code, `99100` France): `cl.ExactMatch` with term frequencies, so that
#   agreeing on France weighs little and on a rare country much;
# - birth commune (free text: case, accents, `St-`/`Saint-`, typos): cleaned like the names, `St`
#   and `Ste` written out, then `cl.NameComparison` (exact with term frequencies, Jaro-Winkler
#   0.92, 0.88, 0.7);
# - birth name: one `cl.CustomComparison` of library levels, in this order: exact match on the
#   birth name field (term frequencies, as NameComparison); "the family name of one row is the
#   birth name of the other" while the family names differ (a married woman written under her used
#   name with her birth name apart in one report, under her birth name in the other; when the
#   family names agree, the name comparison has already counted it); null (either birth name
#   missing); Jaro-Winkler 0.92, 0.88, 0.7 on the birth name; else. That cross level needs the
#   pair to be compared at all: two blocking rules are added (given name + family name of one =
#   birth name of the other, each direction; equi-joins, as Splink advises, rather than an OR).


def birth_name_comparison():
    return cl.CustomComparison(
        comparison_levels=[
            cll.ExactMatchLevel("birth_n").configure(tf_adjustment_column="birth_n"),
            cll.CustomLevel(
                "(family_n_l = birth_n_r or birth_n_l = family_n_r) and family_n_l <> family_n_r",
                label_for_charts="family name of one = birth name of the other",
            ),
            cll.NullLevel("birth_n"),
            cll.JaroWinklerLevel("birth_n", 0.92),
            cll.JaroWinklerLevel("birth_n", 0.88),
            cll.JaroWinklerLevel("birth_n", 0.7),
            cll.ElseLevel(),
        ],
        output_column_name="birth_n",
        comparison_description="birth name, and family name against birth name",
    )


SYNTH_TRAITS_BLOCKING = SYNTH_BLOCKING + [
    "l.given_n = r.given_n and l.family_n = r.birth_n",
    "l.given_n = r.given_n and l.birth_n = r.family_n",
]


def synth_traits_settings():
    return SettingsCreator(
        unique_id_column_name="id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=SYNTH_TRAITS_BLOCKING,
        comparisons=synth_comparisons() + [
            birth_name_comparison(),
            cl.ExactMatch("birth_country").configure(term_frequency_adjustments=True),
            cl.NameComparison("birth_commune_n"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def clean(col):
    return f"nullif(regexp_replace(lower(strip_accents({col})), '[^a-z]', '', 'g'), '')"


def clean_place(col):
    """As `clean`, a leading `St` / `Ste` written out first (`St-Étienne`, `ST ETIENNE` -> `saintetienne`)."""
    return clean(f"regexp_replace(lower(strip_accents({col})), '^st(e?)[ -]', 'saint\\1 ')")


SYNTH_SELECT = f"""
    select cast(id as bigint) as id, {clean('family_name')} as family_n, {clean('given_names')} as given_n,
           {clean('given_names')} || ' ' || {clean('family_name')} as full_n,
           nullif(birth_date, '') as birth_date, nullif(sex, 'X') as sex, commune
    from read_csv('{{path}}', header = true, all_varchar = true)
"""
# DuckDB reads an empty field as NULL; nullif(…, '') and the cleaning make sure of it all the same
SYNTH_TRAITS_SELECT = f"""
    select cast(id as bigint) as id, {clean('family_name')} as family_n, {clean('given_names')} as given_n,
           {clean('given_names')} || ' ' || {clean('family_name')} as full_n,
           nullif(birth_date, '') as birth_date, nullif(sex, 'X') as sex, commune,
           {clean('birth_name')} as birth_n, nullif(trim(birth_country), '') as birth_country,
           {clean_place('birth_commune')} as birth_commune_n
    from read_csv('{{path}}', header = true, all_varchar = true)
"""
FEBRL_SELECT = """
    select * replace (cast(id as bigint) as id)
    from read_csv('{path}', header = true, all_varchar = true)
"""

DATASETS = {
    # name: (settings, training, blocking rules, link type, select, threshold for clustering)
    "febrl3": (febrl3_settings, febrl3_train, FEBRL3_BLOCKING, "dedupe_only", FEBRL_SELECT, 0.5),
    "febrl4": (febrl4_settings, febrl4_train, FEBRL4_BLOCKING, "link_only", FEBRL_SELECT, 0.5),
    "synth": (synth_settings, synth_train, SYNTH_BLOCKING, "dedupe_only", SYNTH_SELECT, 0.5),
    "synth-traits": (
        synth_traits_settings, synth_train, SYNTH_TRAITS_BLOCKING, "dedupe_only", SYNTH_TRAITS_SELECT, 0.5
    ),
}

# the input file's columns each data set's comparisons read (for the report)
FIELDS = {
    "febrl3": ["given_name", "surname", "date_of_birth", "street_number", "postcode"],
    "febrl4": ["given_name", "surname", "date_of_birth", "street_number", "postcode"],
    "synth": ["family_name", "given_names", "birth_date", "sex", "commune"],
    "synth-traits": ["family_name", "given_names", "birth_date", "sex", "commune",
                     "birth_name", "birth_country", "birth_commune"],
}


def peak_rss_bytes():
    # Linux reports kilobytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dataset", choices=DATASETS)
    p.add_argument("--input", nargs="+", required=True)
    p.add_argument("--out", help="the id,cluster CSV to write")
    p.add_argument("--threshold", type=float, help="match probability for clustering (default: per data set)")
    p.add_argument("--count-pairs", action="store_true", help="only count the pairs the blocking rules compare")
    p.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="THRESHOLD:FILE",
        help="after the main output, also cluster at THRESHOLD into FILE (for untimed runs)",
    )
    args = p.parse_args()
    make_settings, train, blocking, link_type, select, default_threshold = DATASETS[args.dataset]
    threshold = default_threshold if args.threshold is None else args.threshold

    stages = {}
    started = last = time.perf_counter()

    def stage(name):
        nonlocal last
        now = time.perf_counter()
        stages[name] = round(now - last, 3)
        last = now

    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    tables = [db_api.register(con.sql(select.format(path=path))) for path in args.input]
    if (link_type == "link_only") != (len(tables) == 2):
        sys.exit(f"splink_run: {args.dataset} needs {'two input files' if link_type == 'link_only' else 'one'}")
    sdf = tables if len(tables) > 1 else tables[0]

    if args.count_pairs:
        records = count_comparisons_from_blocking_rules(
            sdf,
            blocking_rules=blocking,
            link_type=link_type,
            unique_id_column_name="id",
            record_sample_proportion=1.0,
        )
        print(json.dumps({"dataset": args.dataset, "pairs_compared": int(records[-1]["cumulative_comparison_count"])}))
        return

    if not args.out:
        sys.exit("splink_run: --out is required")
    linker = Linker(sdf, make_settings(), log_level=logging.WARNING)
    stage("load")
    train(linker)
    stage("training (u sampling, EM)")
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    stage("predict (pairs with match probability >= 0.2)")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    stage(f"clustering at {threshold}")
    out = args.out
    clusters.as_duckdbpyrelation().select("id, cluster_id as cluster").write_csv(out, header=True)
    stage("write")
    summary = {
        "tool": "Splink",
        "version": splink.__version__,
        "duckdb": duckdb.__version__,
        "dataset": args.dataset,
        "threshold": threshold,
        "fields": FIELDS[args.dataset],
        "households": False,
        "seconds": round(time.perf_counter() - started, 3),
        "stages": stages,
        "peak_rss_bytes": peak_rss_bytes(),
    }
    for extra in args.extra:
        t, path = extra.split(":", 1)
        more = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=float(t)
        )
        more.as_duckdbpyrelation().select("id, cluster_id as cluster").write_csv(path, header=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
