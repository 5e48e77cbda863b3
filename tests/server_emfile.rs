//! Issue 6, scenario 5: a server out of descriptors (`EMFILE` on accept) with no reserve
//! descriptor to shed with neither spins nor stalls. As libuv, it emits one `'error'`
//! (`accept EMFILE`) per spell, because shedding could not run; it retries accepting every
//! 100 ms, and accepts again soon after descriptors are freed. (With a reserve, the server
//! sheds and says nothing: tests/emfile_echo_server.rs.)
//!
//! The server runs in a child process, this test binary started again under `ulimit -n 128`,
//! which opens files until `open` fails with `EMFILE`; the clients run here, in the parent,
//! whose descriptors are not limited. The child measures its own CPU time
//! (`/proc/self/stat`) over one second of saturation while the parent keeps connecting, then
//! frees the files and measures how long until a connection is accepted. Both figures are
//! printed (`cargo test --test server_emfile -- --nocapture`) and asserted: CPU < 5 %,
//! recovery < 1 s.

use std::cell::Cell;
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind, Read, Seek, SeekFrom, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nodenet::prelude::*;

/// Set in the child's environment to the scenario it runs.
const CHILD_ENV: &str = "NODENET_EMFILE_CHILD";

/// The child's descriptor limit: enough for the test harness, the loop and the connections
/// of the recovery, small enough to use up quickly.
const FD_LIMIT: u32 = 128;

/// How long the child stays out of descriptors while its CPU time is measured: a second, plus
/// half a retry period, so that the retry's delay after the descriptors are freed is measured
/// rather than two timers due at the same moment.
const SATURATION: Duration = Duration::from_millis(1050);

/// How often the parent connects while the child is saturated.
const CONNECT_EVERY: Duration = Duration::from_millis(50);

/// How long the parent waits for any one line of the child before declaring it hung.
const CHILD_DEADLINE: Duration = Duration::from_secs(20);

/// No reserve descriptor (the process was already out of descriptors when the server
/// listened): queued connections wait, and the 100 ms retry accepts them once descriptors are
/// freed, although no new connection arrives to wake the server.
#[test]
fn emfile_on_accept_without_a_reserve_backs_off_and_recovers() {
    let figures = run_scenario("backoff");
    println!(
        "EMFILE, backing off: {:.1} % CPU while saturated, accepting again {} ms after \
         descriptors were freed",
        figures.cpu_percent, figures.recovery_ms
    );
}

struct Figures {
    cpu_percent: f64,
    recovery_ms: u128,
}

