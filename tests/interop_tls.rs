//! TLS interop with Node, both ways: our TLS server against Node's `tls` client, and Node's
//! `tls` server against our client, one test per case (CA-signed and self-signed certificates,
//! a wrong host name, an expired certificate, `reject_unauthorized: false`, ALPN, client
//! certificates with `request_cert`).
//!
//! Each side prints one line per event (`tests/node/tls_case.js` for Node; `serve` and `dial`
//! below for Rust): the secure event with `authorized`, `authorizationError`, the ALPN
//! protocol and the TLS version; errors with their code (and message, except OpenSSL's
//! `ERR_SSL_*`, whose text names OpenSSL's sources). Whichever language each side is written
//! in, each side must print what Node prints in the same case.
//!
//! With `node` on `PATH` the tests run live: Node against Node (checked against the
//! transcript), our server against Node's client, Node's server against our client. Without
//! node, our server and client run against each other and each side is checked against the
//! transcript recorded from Node 20 (`tests/transcripts/tls_*.txt`).
//! `NODENET_RECORD_TRANSCRIPTS=1` records the transcripts again from a live run.
//! Certificates are made at test time with rcgen.

mod common;

use std::cell::RefCell;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use common::certs::{self_signed, Ca, Pem};
use nodenet::prelude::*;
use nodenet::tls;

const TIMEOUT: Duration = Duration::from_secs(60);

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/tls_case.js")
}

/// PEM written to files, for Node, which reads its options from them.
struct Files {
    dir: PathBuf,
}

