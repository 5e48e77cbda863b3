'use strict';
// Node's peer for benches/udp.sh: a dgram echo server,
//   socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address))
// Port: $PORT (default 9000), host: $HOST (default 127.0.0.1). The 'error' listener only
// logs (an ICMP error for a vanished client must not crash the process).
const dgram = require('dgram');
const port = Number(process.env.PORT || 9000);
const host = process.env.HOST || '127.0.0.1';
const socket = dgram.createSocket('udp4');
socket.on('error', (e) => console.error(e.message));
socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
socket.bind(port, host);