/// The parent: starts the child, connects while it is saturated, checks what the clients see,
/// and collects the child's figures.
fn run_scenario(mode: &str) -> Figures {
    let exe = std::env::current_exe().expect("this test binary");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {FD_LIMIT} && exec \"$0\" \"$@\""))
        .arg(exe)
        .args(["--exact", "child_entry", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the child");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drive(&mut child)));
    if result.is_err() {
        let _ = child.kill();
    }
    let status = child.wait().expect("the child's exit");
    match result {
        Ok(figures) => {
            assert!(status.success(), "the child failed: {status}");
            assert!(
                figures.cpu_percent < 5.0,
                "{:.1} % CPU while out of descriptors: the loop spins",
                figures.cpu_percent
            );
            assert!(
                figures.recovery_ms < 1000,
                "{} ms to accept again after descriptors were freed",
                figures.recovery_ms
            );
            figures
        }
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

fn drive(child: &mut Child) -> Figures {
    let mut stdin: ChildStdin = child.stdin.take().expect("the child's stdin");
    let lines = child_lines(child);
    let next = |prefix: &str| -> String {
        loop {
            let line = lines
                .recv_timeout(CHILD_DEADLINE)
                .unwrap_or_else(|_| panic!("the child said nothing for {CHILD_DEADLINE:?}"));
            if let Some(rest) = said(&line).and_then(|said| said.strip_prefix(prefix)) {
                return rest.trim().to_string();
            }
        }
    };
    let port: u16 = next("port ").parse().expect("a port");
    let connect = || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.write_all(b"ping").expect("write");
        stream
    };
    // The first connection makes the accept fail; then keep connecting while saturated.
    let mut waiting = vec![connect()];
    let error = next("error ");
    assert_eq!(error, "EMFILE accept EMFILE");
    let freed = loop {
        match lines.recv_timeout(CONNECT_EVERY) {
            Ok(line) if said(&line).is_some_and(|said| said.starts_with("freed")) => {
                break said(&line).unwrap_or_default().to_string()
            }
            Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => waiting.push(connect()),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the child exited early"),
        }
    };
    let cpu_percent: f64 = freed
        .split_whitespace()
        .nth(1)
        .and_then(|f| f.parse().ok())
        .expect("the CPU figure");
    // No new client comes: the retry alone must find the queued ones.
    let recovery_ms: u128 = next("recovered ").parse().expect("a duration");
    let answered = |mut stream: &TcpStream| -> bool {
        stream
            .set_read_timeout(Some(CHILD_DEADLINE))
            .expect("a read timeout");
        let mut echo = [0u8; 4];
        match stream.read(&mut echo) {
            Ok(4) => {
                assert_eq!(&echo, b"ping");
                true
            }
            Ok(0) => false,
            Err(err) if err.kind() == ErrorKind::ConnectionReset => false,
            other => panic!("neither an echo nor a close: {other:?}"),
        }
    };
    let served = waiting.iter().filter(|stream| answered(stream)).count();
    assert_eq!(
        served,
        waiting.len(),
        "every connection queued while saturated is served after recovery"
    );
    println!(
        "{} clients connected while saturated: {served} served after recovery, {} shed",
        waiting.len(),
        waiting.len() - served
    );
    stdin
        .write_all(b"close\n")
        .expect("tell the child to close");
    drop(waiting);
    next("done");
    // Read to the end, so the child's last words (the harness's summary) find a reader.
    while lines.recv_timeout(CHILD_DEADLINE).is_ok() {}
    Figures {
        cpu_percent,
        recovery_ms,
    }
}

/// What the child said on a line of its stdout: the text after [`TAG`] (the test harness
/// prints its own text on the same line).
fn said(line: &str) -> Option<&str> {
    line.split_once(TAG).map(|(_, said)| said)
}

/// Marks the child's own lines.
const TAG: &str = "emfile-child: ";

/// The child's stdout, line by line, from a reader thread.
fn child_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("the child's stdout");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

/// The child's side; a no-op unless this binary was started as the child.
#[test]
fn child_entry() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    assert_eq!(mode, "backoff");
    child();
}

thread_local! {
    static SERVER: Cell<Option<Server>> = const { Cell::new(None) };
}

fn child() {
    let hog: &'static Cell<Vec<File>> = Box::leak(Box::new(Cell::new(Vec::new())));
    let freed_at: &'static Cell<Option<Instant>> = Box::leak(Box::new(Cell::new(None)));
    let errors: &'static Cell<usize> = Box::leak(Box::new(Cell::new(0)));
    let stat: &'static RefCell<File> = Box::leak(Box::new(RefCell::new(
        File::open("/proc/self/stat").expect("/proc/self/stat"),
    )));
    let recovered: &'static Cell<bool> = Box::leak(Box::new(Cell::new(false)));
    let server = net::create_server(move |socket: Socket| {
        let Some(freed) = freed_at.get() else {
            panic!("a connection was accepted while out of descriptors");
        };
        if !recovered.replace(true) {
            println!("{TAG}recovered {}", freed.elapsed().as_millis());
        }
        socket.on(Data, move |data| {
            socket.write(data);
        });
    });
    SERVER.with(|s| s.set(Some(server)));
    server.on(Error, move |err| {
        errors.set(errors.get() + 1);
        assert_eq!(errors.get(), 1, "one 'error' for one spell: {err}");
        println!("{TAG}error {} {}", err.code().unwrap_or("-"), err.message());
        let cpu_before = cpu_ticks(&mut stat.borrow_mut());
        let started = Instant::now();
        nodenet::set_timeout(SATURATION.as_millis() as u64, move || {
            let ticks = cpu_ticks(&mut stat.borrow_mut()) - cpu_before;
            let wall = started.elapsed();
            let percent =
                ticks as f64 * 1000.0 / ticks_per_second() / wall.as_millis() as f64 * 100.0;
            drop(hog.take());
            freed_at.set(Some(Instant::now()));
            println!(
                "{TAG}freed {percent:.2} ({ticks} ticks in {} ms)",
                wall.as_millis()
            );
        });
    });
    // Out of descriptors before listening: one is given back for the listening socket, so the
    // server gets no reserve.
    hog.set(use_up_descriptors());
    let mut files = hog.take();
    files.pop();
    hog.set(files);
    server
        .listen((0, "127.0.0.1"), move || {
            println!("{TAG}port {}", server.address().unwrap().port);
        })
        .unwrap();
    // The parent says when it has seen everything it needs.
    let remote = nodenet::remote();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        remote.post(|| {
            SERVER.with(|s| s.get().unwrap().close(()));
        });
    });
    nodenet::run().expect("the child's loop");
    assert_eq!(errors.get(), 1);
    assert!(nodenet::loop_stats().is_empty());
    println!("{TAG}done");
}

/// Opens files until the process is out of descriptors, and keeps them.
fn use_up_descriptors() -> Vec<File> {
    let mut files = Vec::new();
    loop {
        match File::open("/dev/null") {
            Ok(file) => files.push(file),
            Err(err) => {
                assert_eq!(err.raw_os_error(), Some(24), "EMFILE: {err}");
                return files;
            }
        }
    }
}

/// This process's user + system CPU time, in clock ticks (`/proc/self/stat` fields 14, 15),
/// read from `/proc/self/stat` opened beforehand: once saturated, it could not be opened.
fn cpu_ticks(stat: &mut File) -> u64 {
    let mut text = String::new();
    stat.seek(SeekFrom::Start(0))
        .expect("rewind /proc/self/stat");
    stat.read_to_string(&mut text)
        .expect("read /proc/self/stat");
    let stat = text;
    // The command name may hold spaces; the fields after it are counted from its ')'.
    let after_name = &stat[stat.rfind(')').expect("the command name") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Clock ticks per second; 100 on Linux (`getconf CLK_TCK`), which has no other value on the
/// architectures Rust supports there.
fn ticks_per_second() -> f64 {
    100.0
}
