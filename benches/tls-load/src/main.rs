//! TLS load generator for benches/tls.sh: one mio thread, rustls (ring) clients, every echoed
//! byte checked, one JSON line per run.
//!
//! ```text
//! tls-load gencert DIR
//! tls-load pingpong|stream|handshake|waitport --ca CA.pem [--addr HOST:PORT | --port N]
//!          [--conns C] [--size S] [--secs T] [--warmup W] [--drain D] [--window BYTES]
//!          [--server-pid PID] [--spin] [--resume] [--timeout S] [--tag key=value]...
//! ```
//!
//! The server certificate is verified against the CA in `--ca` (default `$TLS_CA`) for the
//! IP address connected to (`127.0.0.1`: `gencert` puts it, and `localhost`, in the
//! certificate's subject alternative names). There is no "insecure" mode.
//!
//! - `gencert DIR`: writes `DIR/ca.pem` (a throwaway CA), `DIR/server.pem` and `DIR/server.key`
//!   (PKCS#8), ECDSA P-256 keys, server certificate for `localhost` and `127.0.0.1`.
//! - `pingpong`: `--conns` connections (default 100) complete their handshake first, then each
//!   sends `--size` bytes (default 64), waits for the complete echo, compares it, repeats.
//! - `stream`: one connection writes `--size`-byte chunks (default 65536) with at most
//!   `--window` bytes (default 1 MiB) unechoed, checks every echoed byte against the byte sent
//!   at that offset (a pseudo-random sequence with a prime period), reports MB/s (10^6 bytes).
//! - `handshake`: `--conns` (default 16) in flight, each: connect, full TLS handshake, send one
//!   byte, read and check its echo, send close_notify, close; repeat. Session resumption is off
//!   unless `--resume` (then it measures resumed handshakes). An attempt with no echo after
//!   `--timeout` seconds (default 2) is an error and is replaced.
//! - `waitport`: waits up to `--timeout` seconds (default 15) until something accepts TCP
//!   connections on the address; exit 0 if so, 1 if not.
//!
//! Each timed case runs `--warmup` unmeasured seconds (default 1), then `--secs` (default 5),
//! then drains what is in flight (at most `--drain`, default 3 s). With `--server-pid` the
//! server's user+system CPU time over the measured window is read from /proc/PID/stat:
//! `server_cpu_pct` and `server_cpu_us_per_op` (per round trip or handshake) or `_per_mb`.
//! `--spin` polls with a zero timeout (as the shared harness does: waking a halted vCPU is
//! slow on this VM). Only loopback addresses are accepted. A watchdog prints an error line and
//! exits 3 if the run overstays (warmup + secs + drain + 30 s). Exit status: 0 without errors,
//! 1 with errors, 2 bad usage, 3 watchdog.
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    mode: String,
    addr: SocketAddr,
    conns: Option<usize>,
    size: Option<usize>,
    secs: f64,
    warmup: f64,
    drain: f64,
    window: usize,
    server_pid: Option<u32>,
    spin: bool,
    resume: bool,
    timeout: Option<f64>,
    ca: Option<PathBuf>,
    tags: Vec<(String, String)>,
}

fn usage(msg: &str) -> ! {
    eprintln!("tls-load: {msg}");
    eprintln!(
        "usage: tls-load gencert DIR | tls-load pingpong|stream|handshake|waitport --ca CA.pem \
         [--addr HOST:PORT | --port N] [--conns C] [--size S] [--secs T] [--warmup W] \
         [--drain D] [--window BYTES] [--server-pid PID] [--spin] [--resume] [--timeout S] \
         [--tag k=v]..."
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut it = std::env::args().skip(1);
    let mode = it.next().unwrap_or_else(|| usage("no mode"));
    if mode == "gencert" {
        let dir = it.next().unwrap_or_else(|| usage("gencert needs DIR"));
        match gencert(&PathBuf::from(&dir)) {
            Ok(()) => std::process::exit(0),
            Err(e) => {
                eprintln!("tls-load gencert: {e}");
                std::process::exit(1)
            }
        }
    }
    let mut a = Args {
        mode,
        addr: "127.0.0.1:9000".parse().unwrap(),
        conns: None,
        size: None,
        secs: 5.0,
        warmup: 1.0,
        drain: 3.0,
        window: 1 << 20,
        server_pid: None,
        spin: false,
        resume: false,
        timeout: None,
        ca: std::env::var_os("TLS_CA").map(PathBuf::from),
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
            "--conns" => a.conns = Some(num(v()) as usize),
            "--size" => a.size = Some(num(v()) as usize),
            "--secs" => a.secs = num(v()),
            "--warmup" => a.warmup = num(v()),
            "--drain" => a.drain = num(v()),
            "--window" => a.window = num(v()) as usize,
            "--server-pid" => a.server_pid = Some(num(v()) as u32),
            "--timeout" => a.timeout = Some(num(v())),
            "--ca" => a.ca = Some(PathBuf::from(v())),
            "--tag" => {
                let s = v();
                let (k, val) = s
                    .split_once('=')
                    .unwrap_or_else(|| usage("--tag needs k=v"));
                a.tags.push((k.to_string(), val.to_string()));
            }
            "--spin" => a.spin = true,
            "--resume" => a.resume = true,
            _ => usage(&format!("unknown option {k}")),
        }
    }
    if !a.addr.ip().is_loopback() {
        usage("only loopback addresses are accepted");
    }
    a
}

