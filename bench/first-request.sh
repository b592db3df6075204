#!/usr/bin/env bash
# The first request of a page by the SIAO coordinator, WAIT seconds after the server answers
# (what the first user of the day waits for):
#   bench/first-request.sh BIN DB_URL [WAIT] [PAGE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="$1"; DB="$2"; WAIT="${3:-4}"; PAGE="${4:-/menages}"
P=18620; J=$(mktemp)
PARCOURS_KEYRING_FILE=data/demo-keyring.txt "$BIN" serve --db "$DB" --listen 127.0.0.1:$P >/dev/null 2>&1 &
S=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$P/healthz >/dev/null && break; sleep 0.1; done
sleep "$WAIT"
csrf=$(curl -s -c $J http://127.0.0.1:$P/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b $J -c $J -o /dev/null --data-urlencode email=siao@demo.parcours.test --data-urlencode password=demo --data-urlencode csrf=$csrf http://127.0.0.1:$P/login
curl -s -b $J -o /dev/null -w '%{time_total}\n' http://127.0.0.1:$P$PAGE
kill $S; wait $S 2>/dev/null || true; rm -f $J
