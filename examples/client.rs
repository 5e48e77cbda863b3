//! The tutorial's `client.js`, statement for statement: connects to the echo server on
//! localhost port 10000 (or `PORT`), sends one message, prints the echo and ends.
//!
//! Try it: start `cargo run --example server` (or `node tests/node/server.js`), then
//! `cargo run --example client`.
use nodenet::prelude::*;

fn main() -> Result<(), Error> {
    env_logger::init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10000);

    net::connect(port, "localhost", |client| {
        // 连接服务器
        println!("连接服务器成功");

        client.write("我是客户端"); // 往服务端发送数据

        client.on(Data, move |data| {
            // 接收到服务端数据
            println!("服务端消息 {data}");
            client.end(); // 断开连接
        });

        client.on(End, move || {
            // 连接断开事件
            println!("服务端连接断开");
        });
    });

    nodenet::run()
}
