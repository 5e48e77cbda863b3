// One side of a TLS interop case (tests/interop_tls.rs): `node tls_case.js server OPTIONS` or
// `node tls_case.js client PORT OPTIONS`, OPTIONS a JSON object whose key/cert/ca name PEM files.
// Each side prints one line per event; the Rust side of the same case prints the same lines.
'use strict';
const tls = require('tls');
const fs = require('fs');

const role = process.argv[2];
const raw = JSON.parse(process.argv[role === 'server' ? 3 : 4]);
const options = {};
for (const [name, value] of Object.entries(raw)) {
  options[name] = ['key', 'cert', 'ca'].includes(name) ? fs.readFileSync(value) : value;
}

function error(side, err) {
  // OpenSSL's messages carry addresses and source lines; the code says it.
  const message = err.code && err.code.startsWith('ERR_SSL_') ? '' : ` ${err.message}`;
  console.log(`${side} ${err.code}${message}`);
}

function describe(socket) {
  return `authorized=${socket.authorized} ` +
    `authorizationError=${socket.authorizationError || '-'} ` +
    `alpn=${socket.alpnProtocol || '-'} protocol=${socket.getProtocol()}`;
}

if (role === 'server') {
  const server = tls.createServer(options, (socket) => {
    console.log(`server secureConnection ${describe(socket)}`);
    socket.on('data', (data) => {
      console.log(`server data ${data}`);
      socket.end(`echo ${data}`);
    });
    socket.on('end', () => console.log('server end'));
    socket.on('error', (err) => error('server socket error', err));
  });
  server.on('connection', (socket) => {
    socket.on('close', () => server.close());
  });
  server.on('tlsClientError', (err) => error('server tlsClientError', err));
  server.listen(0, '127.0.0.1', () => {
    console.log(`listening ${server.address().port}`);
  });
} else {
  const port = Number(process.argv[3]);
  const socket = tls.connect({ port, host: '127.0.0.1', ...options }, () => {
    console.log(`client secureConnect ${describe(socket)}`);
    socket.write('hello');
  });
  socket.on('data', (data) => console.log(`client data ${data}`));
  socket.on('end', () => console.log('client end'));
  socket.on('error', (err) => error('client error', err));
  socket.on('close', (hadError) => console.log(`client close ${hadError}`));
}
