// The Node side of benches/udp_echo.rs: the plain dgram echo, on 127.0.0.1 and a free port,
// which it prints once bound. The receive buffer is the size the nodenet side asks for.
const dgram = require('dgram');

const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
socket.on('message', (msg, rinfo) => {
  socket.send(msg, rinfo.port, rinfo.address);
});
socket.on('error', () => {});
socket.bind(0, '127.0.0.1', () => {
  console.log(socket.address().port);
});