impl Files {
    fn new(case: &str) -> Files {
        let dir =
            std::env::temp_dir().join(format!("nodenet-tls-interop-{}-{case}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Files { dir }
    }

    fn write(&self, name: &str, pem: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, pem).expect("write PEM");
        path.display().to_string()
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One side's TLS options, as PEM and as Node's JSON.
#[derive(Clone, Default)]
struct Side {
    key: Option<String>,
    cert: Option<String>,
    ca: Option<String>,
    servername: Option<&'static str>,
    request_cert: bool,
    reject_unauthorized: Option<bool>,
    alpn: Vec<&'static str>,
}

impl Side {
    fn identity(mut self, pem: &Pem) -> Side {
        self.key = Some(pem.key.clone());
        self.cert = Some(pem.cert.clone());
        self
    }

    fn json(&self, files: &Files, prefix: &str) -> String {
        let mut fields = Vec::new();
        for (name, pem) in [("key", &self.key), ("cert", &self.cert), ("ca", &self.ca)] {
            if let Some(pem) = pem {
                let path = files.write(&format!("{prefix}-{name}.pem"), pem);
                fields.push(format!("{name:?}: {path:?}"));
            }
        }
        if let Some(name) = self.servername {
            fields.push(format!("\"servername\": {name:?}"));
        }
        if self.request_cert {
            fields.push("\"requestCert\": true".into());
        }
        if let Some(reject) = self.reject_unauthorized {
            fields.push(format!("\"rejectUnauthorized\": {reject}"));
        }
        if !self.alpn.is_empty() {
            fields.push(format!("\"ALPNProtocols\": {:?}", self.alpn));
        }
        format!("{{{}}}", fields.join(", "))
    }
}

type Lines = Rc<RefCell<Vec<String>>>;

fn describe(socket: Socket) -> String {
    format!(
        "authorized={} authorizationError={} alpn={} protocol={}",
        socket.authorized(),
        socket.authorization_error().unwrap_or_else(|| "-".into()),
        socket.alpn_protocol().unwrap_or_else(|| "-".into()),
        socket.get_protocol().unwrap_or_else(|| "-".into()),
    )
}

fn error_line(side: &str, err: &nodenet::Error) -> String {
    let code = err.code().unwrap_or("-");
    if code.starts_with("ERR_SSL_") {
        format!("{side} {code}")
    } else {
        format!("{side} {code} {}", err.message())
    }
}

/// Our side of `tls_case.js server`: the same events, the same lines.
fn serve(side: &Side, lines: &Lines, listening: impl FnOnce(u16) + 'static) -> Server {
    let mut options = tls::ServerOptions::new(
        side.key.clone().unwrap_or_default(),
        side.cert.clone().unwrap_or_default(),
    );
    options.ca = side.ca.clone().map(String::into_bytes);
    options.request_cert = side.request_cert;
    options.reject_unauthorized = side.reject_unauthorized.unwrap_or(true);
    options.alpn_protocols = side.alpn.iter().map(|p| p.to_string()).collect();
    let l = lines.clone();
    let server = tls::create_server(options, move |socket| {
        l.borrow_mut()
            .push(format!("server secureConnection {}", describe(socket)));
        let l2 = l.clone();
        socket.on(Data, move |data| {
            l2.borrow_mut().push(format!("server data {data}"));
            socket.end_with(format!("echo {data}"));
        });
        let l2 = l.clone();
        socket.on(End, move || l2.borrow_mut().push("server end".into()));
        let l2 = l.clone();
        socket.on(Error, move |err| {
            l2.borrow_mut().push(error_line("server socket error", err))
        });
    })
    .expect("create_server");
    server.on(Connection, move |socket| {
        socket.on(Close, move |_| {
            server.close(());
        });
    });
    let l = lines.clone();
    server.on(TlsClientError, move |err, _socket| {
        l.borrow_mut()
            .push(error_line("server tlsClientError", err));
    });
    server
        .listen((0, "127.0.0.1"), move || {
            listening(server.address().unwrap().port)
        })
        .expect("listen");
    server
}

/// Our side of `tls_case.js client`.
fn dial(port: u16, side: &Side, lines: &Lines) {
    let mut options = tls::ConnectOptions::new(port, "127.0.0.1");
    options.servername = side.servername.map(str::to_string);
    options.ca = side.ca.clone().map(String::into_bytes);
    options.key = side.key.clone().map(String::into_bytes);
    options.cert = side.cert.clone().map(String::into_bytes);
    options.reject_unauthorized = side.reject_unauthorized.unwrap_or(true);
    options.alpn_protocols = side.alpn.iter().map(|p| p.to_string()).collect();
    let l = lines.clone();
    let socket = tls::connect(options, move |socket| {
        l.borrow_mut()
            .push(format!("client secureConnect {}", describe(socket)));
        socket.write("hello");
    })
    .expect("connect");
    let l = lines.clone();
    socket.on(Data, move |data| {
        l.borrow_mut().push(format!("client data {data}"))
    });
    let l = lines.clone();
    socket.on(End, move || l.borrow_mut().push("client end".into()));
    let l = lines.clone();
    socket.on(Error, move |err| {
        l.borrow_mut().push(error_line("client error", err))
    });
    let l = lines.clone();
    socket.on(Close, move |had_error| {
        l.borrow_mut().push(format!("client close {had_error}"))
    });
}

/// A node process's stdout, line by line, read on a helper thread.
struct NodeSide {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl NodeSide {
    fn spawn(args: &[String]) -> NodeSide {
        let mut child = Command::new("node")
            .arg(script())
            .args(args)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn node");
        let stdout = child.stdout.take().expect("stdout");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        NodeSide { child, lines }
    }

    /// Every line until the process exits.
    fn finish(mut self) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            match self.lines.recv_timeout(TIMEOUT) {
                Ok(line) => lines.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    panic!("node did not finish; lines so far: {lines:?}");
                }
            }
        }
        let _ = self.child.wait();
        lines
    }
}

fn split(lines: &[String]) -> (Vec<String>, Vec<String>) {
    let pick = |prefix: &str| {
        lines
            .iter()
            .filter(|line| line.starts_with(prefix))
            .cloned()
            .collect::<Vec<_>>()
    };
    (pick("server"), pick("client"))
}

fn transcript_path(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/transcripts/tls_{case}.txt"))
}

fn transcript(case: &str) -> Vec<String> {
    let text = std::fs::read_to_string(transcript_path(case))
        .unwrap_or_else(|_| panic!("no transcript for TLS case {case}"));
    text.lines().map(str::to_string).collect()
}

fn node_server_node_client(case: &str, server: &Side, client: &Side) -> Vec<String> {
    let files = Files::new(&format!("{case}-nn"));
    let mut node_server = NodeSide::spawn(&["server".into(), server.json(&files, "server")]);
    let port = listening_port(&mut node_server);
    let node_client = NodeSide::spawn(&[
        "client".into(),
        port.to_string(),
        client.json(&files, "client"),
    ]);
    let mut lines = node_server.finish();
    lines.extend(node_client.finish());
    lines
}

fn listening_port(node: &mut NodeSide) -> u16 {
    let line = node
        .lines
        .recv_timeout(TIMEOUT)
        .expect("node server's listening line");
    line.strip_prefix("listening ")
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
}

fn rust_server_node_client(case: &str, server: &Side, client: &Side) -> Vec<String> {
    let files = Files::new(&format!("{case}-rn"));
    let lines: Lines = Rc::default();
    let json = client.json(&files, "client");
    let node: Rc<RefCell<Option<NodeSide>>> = Rc::default();
    let n = node.clone();
    serve(server, &lines, move |port| {
        *n.borrow_mut() = Some(NodeSide::spawn(&["client".into(), port.to_string(), json]));
    });
    nodenet::run().expect("run");
    common::assert_loop_empty();
    let node = node.borrow_mut().take().expect("node client");
    let mut all = lines.borrow().clone();
    all.extend(node.finish());
    all
}

fn node_server_rust_client(case: &str, server: &Side, client: &Side) -> Vec<String> {
    let files = Files::new(&format!("{case}-nr"));
    let mut node = NodeSide::spawn(&["server".into(), server.json(&files, "server")]);
    let port = listening_port(&mut node);
    let lines: Lines = Rc::default();
    dial(port, client, &lines);
    nodenet::run().expect("run");
    common::assert_loop_empty();
    let mut all = lines.borrow().clone();
    all.extend(node.finish());
    all
}

fn rust_rust(server: &Side, client: &Side) -> Vec<String> {
    let lines: Lines = Rc::default();
    let l = lines.clone();
    let client = client.clone();
    serve(server, &lines, move |port| dial(port, &client, &l));
    nodenet::run().expect("run");
    common::assert_loop_empty();
    let all = lines.borrow().clone();
    all
}

#[track_caller]
fn same_as_node(what: &str, got: &[String], expected: &[String]) {
    let (got_server, got_client) = split(got);
    let (want_server, want_client) = split(expected);
    assert_eq!(got_server, want_server, "{what}: the server's lines differ");
    assert_eq!(got_client, want_client, "{what}: the client's lines differ");
}

fn run_case(case: &'static str, server: Side, client: Side) {
    common::bounded(move || {
        if common::node_available() {
            eprintln!("interop_tls {case}: live, against node");
            let node = node_server_node_client(case, &server, &client);
            if std::env::var_os("NODENET_RECORD_TRANSCRIPTS").is_some() {
                let (s, c) = split(&node);
                let text: String = s.iter().chain(&c).map(|line| format!("{line}\n")).collect();
                std::fs::write(transcript_path(case), text).expect("record transcript");
            }
            let recorded = transcript(case);
            same_as_node("node vs node (the transcript is stale)", &node, &recorded);
            let ours = rust_server_node_client(case, &server, &client);
            same_as_node("our server, node's client", &ours, &recorded);
            let ours = node_server_rust_client(case, &server, &client);
            same_as_node("node's server, our client", &ours, &recorded);
        } else {
            eprintln!(
                "interop_tls {case}: node is not on PATH; our server and client against each \
                 other, checked against the transcript recorded from Node 20"
            );
        }
        let ours = rust_rust(&server, &client);
        same_as_node("our server, our client", &ours, &transcript(case));
    });
}

struct Certs {
    ca: Ca,
    leaf: Pem,
}

fn certs() -> Certs {
    let ca = Ca::new("nodenet test CA");
    let leaf = ca.issue(&["localhost", "127.0.0.1"]);
    Certs { ca, leaf }
}

fn trusting(ca: &Ca) -> Side {
    Side {
        ca: Some(ca.pem.cert.clone()),
        servername: Some("localhost"),
        ..Side::default()
    }
}

#[test]
fn ca_signed() {
    let c = certs();
    run_case(
        "ca_signed",
        Side::default().identity(&c.leaf),
        trusting(&c.ca),
    );
}

#[test]
fn self_signed_trusted() {
    let pem = self_signed(&["localhost"]);
    let client = Side {
        ca: Some(pem.cert.clone()),
        servername: Some("localhost"),
        ..Side::default()
    };
    run_case(
        "self_signed_trusted",
        Side::default().identity(&pem),
        client,
    );
}

#[test]
fn self_signed_rejected() {
    let pem = self_signed(&["localhost"]);
    let other = Ca::new("someone else");
    run_case(
        "self_signed_rejected",
        Side::default().identity(&pem),
        trusting(&other),
    );
}

#[test]
fn unknown_ca() {
    let c = certs();
    let other = Ca::new("someone else");
    run_case(
        "unknown_ca",
        Side::default().identity(&c.leaf),
        trusting(&other),
    );
}

#[test]
fn wrong_hostname() {
    let c = certs();
    let client = Side {
        servername: Some("wrong.test"),
        ..trusting(&c.ca)
    };
    run_case("wrong_hostname", Side::default().identity(&c.leaf), client);
}

#[test]
fn expired() {
    let ca = Ca::new("nodenet test CA");
    let leaf = ca.issue_expired(&["localhost"]);
    run_case("expired", Side::default().identity(&leaf), trusting(&ca));
}

#[test]
fn reject_unauthorized_false() {
    let pem = self_signed(&["localhost"]);
    let other = Ca::new("someone else");
    let client = Side {
        reject_unauthorized: Some(false),
        ..trusting(&other)
    };
    run_case(
        "reject_unauthorized_false",
        Side::default().identity(&pem),
        client,
    );
}

#[test]
fn alpn() {
    let c = certs();
    let server = Side {
        alpn: vec!["h2", "http/1.1"],
        ..Side::default().identity(&c.leaf)
    };
    let client = Side {
        alpn: vec!["http/1.1", "h2"],
        ..trusting(&c.ca)
    };
    run_case("alpn", server, client);
}

#[test]
fn alpn_mismatch() {
    let c = certs();
    let server = Side {
        alpn: vec!["h2"],
        ..Side::default().identity(&c.leaf)
    };
    let client = Side {
        alpn: vec!["x-unknown"],
        ..trusting(&c.ca)
    };
    run_case("alpn_mismatch", server, client);
}

#[test]
fn client_certificate() {
    let c = certs();
    let client_cert = c.ca.issue(&["client.test"]);
    let server = Side {
        ca: Some(c.ca.pem.cert.clone()),
        request_cert: true,
        ..Side::default().identity(&c.leaf)
    };
    run_case(
        "client_certificate",
        server,
        trusting(&c.ca).identity(&client_cert),
    );
}

#[test]
fn client_certificate_missing() {
    let c = certs();
    let server = Side {
        ca: Some(c.ca.pem.cert.clone()),
        request_cert: true,
        ..Side::default().identity(&c.leaf)
    };
    run_case("client_certificate_missing", server, trusting(&c.ca));
}

#[test]
fn client_certificate_optional() {
    let c = certs();
    let server = Side {
        ca: Some(c.ca.pem.cert.clone()),
        request_cert: true,
        reject_unauthorized: Some(false),
        ..Side::default().identity(&c.leaf)
    };
    run_case("client_certificate_optional", server, trusting(&c.ca));
}

#[test]
fn client_certificate_untrusted() {
    let c = certs();
    let stranger = Ca::new("someone else").issue(&["client.test"]);
    let server = Side {
        ca: Some(c.ca.pem.cert.clone()),
        request_cert: true,
        ..Side::default().identity(&c.leaf)
    };
    run_case(
        "client_certificate_untrusted",
        server,
        trusting(&c.ca).identity(&stranger),
    );
}
