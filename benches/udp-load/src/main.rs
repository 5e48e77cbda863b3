//! UDP load generator for benches/udp.sh: one mio thread, every echoed datagram checked, one
//! JSON line per run.
//!
//! ```text
//! udp-load echo|waitport [--addr HOST:PORT | --port N] [--conns C] [--window W] [--size S]
//!          [--secs T] [--warmup W] [--drain D] [--timeout S] [--server-pid PID] [--spin]
//!          [--tag key=value]...
//! ```
//!
//! - `echo`: `--conns` client sockets (default 16), each bound to its own loopback port and
//!   connected to the server, keep `--window` datagrams (default 1: ping-pong) of `--size`
//!   bytes (default 64, at least 16) in flight. A datagram carries its socket's index and a
//!   sequence number, then bytes derived from both; the echo must come back on the same socket
//!   with the same length and bytes. A datagram not echoed within `--timeout` seconds (default
//!   0.2) counts as `lost` and a new one is sent in its place (UDP may drop: the run never
//!   waits for it); an echo that comes after that counts as `late`. Reports `dgrams_per_s`
//!   (echoed datagrams per second), `mb_per_s` (echoed payload, 10^6 bytes per second),
//!   latency, `lost`, `loss_pct`, and with `--server-pid` the server's CPU over the measured
//!   window from /proc/PID/stat (`server_cpu_us_per_op`: per echoed datagram).
//!   Errors (exit 1): `mismatches` (wrong length, bytes or socket), `refused` (ICMP port
//!   unreachable: nothing listened), `send_errors`. `lost` and `late` are not errors.
//! - `waitport`: sends a probe datagram every 100 ms until it is echoed (exit 0) or
//!   `--timeout` seconds pass (default 15; exit 1).
//!
//! Timed runs: `--warmup` unmeasured seconds (default 1), `--secs` measured (default 5), then
//! at most `--drain` seconds (default 1) waiting for what is in flight. `--spin` polls with a
//! zero timeout. Only loopback addresses are accepted. A watchdog prints an error line and
//! exits 3 if the run overstays (warmup + secs + drain + 30 s).
use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token};
use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

struct Args {
    mode: String,
    addr: SocketAddr,
    conns: usize,
    window: usize,
    size: usize,
    secs: f64,
    warmup: f64,
    drain: f64,
    timeout: Option<f64>,
    server_pid: Option<u32>,
    spin: bool,
    tags: Vec<(String, String)>,
}

fn usage(msg: &str) -> ! {
    eprintln!("udp-load: {msg}");
    eprintln!(
        "usage: udp-load echo|waitport [--addr HOST:PORT | --port N] [--conns C] [--window W] \
         [--size S] [--secs T] [--warmup W] [--drain D] [--timeout S] [--server-pid PID] \
         [--spin] [--tag k=v]..."
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let mode = it.next().unwrap_or_else(|| usage("no mode"));
    let mut a = Args {
        mode,
        addr: "127.0.0.1:9000".parse().unwrap(),
        conns: 16,
        window: 1,
        size: 64,
        secs: 5.0,
        warmup: 1.0,
        drain: 1.0,
        timeout: None,
        server_pid: None,
        spin: false,
        tags: Vec::new(),
    };
    while let Some(k) = it.next() {
        let mut v = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{k} needs a value")))
        };
        let num = |s: String| -> f64 {
            s.parse()
                .unwrap_or_else(|_| usage(&format!("bad number {s}")))
        };
        match k.as_str() {
            "--addr" => {
                let s = v();
                a.addr = s
                    .to_socket_addrs()
                    .ok()
                    .and_then(|mut i| i.next())
                    .unwrap_or_else(|| usage(&format!("bad address {s}")))
            }
            "--port" => a.addr.set_port(num(v()) as u16),
            "--conns" => a.conns = num(v()) as usize,
            "--window" => a.window = num(v()) as usize,
            "--size" => a.size = num(v()) as usize,
            "--secs" => a.secs = num(v()),
            "--warmup" => a.warmup = num(v()),
            "--drain" => a.drain = num(v()),
            "--timeout" => a.timeout = Some(num(v())),
            "--server-pid" => a.server_pid = Some(num(v()) as u32),
            "--tag" => {
                let s = v();
                let (k, val) = s
                    .split_once('=')
                    .unwrap_or_else(|| usage("--tag needs k=v"));
                a.tags.push((k.to_string(), val.to_string()));
            }
            "--spin" => a.spin = true,
            _ => usage(&format!("unknown option {k}")),
        }
    }
    if !a.addr.ip().is_loopback() {
        usage("only loopback addresses are accepted");
    }
    if a.size < 16 || a.size > 65507 {
        usage("--size must be 16..=65507");
    }
    if a.conns == 0 || a.window == 0 {
        usage("--conns and --window must be at least 1");
    }
    a
}

