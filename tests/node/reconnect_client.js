// Node's reconnect idiom: listeners attached once, connect() again from a timer after 'close'.
const net = require('net');

const port = Number(process.env.PORT || 10000);
const host = process.env.HOST || 'localhost';
const retryMs = Number(process.env.RETRY_MS || 500);
const maxRetries = Number(process.env.RETRIES || 3);
let retries = 0;

const socket = new net.Socket();

socket.on('connect', function () {
    console.log('connected');
    socket.write('hello');
});

socket.on('data', function (data) {
    console.log('received', data.toString());
    socket.end();
});

socket.on('error', function (err) {
    console.log('error', err.code);
});

socket.on('close', function (hadError) {
    console.log('closed', hadError);
    if (retries < maxRetries) {
        retries++;
        console.log('reconnecting', retries);
        setTimeout(function () {
            socket.connect(port, host);
        }, retryMs);
    }
});

socket.connect(port, host);
