//! Interop: the tutorial's programs in Rust (`examples/server.rs`, `examples/client.rs`) against
//! the Node originals (`tests/node/server.js`, `tests/node/client.js`), in all four pairings.
//!
//! Each side must print the same lines whichever language it is written in: the Rust server
//! prints what Node's `server.js` prints for the same client, and the Rust client prints what
//! Node's `client.js` prints against the same server. A raw `TcpStream` plays telnet: its line
//! comes back, and a connection reset prints the same error line from both servers.
//!
//! The example binaries are the ones `cargo test` builds before it runs integration tests
//! (`target/<profile>/examples/`); `cargo test --test interop` alone does not build them, so run
//! `cargo test` (or `cargo build --examples`) first.
//!
//! With `node` on `PATH` the tests run live, as above (and `.ci/run` installs node, so CI always
//! does). Without it, the Rust programs' lines are compared with transcripts recorded from Node
//! 20 and checked in (`tests/transcripts/*.txt`), addresses written as `<address>` since they
//! depend on the machine. Each test says on stderr which way it ran. Running live with
//! `NODENET_RECORD_TRANSCRIPTS=1` records the transcripts again; live runs also check that
//! Node still prints what they hold.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// Generous: node starts slowly on a loaded machine, and nothing here waits for the timeout
/// unless something is broken.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Whether these tests run against node, or against the transcripts of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Live,
    Transcripts,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Lang {
    Rust,
    Node,
}

/// Which of the tutorial's two programs.
#[derive(Clone, Copy, Debug)]
enum Program {
    Server,
    Client,
}

/// Live if `node` runs; says which way the test `name` runs, on stderr.
fn mode(name: &str) -> Mode {
    match Command::new("node").arg("--version").output() {
        Ok(output) if output.status.success() => {
            let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
            eprintln!("interop {name}: live, against node {version}");
            Mode::Live
        }
        _ => {
            eprintln!(
                "interop {name}: node is not on PATH; comparing with the transcripts recorded \
                 from Node 20 (tests/transcripts/)"
            );
            Mode::Transcripts
        }
    }
}

