//! Making an outgoing connection: Node's `net.connect(options)` and `socket.connect(...)`.
//!
//! Mirrors `lib/net.js`'s `lookupAndConnect` and Node 20's `internalConnectMultiple`: IP
//! literals connect at once, names are looked up off the loop (then `'lookup'`), the results are
//! filtered by `family`, and with `autoSelectFamily` each address is tried in turn, an attempt
//! that takes longer than `autoSelectFamilyAttemptTimeout` giving way to the next. Every
//! attempt is announced (`'connectionAttempt'`) and its failure too; if every address fails
//! the socket's error is an aggregate of them, as Node's `AggregateError`.
//!
//! The whole state machine is here, from `begin` to the writable edge that ends it
//! ([`connected`]): the per-socket [`ConnectState`], the walk over the addresses
//! ([`connect_next`]), the attempt timer and [`finish_connect`].

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use mio::{Interest, Token};

use crate::error::{codes, Error};
use crate::handle::HandleId;
use crate::net::connect_events::{AttemptInfo, LookupInfo};
use crate::net::connect_options::ConnectOptions;
use crate::net::idle_timeout;
use crate::net::lookup;
use crate::net::readable::Flowing;
use crate::net::socket::Socket;
use crate::net::socket_state::{self, destroy, tick, update_activity, Phase, SocketNotice};
use crate::net::stream::{Stream, Target};
use crate::runtime::core::{with_core, Core};
use crate::runtime::{emit, tasks};
use crate::timers;

/// Node clamps `autoSelectFamilyAttemptTimeout` to at least 10 ms.
const MIN_ATTEMPT_TIMEOUT_MS: u64 = 10;

/// Applies `options` to a socket in the connecting state and starts connecting.
pub(crate) fn begin(socket: Socket, options: ConnectOptions) {
    let id = socket.id();
    let local = match local_address(&options) {
        Ok(local) => local,
        Err(error) => {
            with_core(|core| socket_state::destroy(core, id, Some(error)));
            return;
        }
    };
    with_core(|core| {
        let Some(state) = core.socket(id) else { return };
        state.allow_half_open = options.allow_half_open;
        if let Some(mark) = options.high_water_mark {
            state.set_high_water_marks(mark);
        }
        if options.no_delay {
            state.no_delay = true;
        }
        if options.keep_alive {
            state.keep_alive = (
                true,
                crate::net::socket::secs(options.keep_alive_initial_delay),
            );
        }
        if let Some(connect) = state.connect.as_mut() {
            connect.local = local;
            connect.block_list = options.block_list.clone();
            connect.attempt_timeout = options.auto_select_family.then(|| {
                Duration::from_millis(
                    options
                        .auto_select_family_attempt_timeout
                        .max(MIN_ATTEMPT_TIMEOUT_MS),
                )
            });
        }
        if options.timeout > 0 {
            idle_timeout::set(core, id, options.timeout);
        }
    });
    if let Some(path) = options.path {
        start(id, vec![Target::Path(path)]);
        return;
    }
    let port = options.port;
    let family = options.family;
    let auto_select = options.auto_select_family;
    let host = options.host;
    match (lookup::immediate(&host), options.lookup) {
        // Node does not look up IP literals (not even with a custom lookup), so `family` does
        // not filter them either.
        (Some(ips), _) => start(id, targets(ips, port, 0, auto_select)),
        (None, Some(custom)) => {
            // Answered now, reported on a tick like a lookup done off the loop.
            let result = custom.resolve(&host).map(|ips| {
                ips.into_iter()
                    .map(|ip| SocketAddr::new(ip, port))
                    .collect()
            });
            looked_up(id, host, port, family, auto_select, result);
        }
        (None, None) => {
            let name = host.clone();
            lookup::resolve(id, host, port, move |result| {
                looked_up(id, name, port, family, auto_select, result)
            })
        }
    }
}