fn gencert(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    std::fs::create_dir_all(dir)?;
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "nodenet bench throwaway CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key)?;
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut p = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    p.distinguished_name.push(DnType::CommonName, "localhost");
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = p.signed_by(&key, &ca_cert, &ca_key)?;
    std::fs::write(dir.join("ca.pem"), ca_cert.pem())?;
    std::fs::write(dir.join("server.pem"), cert.pem())?;
    std::fs::write(dir.join("server.key"), key.serialize_pem())?;
    Ok(())
}

// ---- measurement -------------------------------------------------------------------------

const TICK_US: f64 = 10_000.0; // USER_HZ = 100 on Linux

fn proc_ticks(path: &str) -> Option<u64> {
    let s = std::fs::read_to_string(path).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // fields after the command: state(3) ... utime(14) stime(15), 1-based in proc(5)
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
    /// Window figures: CPU of both sides, steal, per-unit costs.
    fn window(&mut self, a: &Snap, b: &Snap, units: &[(&str, f64)]) {
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
            for (name, count) in units {
                if *count > 0.0 {
                    self.n(&format!("server_cpu_us_per_{name}"), us / count);
                }
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

// ---- one TLS client connection ---------------------------------------------------------------

struct Conn {
    sock: TcpStream,
    tls: ClientConnection,
    rx: Vec<u8>,
    eof: bool,
}

impl Conn {
    fn open(
        cfg: &Arc<ClientConfig>,
        addr: SocketAddr,
        poll: &Poll,
        tok: usize,
    ) -> io::Result<Conn> {
        let mut sock = TcpStream::connect(addr)?;
        sock.set_nodelay(true)?;
        poll.registry().register(
            &mut sock,
            Token(tok),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        let name = ServerName::IpAddress(addr.ip().into());
        let tls = ClientConnection::new(cfg.clone(), name).map_err(io::Error::other)?;
        Ok(Conn {
            sock,
            tls,
            rx: Vec::new(),
            eof: false,
        })
    }

    /// Reads all the socket has (edge-triggered), decrypts into `rx`, writes what TLS has
    /// pending. Err on a TLS or socket error.
    fn io(&mut self, buf: &mut [u8]) -> io::Result<()> {
        loop {
            match self.tls.read_tls(&mut self.sock) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(_) => {
                    let st = self.tls.process_new_packets().map_err(|e| {
                        let _ = self.tls.write_tls(&mut self.sock);
                        io::Error::other(e)
                    })?;
                    if st.plaintext_bytes_to_read() > 0 {
                        loop {
                            match self.tls.reader().read(buf) {
                                Ok(0) => break,
                                Ok(n) => self.rx.extend_from_slice(&buf[..n]),
                                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                                Err(e) => return Err(e),
                            }
                        }
                    }
                    if st.peer_has_closed() {
                        self.eof = true;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        self.flush()
    }

    fn flush(&mut self) -> io::Result<()> {
        while self.tls.wants_write() {
            match self.tls.write_tls(&mut self.sock) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn close(mut self, poll: &Poll) {
        self.tls.send_close_notify();
        let _ = self.flush();
        let _ = poll.registry().deregister(&mut self.sock);
    }

    fn describe(&self, o: &mut Out) {
        if let Some(v) = self.tls.protocol_version() {
            o.s("tls_version", &format!("{v:?}"));
        }
        if let Some(s) = self.tls.negotiated_cipher_suite() {
            o.s("cipher_suite", &format!("{:?}", s.suite()));
        }
        if let Some(g) = self.tls.negotiated_key_exchange_group() {
            o.s("kx_group", &format!("{:?}", g.name()));
        }
    }
}

fn client_config(a: &Args) -> Arc<ClientConfig> {
    let ca =
        a.ca.clone()
            .unwrap_or_else(|| usage("--ca CA.pem (or $TLS_CA) is required"));
    let mut roots = RootCertStore::empty();
    let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(&ca)
        .unwrap_or_else(|e| usage(&format!("{}: {e}", ca.display())))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| usage(&format!("{}: {e}", ca.display())));
    for c in certs {
        roots
            .add(c)
            .unwrap_or_else(|e| usage(&format!("{}: {e}", ca.display())));
    }
    let mut cfg =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    if !a.resume {
        cfg.resumption = rustls::client::Resumption::disabled();
    }
    Arc::new(cfg)
}

fn pattern(c: usize, seq: u64, out: &mut [u8]) {
    let mut x = (c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ seq.wrapping_mul(0xD1B5_4A32_D192_ED03)
        | 1;
    for b in out.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
}

struct Loop {
    poll: Poll,
    events: Events,
    spin: bool,
    busy: Duration,
}

impl Loop {
    fn new(spin: bool) -> Loop {
        Loop {
            poll: Poll::new().expect("poll"),
            events: Events::with_capacity(1024),
            spin,
            busy: Duration::ZERO,
        }
    }
    /// Polls once; returns the tokens that have events.
    fn wait(&mut self, toks: &mut Vec<usize>) {
        toks.clear();
        let t = if self.spin {
            Duration::ZERO
        } else {
            Duration::from_millis(5)
        };
        if let Err(e) = self.poll.poll(&mut self.events, Some(t)) {
            if e.kind() != io::ErrorKind::Interrupted {
                panic!("poll: {e}");
            }
        }
        for e in self.events.iter() {
            toks.push(e.token().0);
        }
    }
}

// ---- cases -----------------------------------------------------------------------------------

/// Opens `n` connections and completes their handshakes (bounded by `limit`).
fn connect_all(
    a: &Args,
    cfg: &Arc<ClientConfig>,
    lp: &mut Loop,
    n: usize,
    limit: Duration,
    errors: &mut u64,
) -> Vec<Option<Conn>> {
    let mut conns: Vec<Option<Conn>> = Vec::with_capacity(n);
    for i in 0..n {
        match Conn::open(cfg, a.addr, &lp.poll, i) {
            Ok(mut c) => {
                let _ = c.flush();
                conns.push(Some(c))
            }
            Err(_) => {
                *errors += 1;
                conns.push(None)
            }
        }
    }
    let t0 = Instant::now();
    let mut buf = vec![0u8; 1 << 16];
    let mut toks = Vec::new();
    loop {
        let pending = conns
            .iter()
            .flatten()
            .filter(|c| c.tls.is_handshaking())
            .count();
        if pending == 0 || t0.elapsed() > limit {
            break;
        }
        lp.wait(&mut toks);
        for &t in &toks {
            if let Some(c) = conns[t].as_mut() {
                if c.io(&mut buf).is_err() || c.eof {
                    *errors += 1;
                    conns[t] = None;
                }
            }
        }
    }
    for c in conns.iter_mut() {
        if c.as_ref().is_some_and(|c| c.tls.is_handshaking()) {
            *errors += 1;
            *c = None;
        }
    }
    conns
}

fn pingpong(a: &Args) -> u64 {
    let n = a.conns.unwrap_or(100);
    let size = a.size.unwrap_or(64);
    let cfg = client_config(a);
    let mut lp = Loop::new(a.spin);
    let mut connect_errors = 0u64;
    let mut conns = connect_all(
        a,
        &cfg,
        &mut lp,
        n,
        Duration::from_secs(10),
        &mut connect_errors,
    );
    let mut o = Out::new(a, "pingpong");
    o.n("conns", n as f64);
    o.n("size", size as f64);
    if let Some(c) = conns.iter().flatten().next() {
        c.describe(&mut o);
    }
    let mut seq = vec![0u64; n];
    let mut sent_at = vec![Instant::now(); n];
    let mut expect = vec![vec![0u8; size]; n];
    let mut buf = vec![0u8; 1 << 16];
    let (mut mismatches, mut dead, mut rts, mut rts_total) = (0u64, 0u64, 0u64, 0u64);
    let mut lat: Vec<u32> = Vec::new();
    let start = Instant::now();
    let m0 = start + Duration::from_secs_f64(a.warmup);
    let m1 = m0 + Duration::from_secs_f64(a.secs);
    let end = m1 + Duration::from_secs_f64(a.drain);
    let mut s0: Option<Snap> = None;
    let mut s1: Option<Snap> = None;
    let send = |c: &mut Conn, i: usize, seq: u64, exp: &mut Vec<u8>| -> io::Result<()> {
        pattern(i, seq, exp);
        c.tls.writer().write_all(exp)?;
        c.flush()
    };
    for (i, c) in conns.iter_mut().enumerate() {
        if let Some(cc) = c.as_mut() {
            sent_at[i] = Instant::now();
            if send(cc, i, 0, &mut expect[i]).is_err() {
                dead += 1;
                *c = None;
            }
        }
    }
    let mut outstanding: usize = conns.iter().flatten().count();
    let mut toks = Vec::new();
    loop {
        let now = Instant::now();
        if s0.is_none() && now >= m0 {
            s0 = Some(snap(a.server_pid, lp.busy));
        }
        if s1.is_none() && now >= m1 {
            s1 = Some(snap(a.server_pid, lp.busy));
        }
        if (s1.is_some() && outstanding == 0) || now >= end {
            break;
        }
        lp.wait(&mut toks);
        if toks.is_empty() {
            continue;
        }
        let t_busy = Instant::now();
        for &t in &toks {
            let Some(c) = conns[t].as_mut() else { continue };
            if c.io(&mut buf).is_err() {
                dead += 1;
                outstanding -= 1;
                conns[t] = None;
                continue;
            }
            if c.rx.len() >= size {
                let now = Instant::now();
                if c.rx[..size] != expect[t][..] || c.rx.len() > size {
                    mismatches += 1;
                    outstanding -= 1;
                    conns[t] = None;
                    continue;
                }
                c.rx.clear();
                rts_total += 1;
                if s0.is_some() && s1.is_none() {
                    rts += 1;
                    lat.push((now - sent_at[t]).as_micros() as u32);
                }
                if s1.is_some() {
                    outstanding -= 1;
                    continue;
                }
                seq[t] += 1;
                sent_at[t] = now;
                if send(c, t, seq[t], &mut expect[t]).is_err() {
                    dead += 1;
                    outstanding -= 1;
                    conns[t] = None;
                }
            } else if c.eof {
                dead += 1;
                outstanding -= 1;
                conns[t] = None;
            }
        }
        lp.busy += t_busy.elapsed();
    }
    let (s0, s1) = match (s0, s1) {
        (Some(x), Some(y)) => (x, y),
        _ => (snap(None, lp.busy), snap(None, lp.busy)),
    };
    let secs = (s1.t - s0.t).as_secs_f64().max(1e-9);
    o.n("round_trips", rts as f64);
    o.n("round_trips_total", rts_total as f64);
    o.n("rt_per_s", rts as f64 / secs);
    o.n("p50_us", pct(&mut lat, 0.5));
    o.n("p99_us", pct(&mut lat, 0.99));
    o.window(&s0, &s1, &[("op", rts as f64)]);
    let unfinished = outstanding as u64;
    o.n("connect_errors", connect_errors as f64);
    o.n("dead_conns", dead as f64);
    o.n("mismatches", mismatches as f64);
    o.n("unfinished", unfinished as f64);
    let errors = connect_errors + dead + mismatches + unfinished;
    o.n("errors", errors as f64);
    o.n("secs", secs);
    o.print();
    for c in conns.into_iter().flatten() {
        c.close(&lp.poll);
    }
    errors
}

const PERIOD: usize = 65521; // prime: a dropped, repeated or reordered chunk shows

fn stream(a: &Args) -> u64 {
    let size = a.size.unwrap_or(65536);
    let cfg = client_config(a);
    let mut lp = Loop::new(a.spin);
    let mut errors = 0u64;
    let mut conns = connect_all(a, &cfg, &mut lp, 1, Duration::from_secs(10), &mut errors);
    let mut o = Out::new(a, "stream");
    o.n("conns", 1.0);
    o.n("size", size as f64);
    let mut pat = vec![0u8; PERIOD + size];
    pattern(7, 7, &mut pat[..PERIOD]);
    for i in PERIOD..pat.len() {
        pat[i] = pat[i - PERIOD];
    }
    let Some(mut c) = conns[0].take() else {
        o.n("connect_errors", errors as f64);
        o.n("errors", errors.max(1) as f64);
        o.print();
        return errors.max(1);
    };
    c.describe(&mut o);
    let (mut sent, mut echoed, mut mismatches, mut dead) = (0u64, 0u64, 0u64, 0u64);
    let mut echoed_in_window = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    let start = Instant::now();
    let m0 = start + Duration::from_secs_f64(a.warmup);
    let m1 = m0 + Duration::from_secs_f64(a.secs);
    let end = m1 + Duration::from_secs_f64(a.drain);
    let (mut s0, mut s1): (Option<Snap>, Option<Snap>) = (None, None);
    let mut toks = Vec::new();
    let mut ok = true;
    loop {
        let now = Instant::now();
        if s0.is_none() && now >= m0 {
            s0 = Some(snap(a.server_pid, lp.busy));
            echoed_in_window = echoed;
        }
        if s1.is_none() && now >= m1 {
            s1 = Some(snap(a.server_pid, lp.busy));
            echoed_in_window = echoed - echoed_in_window;
        }
        if (s1.is_some() && echoed == sent) || now >= end || !ok {
            break;
        }
        // write while the window allows and TLS takes it (its buffer limit is 64 KiB)
        let t_busy = Instant::now();
        if s1.is_none() {
            while sent - echoed < a.window as u64 && !c.tls.wants_write() {
                let off = (sent % PERIOD as u64) as usize;
                match c.tls.writer().write(&pat[off..off + size]) {
                    Ok(0) => break,
                    Ok(n) => sent += n as u64,
                    Err(_) => {
                        ok = false;
                        break;
                    }
                }
                if c.flush().is_err() {
                    ok = false;
                }
            }
        }
        lp.busy += t_busy.elapsed();
        lp.wait(&mut toks);
        if toks.is_empty() {
            continue;
        }
        let t_busy = Instant::now();
        if c.io(&mut buf).is_err() {
            dead += 1;
            ok = false;
        }
        if !c.rx.is_empty() {
            let off = (echoed % PERIOD as u64) as usize;
            let mut k = 0;
            while k < c.rx.len() {
                let n = (c.rx.len() - k).min(size);
                let o2 = (off + k) % PERIOD;
                if c.rx[k..k + n] != pat[o2..o2 + n] {
                    mismatches += 1;
                    ok = false;
                    break;
                }
                k += n;
            }
            echoed += c.rx.len() as u64;
            c.rx.clear();
            if echoed > sent {
                mismatches += 1;
                ok = false;
            }
        }
        if c.eof && echoed < sent {
            dead += 1;
            ok = false;
        }
        lp.busy += t_busy.elapsed();
    }
    let (s0, s1) = match (s0, s1) {
        (Some(x), Some(y)) => (x, y),
        _ => (snap(None, lp.busy), snap(None, lp.busy)),
    };
    let secs = (s1.t - s0.t).as_secs_f64().max(1e-9);
    let mb = echoed_in_window as f64 / 1e6;
    o.n("bytes_sent", sent as f64);
    o.n("bytes_echoed", echoed as f64);
    o.n("mb_per_s", mb / secs);
    o.window(&s0, &s1, &[("mb", mb)]);
    let short = u64::from(echoed < sent);
    o.n("connect_errors", errors as f64);
    o.n("dead_conns", dead as f64);
    o.n("mismatches", mismatches as f64);
    o.n("short_echo_conns", short as f64);
    let errors = errors + dead + mismatches + short;
    o.n("errors", errors as f64);
    o.n("secs", secs);
    o.print();
    c.close(&lp.poll);
    errors
}

fn handshake(a: &Args) -> u64 {
    let k = a.conns.unwrap_or(16);
    let cfg = client_config(a);
    let mut lp = Loop::new(a.spin);
    let timeout = Duration::from_secs_f64(a.timeout.unwrap_or(2.0));
    let mut o = Out::new(a, "handshake");
    o.n("conns", k as f64);
    o.n("size", 1.0);
    o.s("resumption", if a.resume { "on" } else { "off" });
    let mut slots: Vec<Option<(Conn, Instant, u8)>> = (0..k).map(|_| None).collect();
    let (mut connect_errors, mut timeouts, mut echo_errors, mut mismatches) =
        (0u64, 0u64, 0u64, 0u64);
    let (mut done, mut done_total, mut resumed) = (0u64, 0u64, 0u64);
    let mut described = false;
    let mut lat: Vec<u32> = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let start = Instant::now();
    let m0 = start + Duration::from_secs_f64(a.warmup);
    let m1 = m0 + Duration::from_secs_f64(a.secs);
    let end = m1 + Duration::from_secs_f64(a.drain);
    let (mut s0, mut s1): (Option<Snap>, Option<Snap>) = (None, None);
    let mut toks = Vec::new();
    let mut counter: u8 = 0;
    loop {
        let now = Instant::now();
        if s0.is_none() && now >= m0 {
            s0 = Some(snap(a.server_pid, lp.busy));
        }
        if s1.is_none() && now >= m1 {
            s1 = Some(snap(a.server_pid, lp.busy));
        }
        let busy_slots = slots.iter().filter(|s| s.is_some()).count();
        if (s1.is_some() && busy_slots == 0) || now >= end {
            break;
        }
        let t_busy = Instant::now();
        for (i, s) in slots.iter_mut().enumerate() {
            if let Some((_, t0, _)) = s {
                if now - *t0 > timeout {
                    timeouts += 1;
                    let (c, _, _) = s.take().unwrap();
                    c.close(&lp.poll);
                }
            }
            if s.is_none() && s1.is_none() {
                counter = counter.wrapping_add(1);
                match Conn::open(&cfg, a.addr, &lp.poll, i) {
                    Ok(mut c) => {
                        let _ = c.tls.writer().write_all(&[counter]);
                        let _ = c.flush();
                        *s = Some((c, Instant::now(), counter));
                    }
                    Err(_) => connect_errors += 1,
                }
            }
        }
        lp.busy += t_busy.elapsed();
        lp.wait(&mut toks);
        if toks.is_empty() {
            continue;
        }
        let t_busy = Instant::now();
        for &t in &toks {
            let Some((c, t0, want)) = slots[t].as_mut() else {
                continue;
            };
            let r = c.io(&mut buf);
            if r.is_err() || (c.rx.is_empty() && c.eof) {
                echo_errors += 1;
                slots[t] = None;
                continue;
            }
            if !c.rx.is_empty() {
                if c.rx.len() != 1 || c.rx[0] != *want {
                    mismatches += 1;
                } else {
                    done_total += 1;
                    if s0.is_some() && s1.is_none() {
                        done += 1;
                        lat.push(t0.elapsed().as_micros() as u32);
                        if matches!(c.tls.handshake_kind(), Some(rustls::HandshakeKind::Resumed)) {
                            resumed += 1;
                        }
                    }
                }
                if !described {
                    c.describe(&mut o);
                    described = true;
                }
                let (c, _, _) = slots[t].take().unwrap();
                c.close(&lp.poll);
            }
        }
        lp.busy += t_busy.elapsed();
    }
    let (s0, s1) = match (s0, s1) {
        (Some(x), Some(y)) => (x, y),
        _ => (snap(None, lp.busy), snap(None, lp.busy)),
    };
    let secs = (s1.t - s0.t).as_secs_f64().max(1e-9);
    o.n("handshakes", done as f64);
    o.n("handshakes_total", done_total as f64);
    o.n("resumed", resumed as f64);
    o.n("handshakes_per_s", done as f64 / secs);
    o.n("p50_us", pct(&mut lat, 0.5));
    o.n("p99_us", pct(&mut lat, 0.99));
    o.window(&s0, &s1, &[("op", done as f64)]);
    let unfinished = slots.iter().filter(|s| s.is_some()).count() as u64;
    o.n("connect_errors", connect_errors as f64);
    o.n("timeouts", timeouts as f64);
    o.n("echo_errors", echo_errors as f64);
    o.n("mismatches", mismatches as f64);
    o.n("unfinished", unfinished as f64);
    let errors = connect_errors + timeouts + echo_errors + mismatches + unfinished;
    o.n("errors", errors as f64);
    o.n("secs", secs);
    o.print();
    errors
}

fn waitport(a: &Args) -> u64 {
    let limit = Duration::from_secs_f64(a.timeout.unwrap_or(15.0));
    let t0 = Instant::now();
    loop {
        if std::net::TcpStream::connect_timeout(&a.addr, Duration::from_millis(200)).is_ok() {
            return 0;
        }
        if t0.elapsed() >= limit {
            return 1;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn main() {
    let a = parse_args();
    if a.mode != "waitport" {
        let limit = a.warmup + a.secs + a.drain + 30.0 + 10.0;
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
        "pingpong" => pingpong(&a),
        "stream" => stream(&a),
        "handshake" => handshake(&a),
        "waitport" => waitport(&a),
        m => usage(&format!("unknown mode {m}")),
    };
    std::process::exit(if errors > 0 { 1 } else { 0 });
}
