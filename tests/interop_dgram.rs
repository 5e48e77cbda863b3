//! Interop with Node's `dgram`, both ways: `examples/udp_echo.rs` against its Node original
//! `tests/node/udp_echo.js`, in all four pairings (our echo against Node's client, Node's echo
//! against our client, and each against itself). Each program must print the same lines
//! whichever language it is written in and whichever language its peer is.
//!
//! With `node` on `PATH` the pairings run live, and Node's lines are also checked against the
//! transcripts recorded from Node 20 (`tests/transcripts/udp_echo_*.txt`;
//! `NODENET_RECORD_TRANSCRIPTS=1` records them again). Without node, the Rust pair runs and its
//! lines are compared with those transcripts. Each test says on stderr which way it ran. As in
//! `tests/interop.rs`, the example binary is the one `cargo test` builds first.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

/// Generous: node starts slowly on a loaded machine; nothing waits this long unless broken.
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lang {
    Rust,
    Node,
}

/// `target/<profile>/examples/udp_echo`, found from this test binary's own path.
fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps");
    let path = dir.join("examples").join("udp_echo");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo test` (it builds the examples first) or `cargo build --examples`",
        path.display()
    );
    path
}

/// A UDP port nothing is bound to: asked of the OS, then let go.
fn free_port() -> u16 {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("a free port");
    socket.local_addr().expect("its address").port()
}

/// A running program whose stdout arrives line by line; killed if dropped early.
struct Running {
    child: Child,
    lines: Receiver<String>,
}

impl Running {
    fn start(lang: Lang, client: bool, port: u16) -> Running {
        let mut command = match lang {
            Lang::Rust => Command::new(example()),
            Lang::Node => {
                let mut node = Command::new("node");
                node.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/udp_echo.js"));
                node
            }
        };
        if client {
            command.arg("client");
        }
        let mut child = command
            .env("PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start the {lang:?} program: {err}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (send, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines }
    }

    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(TIMEOUT)
            .expect("a line before the timeout")
    }

    /// Every line until the program exits, which it must do by itself.
    fn rest(mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(TIMEOUT) {
            lines.push(line);
        }
        let status = self.child.wait().expect("the program's exit");
        assert!(status.success(), "the program failed: {status}");
        lines
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One pairing: the server's lines and the client's lines.
fn pair(server: Lang, client: Lang) -> (Vec<String>, Vec<String>) {
    let port = free_port();
    let running = Running::start(server, false, port);
    let first = running.next_line();
    assert_eq!(first, "server listening on IPv4 127.0.0.1");
    let client_lines = Running::start(client, true, port).rest();
    let mut server_lines = vec![first];
    server_lines.extend(running.rest());
    (server_lines, client_lines)
}

fn transcript(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/transcripts")
        .join(format!("{name}.txt"))
}

fn check_transcript(name: &str, lines: &[String], recording: bool) {
    let path = transcript(name);
    if recording {
        std::fs::write(&path, lines.join("\n") + "\n").expect("record the transcript");
        return;
    }
    let recorded = std::fs::read_to_string(&path).expect("the transcript");
    let recorded: Vec<&str> = recorded.lines().collect();
    assert_eq!(
        lines,
        recorded,
        "vs {} (recorded from Node 20)",
        path.display()
    );
}

#[test]
fn udp_echo_interop_with_node_dgram() {
    if !common::node_available() {
        eprintln!(
            "interop_dgram: node is not on PATH; comparing the Rust pair with the transcripts \
             recorded from Node 20 (tests/transcripts/udp_echo_*.txt)"
        );
        let (server, client) = pair(Lang::Rust, Lang::Rust);
        check_transcript("udp_echo_server", &server, false);
        check_transcript("udp_echo_client", &client, false);
        return;
    }
    eprintln!("interop_dgram: live, against node");
    let recording = std::env::var_os("NODENET_RECORD_TRANSCRIPTS").is_some();
    let (node_server, node_client) = pair(Lang::Node, Lang::Node);
    check_transcript("udp_echo_server", &node_server, recording);
    check_transcript("udp_echo_client", &node_client, recording);
    for (server, client) in [
        (Lang::Rust, Lang::Node),
        (Lang::Node, Lang::Rust),
        (Lang::Rust, Lang::Rust),
    ] {
        let (server_lines, client_lines) = pair(server, client);
        assert_eq!(
            server_lines, node_server,
            "the {server:?} server against the {client:?} client prints what Node's does"
        );
        assert_eq!(
            client_lines, node_client,
            "the {client:?} client against the {server:?} server prints what Node's does"
        );
    }
}
