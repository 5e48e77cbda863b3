//! `cargo bench --bench echo`: nodenet's echo server against a raw-mio echo server, side by side
//! in one process and one run.
//!
//! Both servers run on their own thread for the whole run; a small mio client on the main thread
//! drives one case against one server at a time. For each round, each case runs against both
//! servers (the order alternates every round, so drift on a shared machine hits both alike), and
//! the summary gives the medians and the median of the per-round ratios ours / raw mio.
//!
//! The raw-mio server is the same algorithm as the shared harness's `mio-echo` peer: one shared
//! 64 KiB read buffer, write each chunk straight back, copy only what the kernel refused, a short
//! read counts as drained, nothing done on a writable event with nothing pending. It is the
//! ceiling a mio-based library can reach.
//!
//! Cases: ping-pong over 1 and 100 connections with 64 B and 4 KiB messages, one connection
//! streaming 64 KiB writes (at most 1 MiB in flight), and connect / 32 B echo / close churn.
//! Every echoed byte is checked. Besides throughput, the server thread's CPU time per unit of
//! work is printed (from `/proc`, Linux only; 10 ms tick resolution).
//!
//! Knobs (environment): `ECHO_BENCH_MS` (measured milliseconds per run, default 1200),
//! `ECHO_BENCH_ROUNDS` (default 5), `ECHO_BENCH_CASES` (a subset, e.g. `"pp100_64 stream_64k"`).
//! The defaults take about 1.5 minutes.

use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use slab::Slab;

fn main() {
    let millis = env_number("ECHO_BENCH_MS", 1200);
    let rounds = env_number("ECHO_BENCH_ROUNDS", 5).max(1);
    let only = std::env::var("ECHO_BENCH_CASES").ok();
    let cases: Vec<Case> = CASES
        .iter()
        .copied()
        .filter(|case| {
            only.as_deref()
                .is_none_or(|only| only.split_whitespace().any(|name| name == case.name))
        })
        .collect();
    let duration = Duration::from_millis(millis);

    let ours = spawn_server(serve_nodenet);
    let raw = spawn_server(serve_raw_mio);
    let servers = [("nodenet", ours), ("raw-mio", raw)];
    println!(
        "echo bench: {} case(s), {rounds} round(s), {millis} ms per run (+{} ms warm-up)",
        cases.len(),
        WARMUP.as_millis()
    );

    // results[case][server] = per-round (throughput, cpu per unit)
    let mut results = vec![[Vec::new(), Vec::new()]; cases.len()];
    for round in 0..rounds {
        for (c, case) in cases.iter().enumerate() {
            let order: [usize; 2] = if (round as usize + c) % 2 == 0 {
                [0, 1]
            } else {
                [1, 0]
            };
            for s in order {
                let (name, server) = &servers[s];
                let _ = case.run(server.port, WARMUP);
                let cpu_before = server.cpu_time();
                let measured = case.run(server.port, duration);
                let cpu = server.cpu_time().saturating_sub(cpu_before);
                let units = measured.units;
                let throughput = units / measured.elapsed.as_secs_f64();
                let cpu_per_unit = cpu.as_secs_f64() * 1e6 / units.max(f64::MIN_POSITIVE);
                println!(
                    "round {} {:<11} {:<8} {:>12} {:<6} server CPU {:>8.2} µs/{}",
                    round + 1,
                    case.name,
                    name,
                    format_number(throughput),
                    case.unit,
                    cpu_per_unit,
                    case.per
                );
                results[c][s].push((throughput, cpu_per_unit));
            }
        }
    }

    println!();
    println!(
        "{:<11} {:>12} {:>12} {:>7} {:>8} {:>8} {:>7}  (medians; ratio = median of per-round ours/raw)",
        "case", "nodenet", "raw-mio", "ratio", "CPU ours", "CPU raw", "ratio"
    );
    for (c, case) in cases.iter().enumerate() {
        let [ours, raw] = &results[c];
        let throughput_ratio = median(ours.iter().zip(raw).map(|(o, r)| o.0 / r.0).collect());
        let cpu_ratio = median(ours.iter().zip(raw).map(|(o, r)| o.1 / r.1).collect());
        println!(
            "{:<11} {:>12} {:>12} {:>6.2}× {:>8.2} {:>8.2} {:>6.2}×  ({}, CPU µs/{})",
            case.name,
            format_number(median(ours.iter().map(|r| r.0).collect())),
            format_number(median(raw.iter().map(|r| r.0).collect())),
            throughput_ratio,
            median(ours.iter().map(|r| r.1).collect()),
            median(raw.iter().map(|r| r.1).collect()),
            cpu_ratio,
            case.unit,
            case.per,
        );
    }
}

