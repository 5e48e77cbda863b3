mod common;
use common::certs::*;
use common::*;
use nodenet::prelude::*;
use nodenet::tls;

#[test]
fn smoke() {
    bounded(|| {
        let log = Log::new();
        let pem = self_signed(&["localhost"]);
        let server = tls::create_server(tls::ServerOptions::new(pem.key(), pem.cert()), move |s| {
            log.push(format!("s:secureConnection {}", s.get_protocol().unwrap()));
            s.on(Data, move |d| {
                log.push(format!("s:data {d}"));
                s.end_with("bye");
            });
            s.on(End, move || log.push("s:end"));
            s.on(Close, move |h| log.push(format!("s:close {h}")));
        })
        .unwrap();
        let cert = pem.cert();
        listen_then(server, "127.0.0.1", move |port| {
            let mut o = tls::ConnectOptions::new(port, "127.0.0.1");
            o.servername = Some("localhost".into());
            o.ca = Some(cert);
            let c = tls::connect(o, move |c| {
                log.push(format!(
                    "c:secureConnect {} {:?}",
                    c.authorized(),
                    c.get_cipher()
                ))
            })
            .unwrap();
            for e in ["connect", "ready", "end", "finish"] {
                let _ = e;
            }
            c.on(Connect, move || log.push("c:connect"));
            c.on(Ready, move || log.push("c:ready"));
            c.on(Data, move |d| log.push(format!("c:data {d}")));
            c.on(End, move || log.push("c:end"));
            c.on(Error, move |e| log.push(format!("c:error {e:?}")));
            c.on(Close, move |h| {
                log.push(format!("c:close {h}"));
                server.close(());
            });
            log.push(format!("write {}", c.write("hi")));
        });
        run_and_check();
        eprintln!("{:#?}", log);
    });
}
