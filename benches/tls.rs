//! `cargo bench --bench tls`: nodenet's TLS echo server against Node's `tls` echo server
//! (`benches/tls_echo.js`), side by side in one run, with one client for both.
//!
//! Our server runs on its own thread (its own loop); Node's is a child process. The client is
//! blocking rustls on the main thread, the same for both servers, with the same ECDSA P-256
//! certificate (made with rcgen), and `noDelay` on both servers (Node's otherwise stalls the
//! 64 KiB echo on Nagle's algorithm, writing each 16 KiB record on its own). Cases:
//!
//! - `pingpong_64`: one connection, write 64 B, read the 64 B echo, again: round trips/s;
//! - `stream_64k`: one connection, write 64 KiB, read it back, again: MB/s echoed;
//! - `handshakes`: connect, full TLS 1.3 handshake, one 32 B echo, close: connections/s.
//!
//! Rounds alternate which server goes first, so drift on a shared machine hits both alike; the
//! summary gives medians and the median of the per-round ratios ours / Node. Needs `node` on
//! `PATH` (without it, only our server is measured).
//!
//! Knobs: `TLS_BENCH_MS` (measured milliseconds per run, default 1500), `TLS_BENCH_ROUNDS`
//! (default 3).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nodenet::prelude::*;
use nodenet::tls;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

struct Certs {
    key: String,
    cert: String,
}

fn certs() -> Certs {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    Certs {
        key: made.key_pair.serialize_pem(),
        cert: made.cert.pem(),
    }
}

/// Our echo server on a thread of its own; its port.
fn start_ours(certs: &Certs) -> u16 {
    let (key, cert) = (certs.key.clone(), certs.cert.clone());
    let (send, port) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut options = tls::ServerOptions::new(key, cert);
        options.net.no_delay = true;
        let server = tls::create_server(options, |socket| {
            socket.on(Data, move |data| {
                socket.write(data);
            });
        })
        .expect("server");
        server
            .listen((0, "127.0.0.1"), move || {
                let _ = send.send(server.address().unwrap().port);
            })
            .expect("listen");
        let _ = nodenet::run();
    });
    port.recv().expect("our server's port")
}

/// Node's echo server as a child; the child and its port.
fn start_node(certs: &Certs, dir: &std::path::Path) -> Option<(Child, u16)> {
    std::fs::write(dir.join("key.pem"), &certs.key).ok()?;
    std::fs::write(dir.join("cert.pem"), &certs.cert).ok()?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/tls_echo.js");
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).ok()? == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let port = String::from_utf8(line).ok()?.trim().parse().ok()?;
    Some((child, port))
}

fn client_config(cert: &str) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for der in rustls_pki_types::CertificateDer::pem_slice_iter(cert.as_bytes()) {
        roots.add(der.expect("PEM")).expect("root");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

use rustls_pki_types::pem::PemObject;

type Stream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

fn dial(port: u16, config: &Arc<rustls::ClientConfig>) -> Stream {
    let tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
    let conn = rustls::ClientConnection::new(config.clone(), name).expect("client");
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .expect("handshake");
    }
    stream
}

fn echo(stream: &mut Stream, message: &[u8], back: &mut [u8]) {
    stream.write_all(message).expect("write");
    stream.flush().expect("flush");
    stream.read_exact(back).expect("read the echo");
    assert_eq!(back, message, "the echo differs");
}

/// Units of work per second for `work`, run repeatedly for `millis`.
fn measure(millis: u64, mut work: impl FnMut() -> f64) -> f64 {
    let deadline = Instant::now() + Duration::from_millis(millis);
    let started = Instant::now();
    let mut done = 0.0;
    while Instant::now() < deadline {
        done += work();
    }
    done / started.elapsed().as_secs_f64()
}

fn run_case(case: &str, port: u16, config: &Arc<rustls::ClientConfig>, millis: u64) -> f64 {
    match case {
        "pingpong_64" => {
            let mut stream = dial(port, config);
            let message = [7u8; 64];
            let mut back = [0u8; 64];
            measure(millis, || {
                for _ in 0..100 {
                    echo(&mut stream, &message, &mut back);
                }
                100.0
            })
        }
        "stream_64k" => {
            let mut stream = dial(port, config);
            let message: Vec<u8> = (0..65536).map(|i| i as u8).collect();
            let mut back = vec![0u8; message.len()];
            measure(millis, || {
                echo(&mut stream, &message, &mut back);
                message.len() as f64 / 1e6
            })
        }
        _ => {
            let message = [9u8; 32];
            let mut back = [0u8; 32];
            measure(millis, || {
                let mut stream = dial(port, config);
                echo(&mut stream, &message, &mut back);
                stream.conn.send_close_notify();
                let _ = stream.conn.complete_io(&mut stream.sock);
                1.0
            })
        }
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn main() {
    let millis = env_number("TLS_BENCH_MS", 1500);
    let rounds = env_number("TLS_BENCH_ROUNDS", 3).max(1) as usize;
    let certs = certs();
    let config = client_config(&certs.cert);
    let ours = start_ours(&certs);
    let dir = std::env::temp_dir().join(format!("nodenet-tls-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut node = start_node(&certs, &dir);
    if node.is_none() {
        eprintln!("node is not on PATH: measuring our server only");
    }
    let cases = [
        ("pingpong_64", "round trips/s"),
        ("stream_64k", "MB/s"),
        ("handshakes", "connections/s"),
    ];
    println!("case          unit            nodenet        node     ratio (median of rounds)");
    for (case, unit) in cases {
        let (mut mine, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let node_port = node.as_ref().map(|(_, port)| *port);
            let (a, b) = if round % 2 == 0 {
                let a = run_case(case, ours, &config, millis);
                let b = node_port.map(|port| run_case(case, port, &config, millis));
                (a, b)
            } else {
                let b = node_port.map(|port| run_case(case, port, &config, millis));
                let a = run_case(case, ours, &config, millis);
                (a, b)
            };
            mine.push(a);
            if let Some(b) = b {
                theirs.push(b);
                ratios.push(a / b);
            }
        }
        let theirs_text = if theirs.is_empty() {
            "-".to_string()
        } else {
            format!("{:.1}", median(&mut theirs))
        };
        let ratio_text = if ratios.is_empty() {
            "-".to_string()
        } else {
            format!("{:.2}", median(&mut ratios))
        };
        println!(
            "{case:<13} {unit:<15} {:>10.1} {theirs_text:>11} {ratio_text:>9}",
            median(&mut mine)
        );
    }
    if let Some((mut child, _)) = node.take() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