const WARMUP: Duration = Duration::from_millis(200);

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn format_number(value: f64) -> String {
    if value >= 1e6 {
        format!("{:.2}M", value / 1e6)
    } else if value >= 1e4 {
        format!("{:.1}k", value / 1e3)
    } else {
        format!("{value:.0}")
    }
}

// ---------------------------------------------------------------------------------------------
// The servers

struct RunningServer {
    port: u16,
    /// The server thread's id, for its CPU time in `/proc/self/task/<tid>/stat`.
    tid: Option<u32>,
}

impl RunningServer {
    /// User + system CPU time of the server thread; zero where `/proc` is unavailable.
    fn cpu_time(&self) -> Duration {
        let Some(tid) = self.tid else {
            return Duration::ZERO;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")) else {
            return Duration::ZERO;
        };
        // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
        let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
            return Duration::ZERO;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
            .sum();
        // USER_HZ is 100 on every Linux configuration Rust supports.
        Duration::from_millis(ticks * 10)
    }
}

/// Starts `serve` on its own thread; it reports the port it listens on, then serves forever
/// (the thread ends with the process).
fn spawn_server(serve: fn(mpsc::Sender<u16>)) -> RunningServer {
    let (port_tx, port_rx) = mpsc::channel();
    let (tid_tx, tid_rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tid_tx.send(current_tid());
        serve(port_tx);
    });
    let port = port_rx.recv().expect("a server failed to start");
    let tid = tid_rx.recv().ok().flatten();
    RunningServer { port, tid }
}

/// This thread's kernel id, read from `/proc/thread-self` (a link to `<pid>/task/<tid>`).
fn current_tid() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// The library's echo: exactly `examples/echo_server.rs`.
fn serve_nodenet(port: mpsc::Sender<u16>) {
    use nodenet::prelude::*;
    let server = net::create_server(|client| {
        client.on(Data, move |data| client.write(data));
        client.on(Error, |_| {});
    });
    server.listen((0, "127.0.0.1"), ()).expect("nodenet listen");
    let _ = port.send(server.address().expect("nodenet bound").port);
    nodenet::run().expect("nodenet loop");
}

const LISTENER: Token = Token(usize::MAX);
const READ_BUF: usize = 64 * 1024;

struct RawConn {
    sock: TcpStream,
    pending: Vec<u8>,
    pos: usize,
}

/// The shared harness's raw-mio echo peer, the same algorithm, listening on a free port.
fn serve_raw_mio(port: mpsc::Sender<u16>) {
    let mut poll = Poll::new().expect("poll");
    let mut events = Events::with_capacity(1024);
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let mut listener = TcpListener::bind(addr).expect("bind");
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .expect("register listener");
    let _ = port.send(listener.local_addr().expect("bound").port());
    let mut buf = vec![0u8; READ_BUF];
    let mut conns: Slab<RawConn> = Slab::with_capacity(1024);
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() == ErrorKind::Interrupted {
                continue;
            }
            panic!("poll: {e}");
        }
        for ev in events.iter() {
            if ev.token() == LISTENER {
                raw_accept_all(&poll, &mut listener, &mut conns);
                continue;
            }
            let key = ev.token().0;
            let closed = ev.is_read_closed() || ev.is_error();
            let readable = ev.is_readable() || closed;
            let writable = ev.is_writable();
            let keep = match conns.get_mut(key) {
                Some(c) => raw_on_ready(c, &mut buf, readable, writable, closed),
                None => continue,
            };
            if !keep {
                let mut c = conns.remove(key);
                let _ = poll.registry().deregister(&mut c.sock);
            }
        }
    }
}

