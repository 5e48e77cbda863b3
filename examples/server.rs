//! The tutorial's `server.js`, statement for statement: an echo server on port 10000 (or
//! `PORT`) that logs every connection, message and disconnection.
//!
//! Try it: `cargo run --example server`, then `telnet localhost 10000` (or
//! `nc localhost 10000`) and type a line: it comes back. `node tests/node/client.js` and
//! `cargo run --example client` talk to it too.
use nodenet::prelude::*;

fn main() -> Result<(), Error> {
    env_logger::init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10000);

    let server = net::create_server(|client| {
        // 创建服务端
        println!("{} 连接成功", address(client)); // 客户端连接成功时打印客户端地址

        client.on(Error, move |e| {
            println!("{}  error >>  {}", address(client), e.message()); // 连接错误时（如客户端异常断开）
        });

        client.on(Data, move |data| {
            // 收到客户端数据
            println!("{}  >>  {}", address(client), data);
            client.write(data); // 往客户端写数据
        });

        client.on(End, move || {
            // 客户端正常断开
            println!("{} 断开连接", address(client));
        });
    });

    server.on(Error, |e| {
        // 服务器错误（如启动失败，端口占用）
        println!("服务器启动失败 {e:#?}");
    });

    server.listen(port, move || {
        println!("启动成功，地址 {}", server.address().unwrap().address);
    })?;

    nodenet::run()
}

/// `client.address().address`: Node prints `undefined` once the socket is gone, and so do we.
fn address(client: Socket) -> String {
    client
        .address()
        .map_or_else(|| "undefined".to_string(), |info| info.address)
}
