//! Issue 11: the bundled echo server, which has no `'error'` listener on its server, outlives
//! running out of descriptors, as a Node server does thanks to libuv's `uv__emfile_trick`.
//!
//! `examples/echo_server` runs in a child process under `ulimit -n 64`; this test, the
//! parent, connects 100 clients. The first ~55 are served (echoed); accepting the rest fails
//! with `EMFILE` and the server sheds them (closes them at once). While starved, the child's
//! CPU time is read from `/proc/PID/stat` over a second of new clients arriving every 50 ms,
//! each shed. Then the served clients hang up, which frees the server's descriptors, and a new
//! client must be echoed, quickly. Figures are printed to stderr.

#[path = "examples_support/mod.rs"]
mod examples_support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use examples_support::example;

const FD_LIMIT: u32 = 64;
const CLIENTS: usize = 100;
/// How long the starved server is watched, and how often a new client comes meanwhile.
const STARVED: Duration = Duration::from_secs(1);
const CONNECT_EVERY: Duration = Duration::from_millis(50);
/// A safety net for reads, never the synchronisation.
const DEADLINE: Duration = Duration::from_secs(20);

/// What a client saw: its echo, or the server closing it (shed).
#[derive(Debug, PartialEq)]
enum Answer {
    Echoed,
    Shed,
}

fn answer(stream: &mut TcpStream) -> Answer {
    stream.set_read_timeout(Some(DEADLINE)).expect("timeout");
    let mut echo = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match stream.read(&mut echo[got..]) {
            Ok(0) => return Answer::Shed,
            Ok(n) => got += n,
            Err(err) if err.kind() == ErrorKind::ConnectionReset => return Answer::Shed,
            Err(err) => panic!("neither an echo nor a close within {DEADLINE:?}: {err}"),
        }
    }
    assert_eq!(&echo, b"ping");
    Answer::Echoed
}

fn ping(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.write_all(b"ping").expect("write");
    stream
}

/// User + system CPU time of a process, in clock ticks (100 per second on Linux).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    let after_name = &stat[stat.rfind(')').expect("the command name") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn echo_server_without_an_error_listener_survives_emfile() {
    let exe = example("echo_server");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {FD_LIMIT} && exec \"$0\""))
        .arg(exe)
        .env("PORT", "0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the echo server");
    let guard = KillOnDrop(child.id());
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = Vec::new();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).expect("the child's stdout") == 1 && byte[0] != b'\n' {
        first.push(byte[0]);
    }
    let line = String::from_utf8(first).expect("text");
    let port: u16 = line
        .rsplit(':')
        .next()
        .and_then(|port| port.trim().parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));

    let mut clients: Vec<TcpStream> = (0..CLIENTS).map(|_| ping(port)).collect();
    let answers: Vec<Answer> = clients.iter_mut().map(answer).collect();
    let echoed = answers.iter().filter(|a| **a == Answer::Echoed).count();
    assert!(echoed > 0, "some clients are served");
    assert!(echoed < CLIENTS, "the limit was reached: {echoed} served");
    assert!(child.try_wait().expect("wait").is_none(), "the server died");

    // Starved: every new client is shed at once, and the server does not spin.
    let before = cpu_ticks(child.id());
    let started = Instant::now();
    let mut starved_clients = 0;
    while started.elapsed() < STARVED {
        let mut late = ping(port);
        assert_eq!(answer(&mut late), Answer::Shed, "starved, a client is shed");
        starved_clients += 1;
        std::thread::sleep(CONNECT_EVERY);
    }
    let ticks = cpu_ticks(child.id()) - before;
    let cpu_percent = ticks as f64 * 10.0 / started.elapsed().as_millis() as f64 * 100.0;
    assert!(cpu_percent < 5.0, "{cpu_percent:.1} % CPU while starved");
    assert!(child.try_wait().expect("wait").is_none(), "the server died");

    // Descriptors freed: the served clients hang up; a new client is echoed.
    let freed = Instant::now();
    drop(clients);
    let mut recovered = None;
    while freed.elapsed() < Duration::from_millis(1500) {
        let mut client = ping(port);
        if answer(&mut client) == Answer::Echoed {
            recovered = Some(freed.elapsed());
            break;
        }
    }
    let recovered = recovered.expect("a client echoed within 1.5 s of descriptors being freed");
    assert!(child.try_wait().expect("wait").is_none(), "the server died");
    eprintln!(
        "emfile, echo server with no 'error' listener, ulimit -n {FD_LIMIT}: {echoed} of \
         {CLIENTS} clients served, {} shed; {starved_clients} clients shed while starved at \
         {cpu_percent:.1} % CPU; echoing again {} ms after descriptors were freed",
        CLIENTS - echoed,
        recovered.as_millis()
    );
    drop(guard);
    let _ = child.wait();
}

/// Kills the child if the test fails halfway.
struct KillOnDrop(u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-9", &self.0.to_string()])
            .status();
    }
}