fn raw_accept_all(poll: &Poll, listener: &mut TcpListener, conns: &mut Slab<RawConn>) {
    loop {
        match listener.accept() {
            Ok((mut sock, _peer)) => {
                let entry = conns.vacant_entry();
                let token = Token(entry.key());
                if poll
                    .registry()
                    .register(&mut sock, token, Interest::READABLE | Interest::WRITABLE)
                    .is_err()
                {
                    continue;
                }
                entry.insert(RawConn {
                    sock,
                    pending: Vec::new(),
                    pos: 0,
                });
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return,
        }
    }
}

/// Flushes pending bytes; Ok(true) when nothing is left.
fn raw_flush(c: &mut RawConn) -> std::io::Result<bool> {
    while c.pos < c.pending.len() {
        match c.sock.write(&c.pending[c.pos..]) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => c.pos += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(false),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    c.pos = 0;
    c.pending.clear();
    Ok(true)
}

/// Handles one readiness event; false when the connection is to be closed.
fn raw_on_ready(
    c: &mut RawConn,
    buf: &mut [u8],
    readable: bool,
    writable: bool,
    closed: bool,
) -> bool {
    if !c.pending.is_empty() {
        if !writable {
            return true;
        }
        match raw_flush(c) {
            Ok(true) => {}
            Ok(false) => return true,
            Err(_) => return false,
        }
    } else if !readable {
        return true;
    }
    loop {
        let n = match c.sock.read(buf) {
            Ok(0) => return false,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        let mut off = 0;
        while off < n {
            match c.sock.write(&buf[off..n]) {
                Ok(0) => return false,
                Ok(k) => off += k,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    c.pending.extend_from_slice(&buf[off..n]);
                    return true;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return false,
            }
        }
        if n < buf.len() && !closed {
            return true;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The client driver

#[derive(Clone, Copy)]
enum Kind {
    PingPong { conns: usize, size: usize },
    Stream { chunk: usize },
    Churn,
}

#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    kind: Kind,
    unit: &'static str,
    per: &'static str,
}

const CASES: [Case; 5] = [
    Case {
        name: "pp1_64",
        kind: Kind::PingPong { conns: 1, size: 64 },
        unit: "rt/s",
        per: "rt",
    },
    Case {
        name: "pp100_64",
        kind: Kind::PingPong {
            conns: 100,
            size: 64,
        },
        unit: "rt/s",
        per: "rt",
    },
    Case {
        name: "pp100_4k",
        kind: Kind::PingPong {
            conns: 100,
            size: 4096,
        },
        unit: "rt/s",
        per: "rt",
    },
    Case {
        name: "stream_64k",
        kind: Kind::Stream { chunk: 64 * 1024 },
        unit: "MB/s",
        per: "MB",
    },
    Case {
        name: "churn1",
        kind: Kind::Churn,
        unit: "conn/s",
        per: "conn",
    },
];

struct Measured {
    /// Round trips, MB (10^6 bytes) echoed, or connections.
    units: f64,
    elapsed: Duration,
}

impl Case {
    fn run(&self, port: u16, duration: Duration) -> Measured {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let start = Instant::now();
        let units = match self.kind {
            Kind::PingPong { conns, size } => ping_pong(addr, conns, size, duration),
            Kind::Stream { chunk } => stream(addr, chunk, duration),
            Kind::Churn => churn(addr, duration),
        };
        Measured {
            units,
            elapsed: start.elapsed(),
        }
    }
}

/// The byte at `offset` of every stream this client sends: a period (251) that no power-of-two
/// chunk size divides, so a dropped or repeated chunk is caught.
fn pattern(offset: usize) -> u8 {
    (offset % 251) as u8
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    stream.set_nonblocking(true).expect("nonblocking");
    TcpStream::from_std(stream)
}

struct PingConn {
    sock: TcpStream,
    written: usize,
    received: usize,
}

/// Each connection sends `size` bytes, waits for all of them back, checks them, repeats.
fn ping_pong(addr: SocketAddr, conns: usize, size: usize, duration: Duration) -> f64 {
    let mut poll = Poll::new().expect("poll");
    let mut events = Events::with_capacity(1024);
    let message: Vec<u8> = (0..size).map(pattern).collect();
    let mut buf = vec![0u8; size];
    let mut all: Vec<PingConn> = (0..conns)
        .map(|i| {
            let mut sock = connect(addr);
            poll.registry()
                .register(&mut sock, Token(i), Interest::READABLE | Interest::WRITABLE)
                .expect("register");
            PingConn {
                sock,
                written: 0,
                received: 0,
            }
        })
        .collect();
    let deadline = Instant::now() + duration;
    let mut round_trips = 0u64;
    for conn in all.iter_mut() {
        send_rest(conn, &message);
    }
    while Instant::now() < deadline {
        poll.poll(&mut events, Some(Duration::from_millis(100)))
            .expect("poll");
        for event in events.iter() {
            let conn = &mut all[event.token().0];
            if event.is_writable() {
                send_rest(conn, &message);
            }
            loop {
                match conn.sock.read(&mut buf[..size - conn.received]) {
                    Ok(0) => panic!("server closed a ping-pong connection"),
                    Ok(n) => {
                        let expected = &message[conn.received..conn.received + n];
                        assert_eq!(&buf[..n], expected, "echo mismatch");
                        conn.received += n;
                        if conn.received == size {
                            round_trips += 1;
                            conn.received = 0;
                            conn.written = 0;
                            send_rest(conn, &message);
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => panic!("ping-pong read: {e}"),
                }
            }
        }
    }
    round_trips as f64
}

fn send_rest(conn: &mut PingConn, message: &[u8]) {
    while conn.written < message.len() {
        match conn.sock.write(&message[conn.written..]) {
            Ok(n) => conn.written += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("ping-pong write: {e}"),
        }
    }
}

/// One connection writes `chunk`-byte writes while reading the echo back, with at most 1 MiB
/// in flight; at the end it half-closes and reads the rest of the echo, then EOF.
fn stream(addr: SocketAddr, chunk: usize, duration: Duration) -> f64 {
    const WINDOW: usize = 1 << 20;
    let mut poll = Poll::new().expect("poll");
    let mut events = Events::with_capacity(64);
    let mut sock = connect(addr);
    poll.registry()
        .register(&mut sock, Token(0), Interest::READABLE | Interest::WRITABLE)
        .expect("register");
    let mut buf = vec![0u8; 64 * 1024];
    // A run of the pattern long enough to slice any write or read from any offset.
    let source: Vec<u8> = (0..chunk.max(buf.len()) + 251).map(pattern).collect();
    let (mut sent, mut received) = (0usize, 0usize);
    let deadline = Instant::now() + duration;
    let mut half_closed = false;
    loop {
        let now = Instant::now();
        if now >= deadline && !half_closed {
            sock.shutdown(std::net::Shutdown::Write).expect("shutdown");
            half_closed = true;
        }
        while !half_closed && sent - received < WINDOW {
            let start = sent % 251;
            let want = chunk.min(WINDOW - (sent - received));
            match sock.write(&source[start..start + want]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => panic!("stream write: {e}"),
            }
        }
        loop {
            match sock.read(&mut buf) {
                Ok(0) => {
                    assert!(half_closed, "server closed the stream early");
                    assert_eq!(received, sent, "stream echo incomplete");
                    return received as f64 / 1e6;
                }
                Ok(n) => {
                    let start = received % 251;
                    assert_eq!(&buf[..n], &source[start..start + n], "echo mismatch");
                    received += n;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => panic!("stream read: {e}"),
            }
        }
        if sent - received >= WINDOW || half_closed {
            poll.poll(&mut events, Some(Duration::from_millis(100)))
                .expect("poll");
        } else {
            poll.poll(&mut events, Some(Duration::ZERO)).expect("poll");
        }
    }
}

/// Connect, send 32 bytes, read the echo, close; one connection at a time.
fn churn(addr: SocketAddr, duration: Duration) -> f64 {
    let message: Vec<u8> = (0..32).map(pattern).collect();
    let mut buf = [0u8; 32];
    let deadline = Instant::now() + duration;
    let mut connections = 0u64;
    while Instant::now() < deadline {
        let mut sock = std::net::TcpStream::connect(addr).expect("churn connect");
        sock.set_nodelay(true).expect("nodelay");
        sock.write_all(&message).expect("churn write");
        sock.read_exact(&mut buf).expect("churn read");
        assert_eq!(buf[..], message[..], "echo mismatch");
        connections += 1;
    }
    connections as f64
}
