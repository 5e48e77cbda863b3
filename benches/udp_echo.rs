//! `cargo bench --bench udp_echo`: nodenet's UDP echo against Node's `dgram` echo, side by side
//! in one run, in datagrams echoed per second, with 64 B and 1 KiB datagrams.
//!
//! The two servers are the same program: Node's
//! `s.on('message', (msg, rinfo) => s.send(msg, rinfo.port, rinfo.address))`
//! (`benches/node/udp_echo_server.js`), and nodenet's
//! `s.on(Message, move |msg, rinfo| s.send(msg, rinfo))`, which runs on its own thread of this
//! process. A small mio client on the main thread drives one case against one server at a
//! time: `ECHO_BENCH_CLIENTS` sockets (default 32), each with one datagram in flight, sending
//! the next as soon as its echo is back; every echo is checked (length and sequence number).
//! UDP may drop a datagram under load: a socket whose echo has not come back after 100 ms sends
//! again, and the drops are counted and printed. Each round runs each case against both
//! servers, in an order that alternates every round; the summary gives the medians and the
//! median of the per-round ratios nodenet / node. Besides throughput, the server's CPU time per
//! datagram is printed (nodenet: its thread; node: the whole process, from `/proc`, 10 ms
//! ticks).
//!
//! Knobs (environment): `ECHO_BENCH_MS` (measured milliseconds per run, default 1500),
//! `ECHO_BENCH_ROUNDS` (default 5), `ECHO_BENCH_CLIENTS` (default 32). Without `node` on
//! `PATH` only nodenet runs. The defaults take about 40 seconds.

use std::io::{BufRead, BufReader, ErrorKind};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token};

const WARMUP: Duration = Duration::from_millis(300);
/// How long a socket waits for its echo before it takes the datagram as dropped.
const RESEND_AFTER: Duration = Duration::from_millis(100);
const SIZES: [usize; 2] = [64, 1024];

fn main() {
    let millis = env_number("ECHO_BENCH_MS", 1500);
    let rounds = env_number("ECHO_BENCH_ROUNDS", 5).max(1);
    let clients = env_number("ECHO_BENCH_CLIENTS", 32).max(1) as usize;
    let duration = Duration::from_millis(millis);

    let mut servers = vec![spawn_nodenet()];
    let mut node_child = None;
    match spawn_node() {
        Some((server, child)) => {
            servers.push(server);
            node_child = Some(child);
        }
        None => println!("node is not on PATH: measuring nodenet alone"),
    }
    println!(
        "udp echo bench: sizes {SIZES:?} B, {clients} client sockets with one datagram in flight \
         each, {rounds} round(s), {millis} ms per run (+{} ms warm-up)",
        WARMUP.as_millis()
    );

    // results[size][server] = per-round (datagrams per second, server CPU µs per datagram)
    let mut results = vec![vec![Vec::new(); servers.len()]; SIZES.len()];
    for round in 0..rounds {
        for (s, size) in SIZES.iter().enumerate() {
            let mut order: Vec<usize> = (0..servers.len()).collect();
            if (round as usize + s) % 2 == 1 {
                order.reverse();
            }
            for i in order {
                let server = &servers[i];
                let _ = drive(server.address, *size, clients, WARMUP);
                let cpu_before = server.cpu_time();
                let run = drive(server.address, *size, clients, duration);
                let cpu = server.cpu_time().saturating_sub(cpu_before);
                let rate = run.echoes as f64 / run.elapsed.as_secs_f64();
                let cpu_per = cpu.as_secs_f64() * 1e6 / (run.echoes.max(1) as f64);
                println!(
                    "round {} {:>5} B {:<8} {:>10} datagrams/s  server CPU {:>6.2} µs/datagram  ({} resent)",
                    round + 1,
                    size,
                    server.name,
                    format_number(rate),
                    cpu_per,
                    run.resent
                );
                results[s][i].push((rate, cpu_per));
            }
        }
    }

    println!();
    println!(
        "{:>7} {:>12} {:>12} {:>7} {:>9} {:>9}  (medians; ratio = median of per-round nodenet/node)",
        "size", "nodenet", "node", "ratio", "CPU ours", "CPU node"
    );
    for (s, size) in SIZES.iter().enumerate() {
        let ours = &results[s][0];
        let node = results[s].get(1);
        let column = |runs: Option<&Vec<(f64, f64)>>, field: fn(&(f64, f64)) -> f64| {
            runs.map_or(f64::NAN, |runs| median(runs.iter().map(field).collect()))
        };
        let ratio = node.map_or(f64::NAN, |node| {
            median(ours.iter().zip(node).map(|(o, n)| o.0 / n.0).collect())
        });
        println!(
            "{:>5} B {:>12} {:>12} {:>6.2}× {:>9.2} {:>9.2}  (datagrams/s, CPU µs/datagram)",
            size,
            format_number(column(Some(ours), |r| r.0)),
            format_number(column(node, |r| r.0)),
            ratio,
            column(Some(ours), |r| r.1),
            column(node, |r| r.1),
        );
    }
    if let Some(mut child) = node_child {
        let _ = child.kill();
        let _ = child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// The servers

struct Server {
    name: &'static str,
    address: SocketAddr,
    /// Where its CPU time is read: a thread of this process, or the node process.
    stat: Option<String>,
}

impl Server {
    /// User + system CPU time; zero where `/proc` is unavailable.
    fn cpu_time(&self) -> Duration {
        let Some(path) = &self.stat else {
            return Duration::ZERO;
        };
        let Ok(stat) = std::fs::read_to_string(path) else {
            return Duration::ZERO;
        };
        let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
            return Duration::ZERO;
        };
        // Fields after the parenthesised name: utime is field 14, stime 15.
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
            .sum();
        // USER_HZ is 100 on every Linux configuration Rust supports.
        Duration::from_millis(ticks * 10)
    }
}

/// nodenet's echo, on its own thread for the whole run.
fn spawn_nodenet() -> Server {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        use nodenet::prelude::*;
        let tid = std::fs::read_link("/proc/thread-self")
            .ok()
            .and_then(|link| link.file_name()?.to_str()?.parse::<u32>().ok());
        let socket = dgram::create_socket("udp4").expect("a udp4 socket");
        socket.on(Message, move |msg, rinfo| {
            let _ = socket.send(msg, rinfo);
        });
        socket.bind((0, "127.0.0.1"), ()).expect("bind");
        let _ = socket.set_recv_buffer_size(1 << 20);
        let address = SocketAddr::from(([127, 0, 0, 1], socket.address().expect("bound").port));
        let _ = tx.send((address, tid));
        nodenet::run().expect("the nodenet loop");
    });
    let (address, tid) = rx.recv().expect("the nodenet server started");
    Server {
        name: "nodenet",
        address,
        stat: tid.map(|tid| format!("/proc/self/task/{tid}/stat")),
    }
}

