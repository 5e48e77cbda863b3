// The echo server of Node's `tls` docs (tls.createServer), on port 8000 (or PORT). Reads
// server-key.pem, server-cert.pem and client-cert.pem from the current directory
// (`cargo run --example tls_make_certs` writes them). Its Rust port: examples/tls_echo_server.rs.
const tls = require('node:tls');
const fs = require('node:fs');

const options = {
  key: fs.readFileSync('server-key.pem'),
  cert: fs.readFileSync('server-cert.pem'),

  // This is necessary only if using client certificate authentication.
  requestCert: true,

  // This is necessary only if the client uses a self-signed certificate.
  ca: [ fs.readFileSync('client-cert.pem') ],
};

const server = tls.createServer(options, (socket) => {
  console.log('server connected',
              socket.authorized ? 'authorized' : 'unauthorized');
  socket.write('welcome!\n');
  socket.setEncoding('utf8');
  socket.pipe(socket);
});
server.listen(Number(process.env.PORT || 8000), () => {
  console.log('server bound');
});
