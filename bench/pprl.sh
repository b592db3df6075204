#!/usr/bin/env bash
# Privacy-preserving linkage benchmark (issue 6, docs/pprl.md § 6): two partners' files drawn
# from the labelled linkage data, encoded by `parcours pprl encode` and linked by `pprl link`,
# beside the clear-text engine (`parcours link eval --link-with`) on the same two files; one
# table written into docs/pprl.md between the "bench/pprl.sh" markers.
#
#   bench/pprl.sh
#
# Environment: PPRL_PERSONS (persons generated, default 80000), PPRL_COMMON and PPRL_EACH
# (persons in both files, and in one file only, each: default 25000), RUNS (runs of each
# link, median quoted: default 5), PARCOURS_BIN (a binary to use instead of building
# target/release/parcours), PPRL_DOC (the Markdown file written). Needs python3 (standard library
# only) and GNU time (/usr/bin/time). Files go to target/bench-pprl/.
#
# The campaign secret is a fixed test value (the SHA-256 of a phrase), so that a run on another
# machine encodes the same filters: a benchmark of invented records, never a campaign's secret.
set -euo pipefail
cd "$(dirname "$0")/.."

PERSONS=${PPRL_PERSONS:-80000}
COMMON=${PPRL_COMMON:-25000}
EACH=${PPRL_EACH:-25000}
RUNS=${RUNS:-5}
DOC=${PPRL_DOC:-docs/pprl.md}
WORK=target/bench-pprl
THRESHOLDS=(0.9 0.5)

log() { echo "pprl bench: $*" >&2; }
[[ -x /usr/bin/time ]] || { log "GNU time (/usr/bin/time) is needed"; exit 1; }

if [[ -n "${PARCOURS_BIN:-}" ]]; then
  BIN=$PARCOURS_BIN
else
  cargo build --release -p parcours >&2
  BIN=target/release/parcours
fi
mkdir -p "$WORK"

# ---- the data -------------------------------------------------------------------------------
"$BIN" bench linkage-data --persons "$PERSONS" --seed 42 --out "$WORK/synth.csv" >&2
python3 bench/linkage/pprl_bench.py split --input "$WORK/synth.csv" --common "$COMMON" --each "$EACH" --out-dir "$WORK"
KEY=$WORK/bench.key
rm -f "$KEY"
(umask 077 && python3 -c 'import hashlib; print(hashlib.sha256(b"parcours bench pprl, not a secret").hexdigest())' >"$KEY")