// ---- measurement (as in tls-load) ------------------------------------------------------------

const TICK_US: f64 = 10_000.0; // USER_HZ = 100 on Linux

fn proc_ticks(path: &str) -> Option<u64> {
    let s = std::fs::read_to_string(path).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn steal_ticks() -> Option<Vec<u64>> {
    let s = std::fs::read_to_string("/proc/stat").ok()?;
    let mut v = Vec::new();
    for l in s.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() > 8 && f[0].starts_with("cpu") && f[0].len() > 3 {
            v.push(f[8].parse().ok()?);
        }
    }
    Some(v)
}

struct Snap {
    t: Instant,
    server: Option<u64>,
    me: Option<u64>,
    steal: Option<Vec<u64>>,
    busy: Duration,
}

fn snap(pid: Option<u32>, busy: Duration) -> Snap {
    Snap {
        t: Instant::now(),
        server: pid.and_then(|p| proc_ticks(&format!("/proc/{p}/stat"))),
        me: proc_ticks("/proc/self/stat"),
        steal: steal_ticks(),
        busy,
    }
}

struct Out(Vec<(String, String)>);

impl Out {
    fn new(a: &Args, case: &str) -> Out {
        let mut o = Out(Vec::new());
        for (k, v) in &a.tags {
            o.s(k, v);
        }
        o.s("scenario", case);
        o
    }
    fn s(&mut self, k: &str, v: &str) {
        let v = v.replace('\\', "\\\\").replace('"', "\\\"");
        self.0.push((k.into(), format!("\"{v}\"")));
    }
    fn n(&mut self, k: &str, v: f64) {
        let t = if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else if v.is_finite() {
            format!("{v:.3}")
        } else {
            "null".into()
        };
        self.0.push((k.into(), t));
    }
    fn window(&mut self, a: &Snap, b: &Snap, ops: f64) {
        let secs = (b.t - a.t).as_secs_f64();
        self.n("window_s", secs);
        if let (Some(x), Some(y)) = (a.me, b.me) {
            self.n("client_cpu_pct", (y - x) as f64 * TICK_US / 1e4 / secs);
        }
        self.n(
            "client_busy_pct",
            (b.busy - a.busy).as_secs_f64() * 100.0 / secs,
        );
        if let (Some(x), Some(y)) = (a.server, b.server) {
            let us = (y - x) as f64 * TICK_US;
            self.n("server_cpu_pct", us / 1e4 / secs);
            if ops > 0.0 {
                self.n("server_cpu_us_per_op", us / ops);
            }
        }
        if let (Some(x), Some(y)) = (&a.steal, &b.steal) {
            let per: Vec<String> = x
                .iter()
                .zip(y)
                .map(|(p, q)| format!("{:.1}", (q - p) as f64 * TICK_US / 1e4 / secs))
                .collect();
            self.0
                .push(("steal_pct".into(), format!("[{}]", per.join(","))));
        }
    }
    fn print(&self) {
        let f: Vec<String> = self.0.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        println!("{{{}}}", f.join(","));
    }
}

fn pct(v: &mut [u32], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    *v.select_nth_unstable(i).1 as f64
}

// ---- datagrams -------------------------------------------------------------------------------

