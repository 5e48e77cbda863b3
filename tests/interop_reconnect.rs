//! Interop for Node's reconnect idiom: `examples/reconnect_client.rs` and its Node original
//! `tests/node/reconnect_client.js` run against the same server, which is away for the first
//! attempt and then echoes. Both must print the transcript recorded from Node 20
//! (`tests/transcripts/reconnect_client.txt`). Without `node` on `PATH` only the Rust side runs,
//! against the recorded transcript; the test says which way it ran.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const TRANSCRIPT: &str = include_str!("transcripts/reconnect_client.txt");

/// Long enough that the test binds the server between the refusal and the retry even on a
/// loaded machine; the client waits this long only once per cycle.
const RETRY_MS: &str = "500";

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// A port nothing listens on now (freed right after binding), for the first, refused attempt.
fn vacant_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// Runs one client: refused first, then three echoed connections. Returns what it printed.
fn run_client(mut command: Command) -> String {
    let port = vacant_port();
    let mut child = command
        .env("PORT", port.to_string())
        .env("HOST", "127.0.0.1")
        .env("RETRY_MS", RETRY_MS)
        .env("RETRIES", "3")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the client");
    let stdout = child.stdout.take().expect("stdout");
    let (lines_tx, lines) = mpsc::channel::<String>();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = Vec::new();
    let next = |printed: &mut Vec<String>| {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("client went quiet after {printed:?}"));
        printed.push(line.clone());
        line
    };
    // The server comes only once the client has been refused and says it will retry.
    while next(&mut printed) != "reconnecting 1" {}
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the server's port again");
    for _ in 0..3 {
        let (mut stream, _) = listener.accept().expect("accept");
        echo_then_close(&mut stream);
    }
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(30)) {
        printed.push(line);
    }
    let status = child.wait().expect("client exit");
    assert!(status.success(), "client exited with {status}");
    printed.join("\n") + "\n"
}

/// The server's side of one cycle: echo "hello", then close once the client has ended.
fn echo_then_close(stream: &mut TcpStream) {
    let mut buffer = [0u8; 5];
    stream.read_exact(&mut buffer).expect("read hello");
    stream.write_all(&buffer).expect("echo");
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).expect("the client's end");
}

#[test]
fn reconnect_client_prints_what_node_prints() {
    let rust = run_client(Command::new(example("reconnect_client")));
    assert_eq!(
        rust, TRANSCRIPT,
        "the Rust port differs from Node's transcript"
    );
    if common::node_available() {
        let mut node = Command::new("node");
        node.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/reconnect_client.js"));
        let live = run_client(node);
        assert_eq!(
            live, TRANSCRIPT,
            "node no longer prints the recorded transcript"
        );
        eprintln!("reconnect_client: ran live against node, and against the transcript");
    } else {
        eprintln!("reconnect_client: node not on PATH; compared with the recorded transcript");
    }
}