# `timed OUT CMD…`: runs CMD, appends "seconds peak_kb" to OUT
timed() {
  local out=$1
  shift
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@"
  cat "$WORK/time.txt" >>"$out"
}
thousands() { python3 -c 'import sys; print(f"{int(sys.argv[1]):,}".replace(",", "\u202f"))' "$1"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
max() { sort -n | tail -1; }

ROWS=()
for variant in "" -nobirth; do
  label=$([[ -z $variant ]] && echo "avec le nom de naissance" || echo "sans le nom de naissance")
  # each run encodes both files afresh (BLIP draws new noise) and links them at each threshold
  : >"$WORK/encode$variant.times"
  for t in "${THRESHOLDS[@]}"; do : >"$WORK/link$variant-$t.times"; : >"$WORK/quality$variant-$t.jsonl"; done
  for ((r = 1; r <= RUNS; r++)); do
    for p in a b; do
      rm -f "$WORK/$p$variant.enc.csv"
      timed "$WORK/encode$variant.times" "$BIN" pprl encode --secret-file "$KEY" --partner "$p" \
        -o "$WORK/$p$variant.enc.csv" "$WORK/$p$variant.csv" 2>/dev/null
    done
    for t in "${THRESHOLDS[@]}"; do
      timed "$WORK/link$variant-$t.times" "$BIN" pprl link --threshold "$t" \
        --clusters-out "$WORK/persons$variant-$t.csv" "$WORK/a$variant.enc.csv" "$WORK/b$variant.enc.csv" \
        >"$WORK/link$variant-$t.txt"
      python3 bench/linkage/pprl_bench.py eval --a "$WORK/a.csv" --b "$WORK/b.csv" \
        --clusters "$WORK/persons$variant-$t.csv" --json >>"$WORK/quality$variant-$t.jsonl"
    done
  done
  enc_s=$(awk '{ print $1 }' "$WORK/encode$variant.times" | median)
  enc_mb=$(awk '{ printf "%d\n", $2 / 1024 }' "$WORK/encode$variant.times" | max)
  for t in "${THRESHOLDS[@]}"; do
    link_s=$(awk '{ print $1 }' "$WORK/link$variant-$t.times" | median)
    link_mb=$(awk '{ printf "%d\n", $2 / 1024 }' "$WORK/link$variant-$t.times" | max)
    # the last run's count (the key's candidates depend on the noise a little)
    candidates=$(sed -n 's/^Paires candidates : //p' "$WORK/link$variant-$t.txt")
    row=$(python3 bench/linkage/pprl_bench.py row --label "\`pprl\` (filtres de Bloom, BLIP ε = 4), $label" \
      --threshold "$t" --encode "$enc_s s / $enc_mb Mo" --candidates "$candidates" --link "$link_s s / $link_mb Mo" \
      --qualities "$WORK/quality$variant-$t.jsonl")
    ROWS+=("$row")
    log "$row"
  done
  # the clear-text engine on the same two files (its default threshold; the same result each run)
  : >"$WORK/clear$variant.times"
  for ((r = 1; r <= RUNS; r++)); do
    timed "$WORK/clear$variant.times" "$BIN" link eval --schema parcours "$WORK/a$variant.csv" \
      --link-with "$WORK/b$variant.csv" --clusters-out "$WORK/clear$variant.csv" --json >"$WORK/clear$variant.json"
  done
  clear_s=$(awk '{ print $1 }' "$WORK/clear$variant.times" | median)
  clear_mb=$(awk '{ printf "%d\n", $2 / 1024 }' "$WORK/clear$variant.times" | max)
  python3 bench/linkage/pprl_bench.py eval --a "$WORK/a.csv" --b "$WORK/b.csv" \
    --clusters "$WORK/clear$variant.csv" --json >"$WORK/clear$variant-quality.jsonl"
  read -r clear_t clear_pairs < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["threshold"], d["pairs_compared"])' "$WORK/clear$variant.json")
  row=$(python3 bench/linkage/pprl_bench.py row --label "\`link eval\` en clair (le moteur de la liste nominative), $label" \
    --threshold "$clear_t" --candidates "$clear_pairs" --link "$clear_s s / $clear_mb Mo" \
    --qualities "$WORK/clear$variant-quality.jsonl")
  ROWS+=("$row")
  log "$row"
done

# ---- the table ------------------------------------------------------------------------------
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (avec des modifications non enregistrées)" || true)
CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || echo "?")
{
  echo "<!-- bench/pprl.sh: generated, replaced on each run -->"
  echo
  echo "Mesuré le $(date -u +%Y-%m-%d) sur $(nproc) cœurs ($CPU), commit $COMMIT$DIRTY, par \`bench/pprl.sh\`."
  echo "Données : \`parcours bench linkage-data --persons $PERSONS --seed 42\`, réparties en deux"
  echo "partenaires de $(thousands $((COMMON + EACH))) fiches, dont $(thousands "$COMMON") personnes communes (deux signalements"
  echo "différents de chacune, tirés parmi les personnes signalées au moins deux fois), une fiche par"
  echo "personne et par partenaire. $RUNS exécutions de chaque ligne : \`pprl\` encode les deux fichiers"
  echo "à chaque fois, et BLIP y tire de nouveaux bits au hasard (c'est ce qui protège) ; figures : la"
  echo "médiane, et entre parenthèses l'étendue quand les exécutions diffèrent ; mémoire : le pic."
  echo "Précision et rappel : paires de fiches réunies en une personne, contre la vérité ; personnes"
  echo "trouvées / vraies. « Sans le nom de naissance » : les mêmes fichiers sans la colonne \`birth_name\`."
  echo
  echo "| méthode | seuil | encodage (par partenaire) | paires candidates | couplage | précision | rappel | personnes trouvées / vraies |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "<!-- end of bench/pprl.sh -->"
} >"$WORK/table.md"

python3 - "$DOC" "$WORK/table.md" <<'EOF'
import sys
doc, table = sys.argv[1], open(sys.argv[2]).read()
text = open(doc).read()
start, end = "<!-- bench/pprl.sh: generated, replaced on each run -->", "<!-- end of bench/pprl.sh -->"
if start in text and end in text:
    text = text[: text.index(start)] + table.rstrip("\n") + text[text.index(end) + len(end):]
else:
    sys.exit(f"{doc}: the bench/pprl.sh markers are missing")
open(doc, "w").write(text)
EOF
log "table written to $DOC"
