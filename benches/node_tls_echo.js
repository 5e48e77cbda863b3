'use strict';
// Node's peer for benches/tls.sh: the Node docs' TLS echo server,
//   tls.createServer({ key, cert }, s => s.on('data', d => s.write(d)))
// Key and certificate: PEM files named by $TLS_KEY and $TLS_CERT (benches/tls.sh makes them
// with `tls-load gencert`). Port: $PORT (default 9000), host: $HOST (default 127.0.0.1).
// The 'error' listeners do nothing, so a client reset cannot crash the process; they are not
// on the data path.
const fs = require('fs');
const tls = require('tls');
const port = Number(process.env.PORT || 9000);
const host = process.env.HOST || '127.0.0.1';
const server = tls.createServer(
  { key: fs.readFileSync(process.env.TLS_KEY), cert: fs.readFileSync(process.env.TLS_CERT) },
  (s) => {
    s.on('error', () => {});
    s.on('data', (d) => s.write(d));
  },
);
server.on('tlsClientError', () => {});
server.on('error', (e) => {
  console.error(e);
  process.exit(1);
});
server.listen(port, host);
