#!/usr/bin/env bash
# Page latency on the release demo (2,000 households by default): each page is asked 7 times by
# curl over loopback, after one warm-up request, as the account that uses it; prints a Markdown
# table of medians (min–max). Usage: bench/pages.sh [HOUSEHOLDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
HOUSEHOLDS="${1:-2000}"
DIR="$(mktemp -d /tmp/parcours-pages.XXXXXX)"
PORT=18377
BIN=target/release/parcours
[[ -x "$BIN" ]] || cargo build --release
cp "$BIN" "$DIR/parcours"
"$DIR/parcours" demo --no-serve --households "$HOUSEHOLDS" --db "sqlite://$DIR/demo.db" >/dev/null
PARCOURS_KEYRING_FILE=data/demo-keyring.txt "$DIR/parcours" serve --db "sqlite://$DIR/demo.db" --listen "127.0.0.1:$PORT" \
  >"$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

login() { # $1 account; writes the cookie jar $DIR/$1.jar
  local jar="$DIR/$1.jar" csrf
  csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=$1@demo.parcours.test" \
    --data-urlencode "password=demo" --data-urlencode "csrf=$csrf" "http://127.0.0.1:$PORT/login"
}

measure() { # $1 account, $2 path, $3 label
  local jar="$DIR/$1.jar" times=() first
  first=$(curl -s -b "$jar" -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT$2")
  for _ in $(seq 7); do
    times+=("$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT$2")")
  done
  printf '%s\n' "${times[@]}" | sort -k2 -n | awk -v label="$3" -v path="$2" -v first="$first" '
    $1 != 200 { bad = $1 } { t[NR] = $2 * 1000 }
    END {
      if (bad) { printf "| %s (`%s`) | HTTP %s | |\n", label, path, bad; exit }
      printf "| %s (`%s`) | %.0f ms | median %.0f ms (%.0f–%.0f ms) |\n", label, path, first * 1000, t[int((NR + 1) / 2)], t[1], t[NR]
    }'
}

# The check at entry: the new-household form posted with a person already on file (the first
# dated person of the store), so that the form comes back with the alike persons (200) and
# nothing is created; a 303 would mean the person was not found (and a household created).
measure_entry_check() { # $1 account, $2 label
  local jar="$DIR/$1.jar" csrf person times=() first
  csrf=$(curl -s -b "$jar" "http://127.0.0.1:$PORT/menages/nouveau" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  person=$(python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print('|'.join(c.execute(\"SELECT family_name, given_names, birth_date, sex FROM persons WHERE birth_date IS NOT NULL ORDER BY id LIMIT 1\").fetchone()))
" "$DIR/demo.db")
  IFS='|' read -r family given birth sex <<<"$person"
  post() {
    curl -s -b "$jar" -o /dev/null -w "$1" --data-urlencode "csrf=$csrf" --data-urlencode "family_name=$family" \
      --data-urlencode "given_names=$given" --data-urlencode "birth_date=$birth" --data-urlencode "sex=$sex" \
      --data-urlencode "situation=rue" "http://127.0.0.1:$PORT/menages"
  }
  first=$(post '%{time_total}')
  for _ in $(seq 7); do times+=("$(post '%{http_code} %{time_total}')"); done
  printf '%s\n' "${times[@]}" | sort -k2 -n | awk -v label="$2" -v first="$first" '
    $1 != 200 { bad = $1 } { t[NR] = $2 * 1000 }
    END {
      if (bad) { printf "| %s (`POST /menages`) | HTTP %s | |\n", label, bad; exit }
      printf "| %s (`POST /menages`) | %.0f ms | median %.0f ms (%.0f–%.0f ms) |\n", label, first * 1000, t[int((NR + 1) / 2)], t[1], t[NR]
    }'
}

for a in siao observatoire cca ccapex referent captation; do login "$a"; done
echo "| page | first request after start | next 7 requests |"
echo "|---|---|---|"
measure siao /menages "By-name list, SIAO coordinator (every household)"
measure observatoire /observatoire "Observatory dashboard (12 months, all panels)"
measure cca /cca "CCA inbox"
measure cca /cca/seances/1 "A CCA session"
measure cca /cca/seances/1/compte-rendu.pdf "Minutes as PDF"
measure cca /cca/statistiques "CCA statistics (12 months)"
measure referent /a-faire "To-do list of a référent"
measure ccapex /ccapex "Eviction procedures (CCAPEX)"
measure siao /doublons "Duplicates to review, SIAO coordinator"
measure siao /doublons/decisions "Decisions on duplicates and contradictions, SIAO coordinator"
measure captation /logement/demandes "Housing requests shared with the social rental agency (first page of 50)"
measure captation "/logement/demandes?personnes=2&ressources=moins-500" "Housing requests, filtered by size and resources"
measure captation /logement/offres/3 "A captured T3 and the requests it fits (every shared request of 2 to 5 persons weighed, 50 shown)"
measure_entry_check siao "Check at entry of a person already on file, SIAO coordinator (every household)"