/// `localAddress`/`localPort` as the address to bind before connecting.
fn local_address(options: &ConnectOptions) -> Result<Option<SocketAddr>, Error> {
    let port = options.local_port.unwrap_or(0);
    match options.local_address.as_deref() {
        Some(address) => match address.parse::<IpAddr>() {
            Ok(ip) => Ok(Some(SocketAddr::new(ip, port))),
            Err(_) => Err(Error::with_code(
                "ERR_INVALID_IP_ADDRESS",
                format!("Invalid IP address: {address}"),
            )),
        },
        None if options.local_port.is_some() => {
            Ok(Some(SocketAddr::new(IpAddr::from([0, 0, 0, 0]), port)))
        }
        None => Ok(None),
    }
}

fn family_of(ip: &IpAddr) -> u8 {
    if ip.is_ipv4() {
        4
    } else {
        6
    }
}

fn targets(ips: Vec<IpAddr>, port: u16, family: u8, auto_select: bool) -> Vec<Target> {
    let wanted = ips
        .into_iter()
        .filter(|ip| family == 0 || family_of(ip) == family)
        .map(|ip| Target::Ip(SocketAddr::new(ip, port)));
    if auto_select {
        wanted.collect()
    } else {
        wanted.take(1).collect()
    }
}

fn looked_up(
    id: HandleId,
    host: String,
    port: u16,
    family: u8,
    auto_select: bool,
    result: Result<Vec<SocketAddr>, Error>,
) {
    let result = result.and_then(|addresses| {
        let found = targets(
            addresses.into_iter().map(|addr| addr.ip()).collect(),
            port,
            family,
            auto_select,
        );
        if found.is_empty() {
            Err(Error::lookup_failure("ENOTFOUND", &host))
        } else {
            Ok(found)
        }
    });
    let first = result.as_ref().ok().and_then(|found| match found.first() {
        Some(Target::Ip(addr)) => Some(addr.ip()),
        _ => None,
    });
    let info = LookupInfo {
        error: result.as_ref().err().cloned(),
        address: first.map(|ip| ip.to_string()),
        family: first.map(|ip| family_of(&ip)),
        host,
    };
    // Node's lookup callback returns early once the socket is no longer connecting: a socket
    // destroyed while its name was being looked up hears nothing of the lookup.
    let connecting = with_core(|core| {
        let connecting = core
            .socket(id)
            .is_some_and(|socket| socket.phase == socket_state::Phase::Resolving);
        if connecting {
            core.ticks
                .push_back(SocketNotice::Lookup(Box::new(info)).task(id));
        }
        connecting
    });
    if connecting != Some(true) {
        return;
    }
    match result {
        Ok(found) => start(id, found),
        Err(error) => {
            with_core(|core| socket_state::destroy(core, id, Some(error)));
        }
    }
}

fn start(id: HandleId, targets: Vec<Target>) {
    with_core(|core| {
        let Some(socket) = core.socket(id) else {
            return;
        };
        if let Some(connect) = socket.connect.as_mut() {
            connect.addresses = targets.into();
        }
        connect_next(core, id, None);
    });
}

#[derive(Default)]
pub(crate) struct ConnectState {
    pub(crate) addresses: VecDeque<Target>,
    /// The address being tried, for the error if it fails.
    pub(crate) attempted: Option<Target>,
    /// `localAddress`/`localPort` to bind before connecting.
    pub(crate) local: Option<SocketAddr>,
    /// With `autoSelectFamily`: how long one attempt may take when another address waits.
    pub(crate) attempt_timeout: Option<Duration>,
    /// The timer that enforces `attempt_timeout`, made on first need.
    pub(crate) timer: Option<HandleId>,
    /// Every attempt's failure, for the aggregate error when all of them fail.
    pub(crate) errors: Vec<Error>,
    /// Every address tried, as `ip:port`: Node's `autoSelectFamilyAttemptedAddresses`, kept
    /// after the connect.
    pub(crate) attempted_addresses: Vec<String>,
    /// Node 22's client-side `blockList`: addresses this socket must not connect to.
    pub(crate) block_list: Option<crate::ip::BlockList>,
}

