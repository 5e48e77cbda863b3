#!/usr/bin/env bash
# nodenet's cluster against its peers, side by side in one interleaved run of the shared
# echo harness (../shared/bench, beside this repository; BENCH_DIR overrides):
#
#   nodenet-1      examples/cluster_echo, LOOPS=1
#   nodenet-2      examples/cluster_echo, LOOPS=2
#   tokio-mt2      benches/tokio-mt-echo: tokio's multi-threaded runtime, 2 workers
#   node-cluster2  benches/node_cluster_echo.js: Node's cluster, 2 workers
#
# The harness pins the server to CPU 0 and the load generator to CPU 1. Each two-thread
# server is also run as NAME-free under `taskset -c 0,1`, which re-pins it (the same PID: taskset
# execs) to both CPUs, the load generator's included: the only way a second core can reach the
# server on a 2-CPU machine. The harness builds (loadgen) must exist: run
# `BENCH_TARGET=... $BENCH_DIR/build.sh` first and pass the same BENCH_TARGET here.
#
#   benches/cluster.sh [compare.sh options]     e.g. SECS=2 CASES="pp100_64 stream_64k" benches/cluster.sh -r 3
set -eu -o pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-$REPO/../shared/bench}"
PEERS_TARGET="${PEERS_TARGET:-$REPO/target/bench-peers}"

(cd "$REPO" && cargo build --quiet --release --example cluster_echo)
cargo build --quiet --release --manifest-path "$REPO/benches/tokio-mt-echo/Cargo.toml" \
  --target-dir "$PEERS_TARGET"

NODENET="$REPO/target/release/examples/cluster_echo"
TOKIO="$PEERS_TARGET/release/tokio-mt-echo"
NODE_CLUSTER="$REPO/benches/node_cluster_echo.js"
FREE="taskset -c 0,1"

# compare.sh splits NAME=CMD on spaces; `env` and `taskset` exec the server, keeping the PID
# the harness measures and stops.
exec "$BENCH_DIR/compare.sh" -b nodenet-1 "$@" \
  "nodenet-1=env LOOPS=1 $NODENET" \
  "nodenet-2=env LOOPS=2 $NODENET" \
  "nodenet-2-free=$FREE env LOOPS=2 $NODENET" \
  "tokio-mt2=env WORKERS=2 $TOKIO" \
  "tokio-mt2-free=$FREE env WORKERS=2 $TOKIO" \
  "node-cluster2=env WORKERS=2 node $NODE_CLUSTER" \
  "node-cluster2-free=$FREE env WORKERS=2 node $NODE_CLUSTER"
