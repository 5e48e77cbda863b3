#!/usr/bin/env bash
# UDP echo servers side by side: nodenet's examples/udp_echo against Node's dgram (and a
# throwaway blocking std::net::UdpSocket echo peer), in interleaved rounds on one machine,
# every echoed datagram checked.
#
#   benches/udp.sh [-r ROUNDS] [-b BASELINE] [-o OUTDIR] [NAME=CMD ...]
#
#   benches/udp.sh -r 5                                   # the default servers, 5 rounds
#   SECS=2 CASES="pp16_64" benches/udp.sh -r 3
#   benches/udp.sh -b node node="node benches/node_udp_echo.js" mine=path/to/server
#
# Default servers (without NAME=CMD arguments):
#   nodenet  target/release/examples/udp_echo, if examples/udp_echo.rs exists (skipped
#            with a note if not), built here with the required-features Cargo.toml gives
#            it, plus $NODENET_FEATURES if set
#   node     node benches/node_udp_echo.js
#   std      benches/udp-load's udp-echo-peer (blocking recv_from / send_to, one thread)
# Default baseline: nodenet if present, else the first server.
#
# Server contract (what a NAME=CMD server, and examples/udp_echo, must do):
#   - bind a UDP socket to 127.0.0.1:$PORT (HOST=127.0.0.1 is set too) and send every
#     datagram back, unchanged, to the address it came from; keep running when a send fails
#     or an ICMP error arrives; not log on the data path;
#   - be the process that taskset executes (the binary itself, not `cargo run` or a wrapper
#     shell): its PID is used for its CPU time and for stopping it (SIGTERM, then SIGKILL).
#   An example that reads another variable or takes the port as an argument runs through a
#   one-line wrapper that ends in exec (keeps the PID), e.g. a file w.sh holding
#     exec target/release/examples/udp_echo "$PORT"
#   passed as nodenet="sh w.sh" (specs are split on spaces; no quoting inside CMD).
#   Readiness: the script sends a probe datagram every 100 ms until it is echoed (15 s max).
#
# Cases (CASES, default "pp16_64 pp16_1k win16_64"):
#   pp16_64    udp-load echo --conns 16 --window 1 --size 64     16 sockets, ping-pong
#   pp16_1k    udp-load echo --conns 16 --window 1 --size 1024
#   win16_64   udp-load echo --conns 16 --window 16 --size 64    16 in flight per socket
#   pp1_64     udp-load echo --conns 1 --window 1 --size 64      (not in the default set)
# Reported: echoed datagrams/s, server CPU µs per datagram, loss % (a datagram not echoed
# within 0.2 s is counted lost and replaced: UDP may drop, the run does not hang). Loss is
# not an error; wrong bytes, a wrong length or ICMP port unreachable are.
#
# Order: for each round, for each case, every server once on a freshly started process, the
# server order rotated each round. The server runs under `taskset -c 0`, the load generator
# under `taskset -c 1`; the load generator reads the server's CPU from /proc/PID/stat over the
# measured window.
#
# Knobs (environment, whole seconds): SECS (measured, default 5), WARMUP (default 1), DRAIN
# (default 1), PORT (default 9510), SPIN (default 1: the load generator busy-polls), CASES,
# PEERS_TARGET (where the bench projects build; default target/bench-peers).
# Output: OUTDIR (default target/bench-out/udp-<date>-<time>): results.jsonl, summary.md,
# env.txt, server-stderr.txt. Re-summarise with
#   python3 benches/summary.py --baseline node OUTDIR/results.jsonl
set -eu -o pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS_TARGET="${PEERS_TARGET:-$REPO/target/bench-peers}"
ROUNDS=3
OUTDIR=""
BASE=""
while getopts "r:o:b:h" opt; do
  case $opt in
    r) ROUNDS="$OPTARG" ;;
    o) OUTDIR="$OPTARG" ;;
    b) BASE="$OPTARG" ;;
    *) sed -n '2,51p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
SECS="${SECS:-5}"
WARMUP="${WARMUP:-1}"
DRAIN="${DRAIN:-1}"
PORT="${PORT:-9510}"
SPIN="${SPIN:-1}"
CASES="${CASES:-pp16_64 pp16_1k win16_64}"
OUTDIR="${OUTDIR:-$REPO/target/bench-out/udp-$(date +%Y%m%d-%H%M%S)}"

cargo build --quiet --release --manifest-path "$REPO/benches/udp-load/Cargo.toml" \
  --target-dir "$PEERS_TARGET"
. "$REPO/benches/rounds.sh"
LG="$PEERS_TARGET/release/udp-load"

SPECS=("$@")
if [ ${#SPECS[@]} -eq 0 ]; then
  if [ -f "$REPO/examples/udp_echo.rs" ]; then
    build_example udp_echo
    # QUIET: the example prints each datagram otherwise (`env` execs, keeping the PID).
    SPECS+=("nodenet=env QUIET=1 $REPO/target/release/examples/udp_echo")
    [ -n "$BASE" ] || BASE=nodenet
  else
    echo "udp.sh: examples/udp_echo.rs not found; nodenet skipped" >&2
  fi
  SPECS+=("node=node $REPO/benches/node_udp_echo.js" "std=$PEERS_TARGET/release/udp-echo-peer")
fi

LG_EXTRA=()
SERVER_ENV=()

case_args() {
  case "$1" in
    pp16_64) echo "echo --conns 16 --window 1 --size 64" ;;
    pp16_1k) echo "echo --conns 16 --window 1 --size 1024" ;;
    win16_64) echo "echo --conns 16 --window 16 --size 64" ;;
    pp1_64) echo "echo --conns 1 --window 1 --size 64" ;;
    *) return 1 ;;
  esac
}

set +e
run_rounds
