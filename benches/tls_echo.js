// Node's side of `cargo bench --bench tls`: a TLS echo server with `key.pem` and `cert.pem`
// from the current directory, on a free port of 127.0.0.1, which it prints.
'use strict';
const tls = require('node:tls');
const fs = require('node:fs');

const server = tls.createServer({
  key: fs.readFileSync('key.pem'),
  cert: fs.readFileSync('cert.pem'),
  noDelay: true,
}, (socket) => {
  socket.on('data', (data) => socket.write(data));
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  console.log(server.address().port);
});
