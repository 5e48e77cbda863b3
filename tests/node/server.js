const net = require('net');

const server = net.createServer(function (client) { // 创建服务端
    console.log(client.address().address, '连接成功'); // 客户端连接成功时打印客户端地址

    client.on('error', function (e) {
        console.log(client.address().address, ' error >> ', e.message); // 连接错误时（如客户端异常断开）
    });

    client.on('data', function (data) { // 收到客户端数据
        console.log(client.address().address, ' >> ', data.toString());
        client.write(data); // 往客户端写数据
    });

    client.on('end', function () { // 客户端正常断开
        console.log(client.address().address, '断开连接');
    });
});

server.on('error', function (e) { // 服务器错误（如启动失败，端口占用）
    console.log('服务器启动失败', e);
});

server.listen(Number(process.env.PORT || 10000), function () {
    console.log('启动成功，地址', server.address().address);
});
