//! Interop of the TLS examples with their Node originals: `examples/tls_echo_server.rs` and
//! `examples/tls_client.rs` against `tests/node/tls_echo_server.js` and
//! `tests/node/tls_client.js` (Node's `tls` docs examples), in all four pairings, with the
//! certificates `examples/tls_make_certs.rs` writes.
//!
//! Each program must print what its Node original prints (empty lines aside: where `'data'`
//! chunks split is the network's choice). With `node` on `PATH` all four pairings run live;
//! without it, the Rust pair runs and is compared with the transcript recorded from Node 20
//! (`tests/transcripts/tls_examples.txt`). The example binaries are those `cargo test` builds
//! before the integration tests (or `cargo build --examples`).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Lang {
    Rust,
    Node,
}

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo test` or `cargo build --examples` first",
        path.display()
    );
    path
}

fn program(lang: Lang, name: &str, dir: &Path, port: u16) -> Command {
    let mut command = match lang {
        Lang::Rust => Command::new(example(name)),
        Lang::Node => {
            let mut node = Command::new("node");
            node.arg(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/node")
                    .join(format!("{name}.js")),
            );
            node
        }
    };
    command
        .current_dir(dir)
        .env("PORT", port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    command
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("stdout");
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// Runs one pairing; the server's and the client's lines, empty lines left out.
fn pairing(server_lang: Lang, client_lang: Lang, dir: &Path) -> (Vec<String>, Vec<String>) {
    for _attempt in 0..5 {
        let port = free_port();
        let mut server = program(server_lang, "tls_echo_server", dir, port)
            .stdin(Stdio::null())
            .spawn()
            .expect("start the server");
        let server_lines = lines_of(&mut server);
        match server_lines.recv_timeout(TIMEOUT) {
            Ok(line) if line == "server bound" => {}
            other => {
                let _ = server.kill();
                let _ = server.wait();
                eprintln!("server did not start on {port}: {other:?}; again");
                continue;
            }
        }
        let mut client = program(client_lang, "tls_client", dir, port)
            .stdin(Stdio::piped())
            .spawn()
            .expect("start the client");
        let client_lines = lines_of(&mut client);
        let mut stdin = client.stdin.take().expect("stdin");
        let mut got = Vec::new();
        // The first line says the handshake is done; then the lines go, one by one.
        let first = client_lines
            .recv_timeout(TIMEOUT)
            .expect("the client's first line");
        got.push(first);
        for line in ["hello", "world"] {
            writeln!(stdin, "{line}").expect("write to the client");
        }
        drop(stdin);
        while let Ok(line) = client_lines.recv_timeout(TIMEOUT) {
            got.push(line);
        }
        let _ = client.wait();
        let _ = server.kill();
        let _ = server.wait();
        let mut served = vec!["server bound".to_string()];
        while let Ok(line) = server_lines.recv_timeout(Duration::from_millis(500)) {
            served.push(line);
        }
        let clean = |lines: Vec<String>| {
            lines
                .into_iter()
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
        };
        return (clean(served), clean(got));
    }
    panic!("the {server_lang:?} server did not start");
}

fn transcript() -> (Vec<String>, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts/tls_examples.txt");
    let text = std::fs::read_to_string(path).expect("the transcript");
    let (server, client) = text.split_once("--\n").expect("server, --, client");
    let lines = |text: &str| text.lines().map(str::to_string).collect::<Vec<_>>();
    (lines(server), lines(client))
}

#[test]
fn tls_examples_in_all_pairings() {
    let dir = std::env::temp_dir().join(format!("nodenet-tls-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let made = Command::new(example("tls_make_certs"))
        .arg(&dir)
        .output()
        .expect("tls_make_certs");
    assert!(made.status.success(), "tls_make_certs failed");
    let expected = transcript();
    let pairings: &[(Lang, Lang)] = if common::node_available() {
        eprintln!("interop_tls_examples: live, against node");
        &[
            (Lang::Node, Lang::Node),
            (Lang::Rust, Lang::Node),
            (Lang::Node, Lang::Rust),
            (Lang::Rust, Lang::Rust),
        ]
    } else {
        eprintln!(
            "interop_tls_examples: node is not on PATH; the Rust pair against the transcript"
        );
        &[(Lang::Rust, Lang::Rust)]
    };
    for (server, client) in pairings {
        let got = pairing(*server, *client, &dir);
        assert_eq!(got, expected, "{server:?} server, {client:?} client");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
