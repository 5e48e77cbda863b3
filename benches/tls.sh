#!/usr/bin/env bash
# TLS echo servers side by side: nodenet's examples/tls_echo_minimal against Node's tls (and a
# throwaway rustls echo peer, the reference a rustls-based server can reach), in interleaved
# rounds on one machine, every echoed byte checked.
#
#   benches/tls.sh [-r ROUNDS] [-b BASELINE] [-o OUTDIR] [NAME=CMD ...]
#
#   benches/tls.sh -r 5                                   # the default servers, 5 rounds
#   SECS=2 CASES="pp100_64 hs16" benches/tls.sh -r 3
#   benches/tls.sh -b node node="node benches/node_tls_echo.js" mine=path/to/server
#
# Default servers (without NAME=CMD arguments):
#   nodenet  target/release/examples/tls_echo_minimal, if examples/tls_echo_minimal.rs exists (skipped
#            with a note if not), built here with the required-features Cargo.toml gives
#            it, plus $NODENET_FEATURES if set
#   node     node benches/node_tls_echo.js
#   rustls   benches/tls-load's tls-echo-peer (rustls + mio, one thread)
# Default baseline: nodenet if present, else the first server.
#
# Server contract (what a NAME=CMD server, and examples/tls_echo_minimal, must do):
#   - listen on 127.0.0.1:$PORT (HOST=127.0.0.1 is set too), TLS with the PEM certificate in
#     $TLS_CERT and the PEM private key (PKCS#8, ECDSA P-256) in $TLS_KEY; no client
#     certificate; TLS 1.3 and 1.2 offered (the client offers both, with rustls's defaults);
#   - echo every decrypted byte back on the same connection; survive client resets and failed
#     handshakes without exiting; not log on the data path;
#   - be the process that taskset executes (the binary itself, not `cargo run` or a wrapper
#     shell): its PID is used for its CPU time and for stopping it (SIGTERM, then SIGKILL).
#   $TLS_CA (the CA's PEM) is set too, for servers that want it. An example that reads other
#   names (or takes them as arguments) runs through a one-line wrapper that ends in exec, which
#   keeps the PID, e.g. a file w.sh holding
#     exec env KEY_FILE="$TLS_KEY" CERT_FILE="$TLS_CERT" target/release/examples/tls_echo_server "$PORT"
#   passed as nodenet="sh w.sh" (specs are split on spaces; no quoting inside CMD).
#
# Cases (CASES, default "pp100_64 stream_64k hs16"):
#   pp100_64    tls-load pingpong --conns 100 --size 64      round trips/s, server CPU µs/rt
#   pp1_64      tls-load pingpong --conns 1 --size 64        (not in the default set)
#   stream_64k  tls-load stream --size 65536 (one conn, 1 MiB window)   MB/s, server CPU µs/MB
#   hs16        tls-load handshake --conns 16: connect, full handshake (no resumption),
#               1 byte echoed, close_notify, close; 16 in flight         handshakes/s, µs/hs
#   hs16r       the same with session resumption (--resume; not in the default set)
#
# Order: for each round, for each case, every server once on a freshly started process, the
# server order rotated each round. The server runs under `taskset -c 0`, the load generator
# under `taskset -c 1`; the load generator reads the server's CPU from /proc/PID/stat over the
# measured window. One throwaway CA and ECDSA P-256 server certificate (for localhost and
# 127.0.0.1, `tls-load gencert`) is made per run in OUTDIR/cert and used by every server.
#
# Knobs (environment, whole seconds): SECS (measured, default 5), WARMUP (default 1), DRAIN
# (default 3), PORT (default 9500), SPIN (default 1: the load generator busy-polls),
# CASES, PEERS_TARGET (where the bench projects build; default target/bench-peers).
# Output: OUTDIR (default target/bench-out/tls-<date>-<time>): results.jsonl, summary.md,
# env.txt, server-stderr.txt, cert/. Re-summarise with
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
    *) sed -n '2,53p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
SECS="${SECS:-5}"
WARMUP="${WARMUP:-1}"
DRAIN="${DRAIN:-3}"
PORT="${PORT:-9500}"
SPIN="${SPIN:-1}"
CASES="${CASES:-pp100_64 stream_64k hs16}"
OUTDIR="${OUTDIR:-$REPO/target/bench-out/tls-$(date +%Y%m%d-%H%M%S)}"

cargo build --quiet --release --manifest-path "$REPO/benches/tls-load/Cargo.toml" \
  --target-dir "$PEERS_TARGET"
. "$REPO/benches/rounds.sh"
LG="$PEERS_TARGET/release/tls-load"

SPECS=("$@")
if [ ${#SPECS[@]} -eq 0 ]; then
  # tls_echo_minimal is node_tls_echo.js line for line; tls_echo_server (Node's docs example)
  # greets each client and asks for its certificate, which the load generator does not expect.
  if [ -f "$REPO/examples/tls_echo_minimal.rs" ]; then
    build_example tls_echo_minimal
    SPECS+=("nodenet=$REPO/target/release/examples/tls_echo_minimal")
    [ -n "$BASE" ] || BASE=nodenet
  else
    echo "tls.sh: examples/tls_echo_minimal.rs not found; nodenet skipped" >&2
  fi
  SPECS+=("node=node $REPO/benches/node_tls_echo.js" "rustls=$PEERS_TARGET/release/tls-echo-peer")
fi

mkdir -p "$OUTDIR/cert"
"$LG" gencert "$OUTDIR/cert"
LG_EXTRA=(--ca "$OUTDIR/cert/ca.pem")
SERVER_ENV=(TLS_KEY="$OUTDIR/cert/server.key" TLS_CERT="$OUTDIR/cert/server.pem" TLS_CA="$OUTDIR/cert/ca.pem")

case_args() {
  case "$1" in
    pp100_64) echo "pingpong --conns 100 --size 64" ;;
    pp1_64) echo "pingpong --conns 1 --size 64" ;;
    stream_64k) echo "stream --size 65536" ;;
    hs16) echo "handshake --conns 16" ;;
    hs16r) echo "handshake --conns 16 --resume" ;;
    *) return 1 ;;
  esac
}

set +e
run_rounds
