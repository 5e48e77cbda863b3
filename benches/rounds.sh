# Sourced by benches/tls.sh and benches/udp.sh (not run by itself): interleaved rounds of
# (case, server) runs, each on a freshly started server pinned to CPU 0 with the load
# generator pinned to CPU 1, then a Markdown summary (benches/summary.py).
#
# The sourcing script sets:
#   LG            load generator binary (tls-load or udp-load; both have `waitport`)
#   LG_EXTRA      array of arguments given to every load run (e.g. --ca FILE)
#   SERVER_ENV    array of NAME=VALUE given to every server besides PORT and HOST
#   case_args     function: case name -> load generator arguments (mode first), or fail
#   SPECS         array of NAME=CMD;  BASE, CASES, ROUNDS, OUTDIR, PORT, SECS, WARMUP, DRAIN, SPIN
# and then calls run_rounds.

# build_example NAME: builds nodenet's examples/NAME.rs in release mode with the features it
# declares as required-features in Cargo.toml (if any), plus $NODENET_FEATURES.
build_example() {
  local feats
  feats="$(cd "$REPO" && cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
m = json.load(sys.stdin)
for p in m["packages"]:
    for t in p["targets"]:
        if t["name"] == sys.argv[1] and "example" in t["kind"]:
            print(",".join(t.get("required-features") or []))
' "$1")"
  [ -z "${NODENET_FEATURES:-}" ] || feats="${feats:+$feats,}$NODENET_FEATURES"
  (cd "$REPO" && cargo build --quiet --release --example "$1" ${feats:+--features "$feats"})
}

SPID=""
stop_server() {
  [ -n "$SPID" ] || return 0
  if kill -0 "$SPID" 2>/dev/null; then
    kill "$SPID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SPID" 2>/dev/null && kill -9 "$SPID" 2>/dev/null
  fi
  wait "$SPID" 2>/dev/null
  SPID=""
}
trap 'stop_server' EXIT
trap 'stop_server; exit 130' INT TERM

# one_run NAME ROUND CASE CMD...: prints one JSON line
one_run() {
  local name="$1" round="$2" c="$3"; shift 3
  local tags=(--tag "server=$name" --tag "case=$c" --tag "round=$round")
  local err='{"server":"'"$name"'","case":"'"$c"'","round":"'"$round"'","errors":1,"error":'
  local args
  read -r -a args <<<"$(case_args "$c")" || return 1
  if "$LG" waitport --port "$PORT" --timeout 0.3 >/dev/null 2>&1; then
    echo "${err}\"port $PORT already in use\"}"
    return
  fi
  env PORT="$PORT" HOST=127.0.0.1 "${SERVER_ENV[@]}" taskset -c 0 "$@" >/dev/null 2>>"$OUTDIR/server-stderr.txt" &
  SPID=$!
  if ! "$LG" waitport --port "$PORT" --timeout 15 >/dev/null 2>&1; then
    stop_server
    echo "${err}\"server did not start on port $PORT\"}"
    return
  fi
  local spin=(); [ "$SPIN" = 1 ] && spin=(--spin)
  local line
  line="$(timeout --kill-after=5 $((WARMUP + SECS + DRAIN + 60)) taskset -c 1 "$LG" "${args[@]}" \
    --port "$PORT" --secs "$SECS" --warmup "$WARMUP" --drain "$DRAIN" --server-pid "$SPID" \
    "${spin[@]}" "${LG_EXTRA[@]}" "${tags[@]}" | tail -n 1)"
  [ -n "$line" ] || line="${err}\"load generator produced no result\"}"
  if ! kill -0 "$SPID" 2>/dev/null; then line="${line%\}},\"server_died\":1}"; fi
  stop_server
  echo "$line"
}

run_rounds() {
  local names=() s n r c k i line t0
  for s in "${SPECS[@]}"; do
    case "$s" in
      *=*) names+=("${s%%=*}") ;;
      *) echo "'$s' is not NAME=CMD" >&2; exit 2 ;;
    esac
  done
  for c in $CASES; do case_args "$c" >/dev/null || { echo "unknown case $c" >&2; exit 2; }; done
  [ -n "$BASE" ] || BASE="${names[0]}"
  mkdir -p "$OUTDIR"
  local res="$OUTDIR/results.jsonl"
  : >"$res"
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "rounds: $ROUNDS; cases: $CASES; SECS=$SECS WARMUP=$WARMUP DRAIN=$DRAIN SPIN=$SPIN PORT=$PORT"
    echo "cpus: $(nproc); kernel: $(uname -r); node: $(node --version 2>/dev/null || echo none)"
    for s in "${SPECS[@]}"; do echo "server: ${s%%=*} = ${s#*=}" | sed "s#$REPO/##g"; done
  } >"$OUTDIR/env.txt"
  echo "${names[*]}; $ROUNDS rounds; cases: $CASES; results in $OUTDIR" >&2
  n=${#SPECS[@]}
  t0=$(date +%s)
  for ((r = 1; r <= ROUNDS; r++)); do
    for c in $CASES; do
      for ((k = 0; k < n; k++)); do
        i=$(((k + r - 1) % n))
        s="${SPECS[$i]}"
        local cmd
        read -r -a cmd <<<"${s#*=}"
        line="$(one_run "${s%%=*}" "$r" "$c" "${cmd[@]}")"
        printf '%s\n' "$line" >>"$res"
        printf '[%ds] round %d/%d %-10s %-12s %s\n' $(($(date +%s) - t0)) "$r" "$ROUNDS" "$c" \
          "${s%%=*}" "$(printf '%s' "$line" | python3 "$REPO/benches/summary.py" --brief)" >&2
      done
    done
  done
  local order
  order="$(IFS=,; echo "${names[*]}")"
  python3 "$REPO/benches/summary.py" --baseline "$BASE" --order "$order" "$res" | tee "$OUTDIR/summary.md"
}