/// Finishes a connect; on success emits `'connect'` and `'ready'` before any `'data'`, and
/// sends what was written while connecting.
pub(crate) fn connected(id: HandleId) -> bool {
    let progress = with_core(|core| finish_connect(core, id));
    if !matches!(progress, Some(ConnectProgress::Connected)) {
        tasks::drain();
        return false;
    }
    log::debug!("connected: {}", crate::net::log_addr::of(id));
    emit::emit_unit(id, "connect");
    emit::emit_unit(id, "ready");
    // Counted now, not at connect(): the tutorial's client adds its listeners in the connect
    // callback.
    crate::runtime::unhandled::warn_if_unguarded(id, "a connected socket");
    tasks::drain();
    with_core(|core| socket_state::flush(core, id));
    tasks::drain();
    true
}

/// Starts (or moves on to) the next address of a connecting socket, after the failure (if
/// any) of the previous attempt. When none is left the socket fails: with the one error, or, as
/// Node's `AggregateError`, with all of them.
pub(crate) fn connect_next(core: &mut Core, id: HandleId, failure: Option<Error>) {
    if let Some(error) = failure {
        attempt_failed(core, id, error);
    }
    loop {
        let Some(socket) = core.socket(id) else {
            return;
        };
        if socket.is_closed() {
            return;
        }
        let Some(connect) = socket.connect.as_mut() else {
            return;
        };
        let Some(address) = connect.addresses.pop_front() else {
            break;
        };
        if let (Some(list), Target::Ip(ip)) = (&connect.block_list, &address) {
            if list.check_ip(ip.ip()) {
                // Node 22: ERR_IP_BLOCKED destroys the socket at once.
                let error = codes::ip_blocked(&ip.ip().to_string());
                destroy(core, id, Some(error));
                return;
            }
        }
        if let Target::Ip(ip) = &address {
            // Node writes `${address}:${port}`, IPv6 without brackets.
            connect
                .attempted_addresses
                .push(format!("{}:{}", ip.ip(), ip.port()));
        }
        connect.attempted = Some(address.clone());
        let local = connect.local;
        let deadline = connect
            .attempt_timeout
            .filter(|_| !connect.addresses.is_empty());
        tick(
            core,
            id,
            SocketNotice::Attempt(Box::new(attempt_info(&address, None))),
        );
        let failure = match Stream::connect(&address, local) {
            Ok(mut stream) => {
                let interest = Interest::READABLE | Interest::WRITABLE;
                match core
                    .poll
                    .registry()
                    .register(&mut stream, Token(id.key()), interest)
                {
                    Ok(()) => {
                        if let Some(socket) = core.socket(id) {
                            socket.stream = Some(stream);
                            socket.phase = Phase::Connecting;
                        }
                        set_attempt_timer(core, id, deadline);
                        return;
                    }
                    Err(err) => err,
                }
            }
            Err(err) => err,
        };
        let error = Error::from_io_at(&failure, "connect", &address.address(), address.port());
        attempt_failed(core, id, error);
        set_attempt_timer(core, id, None);
    }
    let errors = core
        .socket(id)
        .and_then(|socket| socket.connect.as_mut())
        .map(|connect| std::mem::take(&mut connect.errors))
        .unwrap_or_default();
    let error = match errors.len() {
        0 => Error::new("no address to connect to"),
        1 => errors.into_iter().next().unwrap_or_else(|| Error::new("")),
        _ => Error::aggregate(errors),
    };
    destroy(core, id, Some(error));
}

fn attempt_info(target: &Target, error: Option<Error>) -> AttemptInfo {
    AttemptInfo {
        address: target.address(),
        port: target.port().unwrap_or(0),
        family: target.family(),
        error,
    }
}

/// Records a failed attempt and tells `'connectionAttemptFailed'` listeners.
fn attempt_failed(core: &mut Core, id: HandleId, error: Error) {
    let Some(connect) = core.socket(id).and_then(|socket| socket.connect.as_mut()) else {
        return;
    };
    let attempted = connect.attempted.clone();
    connect.errors.push(error.clone());
    if let Some(target) = attempted {
        let info = attempt_info(&target, Some(error));
        tick(core, id, SocketNotice::AttemptFailed(Box::new(info)));
    }
}

