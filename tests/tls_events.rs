//! The order of a TLS client's events, as Node 20 emits them (checked with node: a client of a
//! server that answers and ends): `'connect'`, `'ready'`, `'secureConnect'`, `'data'`,
//! `'end'`, `'finish'`, `'close'`; a write made before the handshake returns true and arrives.

mod common;

use common::certs::self_signed;
use common::*;
use nodenet::prelude::*;

#[test]
fn tls_client_events_in_nodes_order() {
    bounded(|| {
        let pem = self_signed(&["localhost"]);
        let log = Log::new();
        let server = tls::create_server(tls::ServerOptions::new(pem.key(), pem.cert()), move |s| {
            s.on(Data, move |data| {
                log.push(format!("s:data {data}"));
                s.end_with("bye");
            });
        })
        .unwrap();
        let ca = pem.cert();
        listen_then(server, "127.0.0.1", move |port| {
            let mut options = tls::ConnectOptions::new(port, "127.0.0.1");
            options.servername = Some("localhost".into());
            options.ca = Some(ca);
            let client = tls::connect(
                options,
                must_call!(move |c: Socket| {
                    log.push(format!("c:secureConnect authorized={}", c.authorized()))
                }),
            )
            .unwrap();
            client.on(Connect, must_call!(move || log.push("c:connect")));
            client.on(Ready, must_call!(move || log.push("c:ready")));
            client.on(Data, must_call!(move |d| log.push(format!("c:data {d}"))));
            client.on(End, must_call!(move || log.push("c:end")));
            client.on(Finish, must_call!(move || log.push("c:finish")));
            client.on(
                Close,
                must_call!(move |had_error| {
                    log.push(format!("c:close {had_error}"));
                    server.close(());
                }),
            );
            log.push(format!("c:write before secure {}", client.write("hi")));
        });
        run_and_check();
        log.assert_only(
            "c:",
            &[
                "c:write before secure true",
                "c:connect",
                "c:ready",
                "c:secureConnect authorized=true",
                "c:data bye",
                "c:end",
                "c:finish",
                "c:close false",
            ],
        );
        log.assert_only("s:", &["s:data hi"]);
    });
}
