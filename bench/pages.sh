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

for a in siao observatoire cca ccapex referent; do login "$a"; done
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
