'use strict';
// The shared harness's node peer (echo-ondata.js) under Node's cluster: the primary forks
// WORKERS workers (default 2), each runs net.createServer(s => s.on('data', d => s.write(d))),
// and the primary hands out connections round-robin (cluster.SCHED_RR, Linux's default).
// Port: first argument, else $PORT, else 9000. Host: $HOST, else 127.0.0.1.
// On SIGTERM or SIGINT the primary kills its workers and exits, so the harness, which stops
// the server by the primary's PID, leaves no worker behind.
const cluster = require('cluster');
const net = require('net');
const port = Number(process.argv[2] || process.env.PORT || 9000);
const host = process.env.HOST || '127.0.0.1';
const workers = Number(process.env.WORKERS || 2);

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const id in cluster.workers) cluster.workers[id].process.kill('SIGKILL');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  net.createServer(s => {
    s.on('error', () => {});
    s.on('data', d => s.write(d));
  }).listen(port, host);
}