/// Lines with every IP address written as `<address>`: what the transcripts hold.
fn normalised(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            line.split(' ')
                .map(|word| {
                    if word.parse::<std::net::IpAddr>().is_ok() {
                        "<address>"
                    } else {
                        word
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn transcript_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/transcripts")
        .join(format!("{name}.txt"))
}

/// Checks `lines` (normalised) against the transcript `name`. Live, `lines` are Node's: with
/// `NODENET_RECORD_TRANSCRIPTS=1` they are recorded, else they must match what was recorded.
fn check_transcript(name: &str, lines: &[String], mode: Mode) {
    let lines = normalised(lines);
    let path = transcript_path(name);
    if mode == Mode::Live && std::env::var_os("NODENET_RECORD_TRANSCRIPTS").is_some() {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(&path, text).expect("record the transcript");
        return;
    }
    let recorded =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let recorded: Vec<&str> = recorded.lines().collect();
    let who = match mode {
        Mode::Live => "node now",
        Mode::Transcripts => "the Rust program",
    };
    assert_eq!(
        lines,
        recorded,
        "{who} vs the transcript {} recorded from Node 20",
        path.display()
    );
}

/// `target/<profile>/examples/<name>`, found from this test binary's own path
/// (`target/<profile>/deps/interop-<hash>`).
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
        "{} is missing: run `cargo test` (it builds the examples before the integration tests) \
         or `cargo build --examples` first",
        path.display()
    );
    path
}

fn command(lang: Lang, program: Program, port: u16) -> Command {
    let mut command = match (lang, program) {
        (Lang::Rust, Program::Server) => Command::new(example("server")),
        (Lang::Rust, Program::Client) => Command::new(example("client")),
        (Lang::Node, program) => {
            let script = match program {
                Program::Server => "server.js",
                Program::Client => "client.js",
            };
            let mut node = Command::new("node");
            node.arg(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/node")
                    .join(script),
            );
            node
        }
    };
    command
        .env("PORT", port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// A port nothing listens on: ask the OS for one, then let it go. The servers listen on `::`
/// (dual-stack), so ask there, falling back to IPv4 where there is no IPv6.
fn free_port() -> u16 {
    let listener = TcpListener::bind("[::]:0")
        .or_else(|_| TcpListener::bind("0.0.0.0:0"))
        .expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// A running program whose stdout arrives line by line, and whose stderr is kept for failure
/// messages. Killed when dropped, so a failing test leaves no server behind.
struct Running {
    name: String,
    child: Child,
    lines: Receiver<String>,
    stderr: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(lang: Lang, program: Program, port: u16) -> Running {
        let name = format!("{lang:?} {program:?}");
        let mut child = command(lang, program, port)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start the {name}: {err}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr_pipe = child.stderr.take().expect("piped stderr");
        let (line_tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (err_tx, stderr) = mpsc::channel();
        thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(stderr_pipe).read_to_string(&mut text);
            let _ = err_tx.send(text);
        });
        Running {
            name,
            child,
            lines,
            stderr,
            seen: Vec::new(),
        }
    }

    /// The next stdout line; None once the program has closed its stdout (exited).
    fn next_line(&mut self, deadline: Instant) -> Option<String> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.lines.recv_timeout(left) {
            Ok(line) => {
                self.seen.push(line.clone());
                Some(line)
            }
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => self.fail("timed out waiting for output"),
        }
    }

    /// Reads lines until one satisfies `last` (inclusive).
    fn lines_until(&mut self, last: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.next_line(deadline) {
                Some(line) if last(&line) => return self.seen.clone(),
                Some(_) => {}
                None => self.fail("exited before printing the expected line"),
            }
        }
    }

    /// Waits for a program that ends by itself (the client) and returns everything it printed.
    fn finish(mut self) -> Vec<String> {
        let deadline = Instant::now() + TIMEOUT;
        while self.next_line(deadline).is_some() {}
        let status = self.child.wait().expect("wait for the client");
        if !status.success() {
            self.fail(&format!("exited with {status}"));
        }
        std::mem::take(&mut self.seen)
    }

    fn fail(&mut self, what: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let stderr = self
            .stderr
            .recv_timeout(Duration::from_secs(5))
            .unwrap_or_default();
        panic!(
            "the {}: {what}\nstdout so far: {:#?}\nstderr:\n{stderr}",
            self.name, self.seen
        );
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a server on a fresh port and waits until it says it is listening. The port is
/// bound and released first (node's server.js can only be told a number), so another program
/// may take it in between: a server that does not start is tried again on another port.
fn start_server(lang: Lang) -> (Running, u16) {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let port = free_port();
        let mut server = Running::start(lang, Program::Server, port);
        let first = server.next_line(Instant::now() + TIMEOUT);
        match first {
            Some(line) if line.starts_with("启动成功，地址 ") => return (server, port),
            other if attempts < 5 => {
                eprintln!("the {lang:?} server did not start on port {port} ({other:?}); again");
            }
            other => server.fail(&format!("did not start on port {port}: {other:?}")),
        }
    }
}

/// What one client/server pairing printed.
struct Transcript {
    server: Vec<String>,
    client: Vec<String>,
}

fn pairing(server_lang: Lang, client_lang: Lang) -> Transcript {
    let (mut server, port) = start_server(server_lang);
    let client = Running::start(client_lang, Program::Client, port).finish();
    // The server's last word on a clean disconnect is its 'end' line.
    let server_lines = server.lines_until(|line| line.ends_with(" 断开连接"));
    Transcript {
        server: server_lines,
        client,
    }
}

#[test]
fn the_four_pairings_print_identical_lines() {
    let mode = mode("pairings");
    let pairings: &[(Lang, Lang)] = match mode {
        Mode::Live => &[
            (Lang::Rust, Lang::Node),
            (Lang::Node, Lang::Rust),
            (Lang::Rust, Lang::Rust),
            (Lang::Node, Lang::Node),
        ],
        Mode::Transcripts => &[(Lang::Rust, Lang::Rust)],
    };
    let runs: Vec<_> = pairings
        .iter()
        .map(|&(server, client)| thread::spawn(move || pairing(server, client)))
        .collect();
    let mut transcripts = std::collections::HashMap::new();
    for (run, &key) in runs.into_iter().zip(pairings) {
        match run.join() {
            Ok(transcript) => {
                transcripts.insert(key, transcript);
            }
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    let t = |server, client| &transcripts[&(server, client)];
    let reference = match mode {
        Mode::Live => Lang::Node,
        Mode::Transcripts => Lang::Rust,
    };
    check_transcript("pairing_server", &t(reference, reference).server, mode);
    check_transcript("pairing_client", &t(reference, reference).client, mode);

    // Each side prints the same lines whichever language it is written in.
    for client in [Lang::Rust, Lang::Node] {
        if mode == Mode::Transcripts {
            break;
        }
        assert_eq!(
            t(Lang::Rust, client).server,
            t(Lang::Node, client).server,
            "Rust server vs Node server, both serving the {client:?} client"
        );
    }
    for server in [Lang::Rust, Lang::Node] {
        if mode == Mode::Transcripts {
            break;
        }
        assert_eq!(
            t(server, Lang::Rust).client,
            t(server, Lang::Node).client,
            "Rust client vs Node client, both against the {server:?} server"
        );
    }

    // And those are the tutorial's lines. The peer address depends on how this machine
    // resolves `localhost` and whether it has IPv6, so only its shape is checked.
    for transcript in transcripts.values() {
        assert_eq!(
            transcript.client,
            ["连接服务器成功", "服务端消息 我是客户端", "服务端连接断开"]
        );
        let server = &transcript.server;
        assert_eq!(server.len(), 4, "{server:?}");
        assert!(server[0].starts_with("启动成功，地址 "), "{server:?}");
        let peer = server[1]
            .strip_suffix(" 连接成功")
            .unwrap_or_else(|| panic!("{server:?}"));
        assert_eq!(server[2], format!("{peer}  >>  我是客户端"));
        assert_eq!(server[3], format!("{peer} 断开连接"));
    }
}

/// What `telnet localhost 10000` does: send a line, see it echoed, hang up.
fn telnet(lang: Lang) -> Vec<String> {
    let (mut server, port) = start_server(lang);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    stream.write_all(b"helloworld\r\n").expect("write");
    let mut echo = [0u8; 12];
    stream.read_exact(&mut echo).expect("the echo");
    assert_eq!(&echo, b"helloworld\r\n", "the {lang:?} server's echo");
    stream.shutdown(Shutdown::Write).expect("FIN");
    // Without allowHalfOpen the server ends its side after ours: EOF, nothing more.
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).expect("the server's FIN");
    assert!(rest.is_empty(), "{rest:?}");
    server.lines_until(|line| line.ends_with(" 断开连接"))
}

#[test]
fn telnet_gets_its_line_echoed_and_both_servers_log_it_alike() {
    let mode = mode("telnet");
    let rust = thread::spawn(|| telnet(Lang::Rust));
    let node = (mode == Mode::Live).then(|| telnet(Lang::Node));
    let rust = rust
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    match node {
        Some(node) => {
            check_transcript("telnet", &node, mode);
            assert_eq!(rust, node);
        }
        None => check_transcript("telnet", &rust, mode),
    }
    // `data.toString()` keeps telnet's CR LF, so the data line is followed by an empty one
    // (`lines()` has taken the CR LF off).
    assert_eq!(rust.len(), 5, "{rust:?}");
    assert!(rust[2].ends_with("  >>  helloworld"), "{rust:?}");
    assert_eq!(rust[3], "");
}

/// A client that resets the connection (SO_LINGER 0, then close): the server's 'error'
/// listener prints `read ECONNRESET`, and `client.address()` is already gone (`undefined`).
fn reset(lang: Lang) -> Vec<String> {
    let (mut server, port) = start_server(lang);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    stream.write_all(b"bye\n").expect("write");
    let mut echo = [0u8; 4];
    stream.read_exact(&mut echo).expect("the echo");
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .expect("SO_LINGER 0");
    drop(stream);
    server.lines_until(|line| line.contains(" error >> "))
}

#[test]
fn a_reset_connection_logs_the_same_error_line_on_both_servers() {
    let mode = mode("reset");
    let rust = thread::spawn(|| reset(Lang::Rust));
    let node = (mode == Mode::Live).then(|| reset(Lang::Node));
    let rust = rust
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    match node {
        Some(node) => {
            check_transcript("reset", &node, mode);
            assert_eq!(rust, node);
        }
        None => check_transcript("reset", &rust, mode),
    }
    assert_eq!(
        rust.last().map(String::as_str),
        Some("undefined  error >>  read ECONNRESET")
    );
}
