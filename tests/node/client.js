const net = require('net');

const client = net.connect(Number(process.env.PORT || 10000), 'localhost', function () { // 连接服务器
    console.log('连接服务器成功');

    client.write('我是客户端'); // 往服务端发送数据

    client.on('data', function (data) { // 接收到服务端数据
        console.log('服务端消息', data.toString());
        client.end(); // 断开连接
    });

    client.on('end', function () { // 连接断开事件
        console.log('服务端连接断开');
    });
});