/// Arms the attempt timer for the attempt just started, or (last address: nothing to move on
/// to) removes it.
fn set_attempt_timer(core: &mut Core, id: HandleId, timeout: Option<Duration>) {
    let Some(connect) = core.socket(id).and_then(|socket| socket.connect.as_mut()) else {
        return;
    };
    let existing = connect.timer;
    let Some(timeout) = timeout else {
        if let Some(timer) = existing {
            connect.timer = None;
            timers::remove_internal(core, timer);
        }
        return;
    };
    let timer = existing.unwrap_or_else(|| {
        let timer = timers::add_internal(core, Box::new(move || attempt_timed_out(id)));
        if let Some(connect) = core.socket(id).and_then(|socket| socket.connect.as_mut()) {
            connect.timer = Some(timer);
        }
        timer
    });
    let deadline = core.now + timeout;
    timers::arm_internal(core, timer, deadline);
}

/// An attempt outlived `autoSelectFamilyAttemptTimeout`: drop it, say so, try the next address.
fn attempt_timed_out(id: HandleId) {
    with_core(|core| {
        let Some(socket) = core.socket(id) else {
            return;
        };
        if socket.phase != Phase::Connecting {
            return;
        }
        let Some(target) = socket.connect.as_ref().and_then(|c| c.attempted.clone()) else {
            return;
        };
        if let Some(mut stream) = socket.stream.take() {
            let _ = core.poll.registry().deregister(&mut stream);
        }
        let info = attempt_info(&target, None);
        tick(core, id, SocketNotice::AttemptTimeout(Box::new(info)));
        connect_next(core, id, None);
    });
}

/// The connect bookkeeping is done with: free its timer.
fn finish_connect_state(core: &mut Core, id: HandleId) {
    // The state itself stays: it holds the attempted addresses Node keeps after a connect.
    let timer = core
        .socket(id)
        .and_then(|socket| socket.connect.as_mut())
        .and_then(|connect| {
            connect.addresses.clear();
            connect.errors.clear();
            connect.timer.take()
        });
    if let Some(timer) = timer {
        timers::remove_internal(core, timer);
    }
}

/// The outcome of a readiness event on a connecting socket.
pub(crate) enum ConnectProgress {
    Pending,
    Connected,
    Failed,
}

/// Checks whether a connecting socket got through; on failure moves on to the next address.
pub(crate) fn finish_connect(core: &mut Core, id: HandleId) -> ConnectProgress {
    let Some(socket) = core.socket(id) else {
        return ConnectProgress::Failed;
    };
    if socket.phase != Phase::Connecting {
        return ConnectProgress::Failed;
    }
    let Some(stream) = socket.stream.as_ref() else {
        return ConnectProgress::Failed;
    };
    let failure = match stream.take_error() {
        Ok(Some(err)) | Err(err) => Some(err),
        Ok(None) => match stream.check_connected() {
            Ok(peer) => {
                socket.peer = peer;
                None
            }
            Err(err) if err.kind() == io::ErrorKind::NotConnected => {
                return ConnectProgress::Pending
            }
            Err(err) => Some(err),
        },
    };
    if let Some(err) = failure {
        let (address, port) = socket
            .connect
            .as_ref()
            .and_then(|connect| connect.attempted.as_ref())
            .map_or((String::new(), None), |target| {
                (target.address(), target.port())
            });
        if let Some(mut stream) = socket.stream.take() {
            let _ = core.poll.registry().deregister(&mut stream);
        }
        let error = Error::from_io_at(&err, "connect", &address, port);
        connect_next(core, id, Some(error));
        return ConnectProgress::Failed;
    }
    socket.phase = Phase::Open;
    // Paused before it connected: Node's afterConnect does not start reading.
    socket.readable.held = socket.readable.flowing == Flowing::No;
    let stream = match socket.stream.as_ref() {
        Some(stream) => stream,
        None => return ConnectProgress::Failed,
    };
    // Node's initSocketHandle applies only what was turned on: off is the OS default.
    if socket.no_delay {
        stream.set_nodelay(true);
    }
    if let (true, delay) = socket.keep_alive {
        stream.set_keep_alive(true, u64::from(delay) * 1000);
    }
    finish_connect_state(core, id);
    update_activity(core, id);
    ConnectProgress::Connected
}