/// Socket index, sequence number, then bytes derived from both.
fn fill(idx: usize, seq: u64, out: &mut [u8]) {
    out[..4].copy_from_slice(&(idx as u32).to_le_bytes());
    out[4..12].copy_from_slice(&seq.to_le_bytes());
    let mut x = (idx as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ seq.wrapping_mul(0xD1B5_4A32_D192_ED03)
        | 1;
    for b in out[12..].iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
}

struct Sock {
    sock: UdpSocket,
    inflight: VecDeque<(u64, Instant)>,
    next_seq: u64,
    to_send: usize,
}

fn echo(a: &Args) -> u64 {
    let mut poll = Poll::new().expect("poll");
    let mut events = Events::with_capacity(1024);
    let timeout = Duration::from_secs_f64(a.timeout.unwrap_or(0.2));
    let local: SocketAddr = if a.addr.is_ipv4() {
        "127.0.0.1:0".parse().unwrap()
    } else {
        "[::1]:0".parse().unwrap()
    };
    let mut socks: Vec<Sock> = Vec::with_capacity(a.conns);
    for i in 0..a.conns {
        let mut sock = UdpSocket::bind(local).expect("bind");
        sock.connect(a.addr).expect("connect");
        poll.registry()
            .register(&mut sock, Token(i), Interest::READABLE | Interest::WRITABLE)
            .expect("register");
        socks.push(Sock {
            sock,
            inflight: VecDeque::new(),
            next_seq: 0,
            to_send: a.window,
        });
    }
    let mut o = Out::new(a, "echo");
    o.n("conns", a.conns as f64);
    o.n("window", a.window as f64);
    o.n("size", a.size as f64);
    let size = a.size;
    let mut out = vec![0u8; size];
    let mut want = vec![0u8; size];
    let mut buf = vec![0u8; 65536];
    let (mut echoed, mut echoed_total, mut sent, mut sent_in_window) = (0u64, 0u64, 0u64, 0u64);
    let (mut lost, mut lost_in_window, mut late) = (0u64, 0u64, 0u64);
    let (mut mismatches, mut refused, mut send_errors) = (0u64, 0u64, 0u64);
    let mut lat: Vec<u32> = Vec::new();
    let mut busy = Duration::ZERO;
    let start = Instant::now();
    let m0 = start + Duration::from_secs_f64(a.warmup);
    let m1 = m0 + Duration::from_secs_f64(a.secs);
    let end = m1 + Duration::from_secs_f64(a.drain);
    let (mut s0, mut s1): (Option<Snap>, Option<Snap>) = (None, None);
    let poll_t = if a.spin {
        Duration::ZERO
    } else {
        Duration::from_millis(5)
    };
    loop {
        let now = Instant::now();
        if s0.is_none() && now >= m0 {
            s0 = Some(snap(a.server_pid, busy));
        }
        if s1.is_none() && now >= m1 {
            s1 = Some(snap(a.server_pid, busy));
        }
        let in_window = s0.is_some() && s1.is_none();
        let stopping = s1.is_some();
        if (stopping && socks.iter().all(|s| s.inflight.is_empty())) || now >= end {
            break;
        }
        let t_busy = Instant::now();
        for (i, s) in socks.iter_mut().enumerate() {
            while let Some(&(_, t0)) = s.inflight.front() {
                if now - t0 < timeout {
                    break;
                }
                s.inflight.pop_front();
                lost += 1;
                if in_window {
                    lost_in_window += 1;
                }
                s.to_send += 1;
            }
            while s.to_send > 0 && !stopping {
                fill(i, s.next_seq, &mut out);
                match s.sock.send(&out) {
                    Ok(n) if n == size => {
                        s.inflight.push_back((s.next_seq, Instant::now()));
                        s.next_seq += 1;
                        s.to_send -= 1;
                        sent += 1;
                        if in_window {
                            sent_in_window += 1;
                        }
                    }
                    Ok(_) => send_errors += 1,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                        refused += 1;
                        break;
                    }
                    Err(_) => {
                        send_errors += 1;
                        break;
                    }
                }
            }
        }
        busy += t_busy.elapsed();
        if let Err(e) = poll.poll(&mut events, Some(poll_t)) {
            if e.kind() != io::ErrorKind::Interrupted {
                panic!("poll: {e}");
            }
        }
        if events.is_empty() {
            continue;
        }
        let t_busy = Instant::now();
        for ev in events.iter() {
            let i = ev.token().0;
            let s = &mut socks[i];
            loop {
                match s.sock.recv(&mut buf) {
                    Ok(n) => {
                        let seq = if n >= 12 {
                            u64::from_le_bytes(buf[4..12].try_into().unwrap())
                        } else {
                            u64::MAX
                        };
                        fill(i, seq, &mut want);
                        if n != size || buf[..n] != want[..] {
                            mismatches += 1;
                            continue;
                        }
                        match s.inflight.iter().position(|&(q, _)| q == seq) {
                            Some(p) => {
                                let (_, t0) = s.inflight.remove(p).unwrap();
                                echoed_total += 1;
                                if s0.is_some() && s1.is_none() {
                                    echoed += 1;
                                    lat.push(t0.elapsed().as_micros() as u32);
                                }
                                s.to_send += 1;
                            }
                            None => late += 1,
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => refused += 1,
                    Err(_) => {
                        send_errors += 1;
                        break;
                    }
                }
            }
        }
        busy += t_busy.elapsed();
    }
    let (s0, s1) = match (s0, s1) {
        (Some(x), Some(y)) => (x, y),
        _ => (snap(None, busy), snap(None, busy)),
    };
    let secs = (s1.t - s0.t).as_secs_f64().max(1e-9);
    let unfinished: u64 = socks.iter().map(|s| s.inflight.len() as u64).sum();
    o.n("dgrams", echoed as f64);
    o.n("dgrams_total", echoed_total as f64);
    o.n("dgrams_per_s", echoed as f64 / secs);
    o.n("mb_per_s", (echoed * size as u64) as f64 / 1e6 / secs);
    o.n("p50_us", pct(&mut lat, 0.5));
    o.n("p99_us", pct(&mut lat, 0.99));
    o.window(&s0, &s1, echoed as f64);
    o.n("sent", sent as f64);
    o.n("lost", lost as f64);
    o.n("lost_in_window", lost_in_window as f64);
    o.n(
        "loss_pct",
        if sent_in_window > 0 {
            lost_in_window as f64 * 100.0 / sent_in_window as f64
        } else {
            0.0
        },
    );
    o.n("late", late as f64);
    o.n("unfinished", unfinished as f64);
    o.n("mismatches", mismatches as f64);
    o.n("refused", refused as f64);
    o.n("send_errors", send_errors as f64);
    let errors = mismatches + refused + send_errors;
    o.n("errors", errors as f64);
    o.n("secs", secs);
    o.print();
    errors
}

fn waitport(a: &Args) -> u64 {
    let limit = Duration::from_secs_f64(a.timeout.unwrap_or(15.0));
    let local = if a.addr.is_ipv4() {
        "127.0.0.1:0"
    } else {
        "[::1]:0"
    };
    let t0 = Instant::now();
    let sock = std::net::UdpSocket::bind(local).expect("bind");
    sock.connect(a.addr).expect("connect");
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let probe = b"udp-load waitport probe";
    let mut buf = [0u8; 64];
    loop {
        let _ = sock.send(probe);
        let t1 = Instant::now();
        while t1.elapsed() < Duration::from_millis(100) {
            match sock.recv(&mut buf) {
                Ok(n) if &buf[..n] == probe => return 0,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    std::thread::sleep(Duration::from_millis(20));
                    break;
                }
                Err(_) => break,
            }
        }
        if t0.elapsed() >= limit {
            return 1;
        }
    }
}

fn main() {
    let a = parse_args();
    if a.mode != "waitport" {
        let limit = a.warmup + a.secs + a.drain + 30.0;
        let tags = Out::new(&a, &a.mode).0;
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs_f64(limit));
            let mut o = Out(tags);
            o.s("error", "watchdog: run overstayed");
            o.n("errors", 1.0);
            o.print();
            std::process::exit(3);
        });
    }
    let errors = match a.mode.as_str() {
        "echo" => echo(&a),
        "waitport" => waitport(&a),
        m => usage(&format!("unknown mode {m}")),
    };
    std::process::exit(if errors > 0 { 1 } else { 0 });
}
