#!/usr/bin/env bash
# Side by side: two parcours binaries serving one database, a page asked of each in turn (one
# warm-up each, then N alternating requests) as the account that uses it. Checks that both
# return the same page (CSRF token aside) and prints the medians (min–max) of each.
#
#   bench/compare-pages.sh BEFORE_BIN AFTER_BIN DB_URL PATH ACCOUNT [N]
#
# e.g. a 20,000-household demo on SQLite, then two builds of the by-name list:
#   target/release/parcours demo --no-serve --households 20000 --db sqlite:///tmp/big/demo.db
#   bench/compare-pages.sh /tmp/parcours-before target/release/parcours sqlite:///tmp/big/demo.db /menages siao 9
# (on PostgreSQL: the same with --db postgres://…/big20k, a database created beforehand).
# When the newer build adds a migration the older one does not know, give the newer its own copy
# of the database: AFTER_DB=postgres://…/big20k_copy bench/compare-pages.sh …
# A form is posted instead when FORM holds its fields (the session's CSRF token is added), e.g.
# the check at entry: the new-household form with a person already on file (nothing is created
# while the alarm asks for confirmation):
#   FORM='family_name=Ferreira&given_names=Marie-Claire&birth_date=2003-05-07&sex=F&commune=69920&situation=rue' \
#     bench/compare-pages.sh /tmp/parcours-before target/release/parcours sqlite:///tmp/big/demo.db /menages siao 9
# BEFORE_EACH='PATH FORM' posts FORM to PATH, untimed, before each timed request (on each server),
# e.g. a contact recorded before each check: BEFORE_EACH='/menages/1/evenements kind=contact&date=2026-12-07'
# BEFORE_EACH_CMD runs a command, untimed, before each timed request, {bin} and {db} standing for
# each server's binary and database (give each its own copy with AFTER_DB), e.g. the first list
# after a nightly linkage run: BEFORE_EACH_CMD='{bin} link run --db {db}'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $# -ge 5 ]] || { sed -n '2,23p' "$0"; exit 2; }
BEFORE="$1"; AFTER="$2"; DB="$3"; PAGE="$4"; ACCOUNT="$5"; N="${6:-9}"
DIR="$(mktemp -d /tmp/parcours-compare.XXXXXX)"
P1=18611; P2=18612
PARCOURS_KEYRING_FILE=data/demo-keyring.txt "$BEFORE" serve --db "$DB" --listen "127.0.0.1:$P1" >"$DIR/before.log" 2>&1 &
S1=$!
PARCOURS_KEYRING_FILE=data/demo-keyring.txt "$AFTER" serve --db "${AFTER_DB:-$DB}" --listen "127.0.0.1:$P2" >"$DIR/after.log" 2>&1 &
S2=$!
trap 'kill $S1 $S2 2>/dev/null || true; wait $S1 $S2 2>/dev/null || true; rm -rf "$DIR"' EXIT
for p in $P1 $P2; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.1; done
done
login() { # $1 port
  local jar="$DIR/$1.jar" csrf
  csrf=$(curl -s -c "$jar" "http://127.0.0.1:$1/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=$ACCOUNT@demo.parcours.test" \
    --data-urlencode password=demo --data-urlencode "csrf=$csrf" "http://127.0.0.1:$1/login"
}
login $P1
login $P2
ask() { # $1 port: the page, or the form posted
  if [[ -n "${FORM:-}" ]]; then
    curl -s -b "$DIR/$1.jar" --data "$FORM" --data-urlencode "csrf=$(cat "$DIR/$1.csrf")" "${@:2}" "http://127.0.0.1:$1$PAGE"
  else
    curl -s -b "$DIR/$1.jar" "${@:2}" "http://127.0.0.1:$1$PAGE"
  fi
}
for p in $P1 $P2; do
  curl -s -b "$DIR/$p.jar" "http://127.0.0.1:$p/menages/nouveau" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1 >"$DIR/$p.csrf"
  ask $p | sed 's/name="csrf" value="[^"]*"//' >"$DIR/$p.html"
done
if cmp -s "$DIR/$P1.html" "$DIR/$P2.html"; then same="same page"; else same="PAGES DIFFER"; fi
a=()
b=()
before_each() { # $1 port, $2 binary, $3 database
  if [[ -n "${BEFORE_EACH_CMD:-}" ]]; then
    local cmd="${BEFORE_EACH_CMD//\{bin\}/$2}"
    PARCOURS_KEYRING_FILE=data/demo-keyring.txt bash -c "${cmd//\{db\}/$3}" >/dev/null 2>&1
  fi
  [[ -n "${BEFORE_EACH:-}" ]] || return 0
  curl -s -o /dev/null -b "$DIR/$1.jar" --data "${BEFORE_EACH#* }" --data-urlencode "csrf=$(cat "$DIR/$1.csrf")" \
    "http://127.0.0.1:$1${BEFORE_EACH%% *}"
}
for _ in $(seq "$N"); do
  before_each $P1 "$BEFORE" "$DB"
  before_each $P2 "$AFTER" "${AFTER_DB:-$DB}"
  a+=("$(ask $P1 -o /dev/null -w '%{time_total}')")
  b+=("$(ask $P2 -o /dev/null -w '%{time_total}')")
done
med() {
  printf '%s\n' "$@" | sort -n | awk '{ t[NR] = $1 * 1000 }
    END { printf "%.0f ms (%.0f–%.0f)", t[int((NR + 1) / 2)], t[1], t[NR] }'
}
ma=$(med "${a[@]}")
mb=$(med "${b[@]}")
# the ratio of the medians (each list sorted on its own)
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
ratio=$(awk -v x="$(median "${a[@]}")" -v y="$(median "${b[@]}")" 'BEGIN { printf "%.2f", y / x }')
echo "| \`$PAGE\` ($ACCOUNT) | $ma | $mb | $ratio | $same |"
[[ "$same" == "same page" ]]
