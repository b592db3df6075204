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
# `run_case TAG FILES ENCODE_FLAGS LABEL CLEAR`: encodes a$FILES.csv and b$FILES.csv RUNS times
# (BLIP draws new noise each time), links them at each threshold, scores against their truth;
# CLEAR = link (the clear-text engine linking the two files), dedupe (on both files together:
# each holds duplicates of its own) or none.
run_case() {
  local tag=$1 files=$2 flags=$3 label=$4 clear=$5
  : >"$WORK/encode$tag.times"
  for t in "${THRESHOLDS[@]}"; do : >"$WORK/link$tag-$t.times"; : >"$WORK/quality$tag-$t.jsonl"; done
  for ((r = 1; r <= RUNS; r++)); do
    for p in a b; do
      rm -f "$WORK/$p$tag.enc.csv"
      # shellcheck disable=SC2086 # the flags are words
      timed "$WORK/encode$tag.times" "$BIN" pprl encode $flags --secret-file "$KEY" --partner "$p" \
        -o "$WORK/$p$tag.enc.csv" "$WORK/$p$files.csv" 2>/dev/null
    done
    for t in "${THRESHOLDS[@]}"; do
      timed "$WORK/link$tag-$t.times" "$BIN" pprl link --exact --threshold "$t" \
        --clusters-out "$WORK/persons$tag-$t.csv" "$WORK/a$tag.enc.csv" "$WORK/b$tag.enc.csv" \
        >"$WORK/link$tag-$t.txt"
      python3 bench/linkage/pprl_bench.py eval --a "$WORK/a$files.csv" --b "$WORK/b$files.csv" \
        --clusters "$WORK/persons$tag-$t.csv" --json >>"$WORK/quality$tag-$t.jsonl"
    done
  done
  local enc_s enc_mb link_s link_mb candidates row
  enc_s=$(awk '{ print $1 }' "$WORK/encode$tag.times" | median)
  enc_mb=$(awk '{ printf "%d\n", $2 / 1024 }' "$WORK/encode$tag.times" | max)
  for t in "${THRESHOLDS[@]}"; do
    link_s=$(awk '{ print $1 }' "$WORK/link$tag-$t.times" | median)
    link_mb=$(awk '{ printf "%d\n", $2 / 1024 }' "$WORK/link$tag-$t.times" | max)
    # the last run's count (the key's candidates depend on the noise a little)
    candidates=$(sed -n 's/^Paires candidates : //p' "$WORK/link$tag-$t.txt")
    row=$(python3 bench/linkage/pprl_bench.py row --label "\`pprl\`, $label" \
      --threshold "$t" --encode "$enc_s s / $enc_mb Mo" --candidates "$candidates" --link "$link_s s / $link_mb Mo" \
      --qualities "$WORK/quality$tag-$t.jsonl")
    ROWS+=("$row")
    log "$row"
  done
  [[ $clear == none ]] && return
  # the clear-text engine on the same records (its default threshold; the same result each run)
  local inputs=("$WORK/a$files.csv" --link-with "$WORK/b$files.csv")
  if [[ $clear == dedupe ]]; then
    { cat "$WORK/a$files.csv"; tail -n +2 "$WORK/b$files.csv"; } >"$WORK/ab$files.csv"
    inputs=("$WORK/ab$files.csv")
  fi
  : >"$WORK/clear$tag.times"
  for ((r = 1; r <= RUNS; r++)); do
    timed "$WORK/clear$tag.times" "$BIN" link eval --schema parcours "${inputs[@]}" \
      --clusters-out "$WORK/clear$tag.csv" --json >"$WORK/clear$tag.json"
  done
  local clear_s clear_mb clear_t clear_pairs
  clear_s=$(awk '{ print $1 }' "$WORK/clear$tag.times" | median)
  clear_mb=$(awk '{ printf "%d\n", $2 / 1024 }' "$WORK/clear$tag.times" | max)
  python3 bench/linkage/pprl_bench.py eval --a "$WORK/a$files.csv" --b "$WORK/b$files.csv" \
    --clusters "$WORK/clear$tag.csv" --json >"$WORK/clear$tag-quality.jsonl"
  read -r clear_t clear_pairs < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(d["threshold"], d["pairs_compared"])' "$WORK/clear$tag.json")
  row=$(python3 bench/linkage/pprl_bench.py row --label "\`link eval\` en clair (le moteur de la liste nominative), $label" \
    --threshold "$clear_t" --candidates "$clear_pairs" --link "$clear_s s / $clear_mb Mo" \
    --qualities "$WORK/clear$tag-quality.jsonl")
  ROWS+=("$row")
  log "$row"
}

run_case "" "" "" "une fiche par personne et partenaire, avec le nom de naissance" link
run_case -nobirth -nobirth "" "une fiche par personne et partenaire, sans le nom de naissance" link
run_case -dup -dup "" "chaque partenaire avec ses propres doublons" dedupe
run_case -dup-dedupe -dup --dedupe "chaque partenaire avec ses propres doublons, \`encode --dedupe\`" none

# ---- the table ------------------------------------------------------------------------------
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
DIRTY=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (avec des modifications non enregistrées)" || true)
CPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || echo "?")
{
  echo "<!-- bench/pprl.sh: generated, replaced on each run -->"
  echo
  echo "Mesuré le $(date -u +%Y-%m-%d) sur $(nproc) cœurs ($CPU), commit $COMMIT$DIRTY, par \`bench/pprl.sh\`."
  echo "Données : \`parcours bench linkage-data --persons $PERSONS --seed 42\`, réparties en deux"
  echo "partenaires : $(thousands "$COMMON") personnes communes (tirées parmi les personnes signalées au"
  echo "moins deux fois, deux signalements différents de chacune) et $(thousands "$EACH") personnes de plus"
  echo "chez chacun. « Une fiche par personne et partenaire » : $(thousands $((COMMON + EACH))) fiches par"
  echo "partenaire ; « avec ses propres doublons » : les mêmes personnes avec tous leurs signalements,"
  echo "chaque partenaire tenant alors plusieurs fiches de certaines personnes. $RUNS exécutions de"
  echo "chaque ligne : \`pprl\` encode les fichiers à chaque fois, et BLIP (ε = 4) y tire de nouveaux"
  echo "bits au hasard (c'est ce qui protège) ; figures : la médiane, et entre parenthèses l'étendue"
  echo "quand les exécutions diffèrent ; mémoire : le pic. Précision et rappel : paires de fiches réunies"
  echo "en une personne, contre la vérité ; personnes trouvées / vraies."
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
