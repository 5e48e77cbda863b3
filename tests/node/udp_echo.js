// The Node original of examples/udp_echo.rs: a UDP echo server, and a client that talks to it
// in lock step. `node udp_echo.js` runs the server, `node udp_echo.js client` the client; both
// use PORT (default 41234) on 127.0.0.1.
const dgram = require('dgram');

const port = Number(process.env.PORT || 41234);

if (process.argv[2] !== 'client') {
  const server = dgram.createSocket('udp4');
  server.on('error', (err) => {
    console.log(`server error: ${err.message}`);
    server.close();
  });
  server.on('message', (msg, rinfo) => {
    console.log(`server got: ${msg} (${rinfo.size} bytes from ${rinfo.family} ${rinfo.address})`);
    if (msg.toString() === 'bye') {
      server.send(msg, rinfo.port, rinfo.address, (err, bytes) => {
        console.log(`server sent ${bytes} bytes and closes`);
        server.close();
      });
      return;
    }
    server.send(msg, rinfo.port, rinfo.address);
  });
  server.on('listening', () => {
    const address = server.address();
    console.log(`server listening on ${address.family} ${address.address}`);
  });
  server.on('close', () => console.log('server closed'));
  server.bind(port, '127.0.0.1');
} else {
  const lines = ['hello', 'from the client', 'bye'];
  let next = 0;
  const client = dgram.createSocket('udp4');
  client.on('message', (msg, rinfo) => {
    console.log(`client got: ${msg} (${rinfo.size} bytes from ${rinfo.family} ${rinfo.address})`);
    if (msg.toString() === 'bye') {
      client.close();
      return;
    }
    next += 1;
    client.send(lines[next], port, '127.0.0.1');
  });
  client.on('close', () => console.log('client closed'));
  client.send(lines[0], port, '127.0.0.1', (err, bytes) => {
    console.log(`client sent ${bytes} bytes`);
  });
}