/// Node's echo (`benches/node/udp_echo_server.js`), which prints its port once bound.
fn spawn_node() -> Option<(Server, Child)> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/node/udp_echo_server.js"
    );
    let mut child = Command::new("node")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .ok()?;
    let stdout = child.stdout.take()?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).ok()?;
    let port: u16 = line.trim().parse().ok()?;
    let pid = child.id();
    Some((
        Server {
            name: "node",
            address: SocketAddr::from(([127, 0, 0, 1], port)),
            stat: Some(format!("/proc/{pid}/stat")),
        },
        child,
    ))
}

// ---------------------------------------------------------------------------------------------
// The client

struct Run {
    echoes: u64,
    resent: u64,
    elapsed: Duration,
}

struct Client {
    socket: UdpSocket,
    sequence: u64,
    sent_at: Instant,
}

/// `clients` sockets in lock step against `server` for `duration`; every echo is checked.
fn drive(server: SocketAddr, size: usize, clients: usize, duration: Duration) -> Run {
    let mut poll = Poll::new().expect("poll");
    let mut events = Events::with_capacity(1024);
    let mut payload = vec![0xa5u8; size];
    let mut buf = vec![0u8; 65536];
    let mut sockets: Vec<Client> = (0..clients)
        .map(|i| {
            let mut socket =
                UdpSocket::bind("127.0.0.1:0".parse().expect("address")).expect("bind");
            socket.connect(server).expect("connect");
            poll.registry()
                .register(&mut socket, Token(i), Interest::READABLE)
                .expect("register");
            Client {
                socket,
                sequence: 0,
                sent_at: Instant::now(),
            }
        })
        .collect();
    let send = |client: &mut Client, payload: &mut [u8]| {
        payload[..8].copy_from_slice(&client.sequence.to_le_bytes());
        client.sent_at = Instant::now();
        // A full socket buffer drops it here; the resend below sends it again.
        let _ = client.socket.send(payload);
    };
    for client in sockets.iter_mut() {
        send(client, &mut payload);
    }
    let started = Instant::now();
    let mut echoes = 0u64;
    let mut resent = 0u64;
    while started.elapsed() < duration {
        poll.poll(&mut events, Some(Duration::from_millis(10)))
            .expect("poll");
        for event in events.iter() {
            let client = &mut sockets[event.token().0];
            loop {
                match client.socket.recv(&mut buf) {
                    Ok(n) => {
                        assert_eq!(n, size, "an echo of the whole datagram");
                        let sequence = u64::from_le_bytes(buf[..8].try_into().expect("8 bytes"));
                        if sequence != client.sequence {
                            // A late echo of a datagram that was sent again.
                            continue;
                        }
                        assert!(buf[8..n].iter().all(|b| *b == 0xa5), "the bytes echoed");
                        echoes += 1;
                        client.sequence += 1;
                        send(client, &mut payload);
                    }
                    Err(err) if err.kind() == ErrorKind::WouldBlock => break,
                    Err(err) if err.kind() == ErrorKind::ConnectionRefused => break,
                    Err(err) => panic!("recv: {err}"),
                }
            }
        }
        let now = Instant::now();
        for client in sockets.iter_mut() {
            if now.duration_since(client.sent_at) > RESEND_AFTER {
                resent += 1;
                send(client, &mut payload);
            }
        }
    }
    Run {
        echoes,
        resent,
        elapsed: started.elapsed(),
    }
}

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
    if value.is_nan() {
        "-".to_string()
    } else if value >= 1e6 {
        format!("{:.2}M", value / 1e6)
    } else if value >= 1e4 {
        format!("{:.1}k", value / 1e3)
    } else {
        format!("{value:.0}")
    }
}
