//! Making an outgoing connection: Node's `net.connect(options)` and `socket.connect(...)`.
//!
//! Mirrors `lib/net.js`'s `lookupAndConnect` and Node 20's `internalConnectMultiple`: IP
//! literals connect at once, names are looked up off the loop (then `'lookup'`), the results are
//! filtered by `family`, and with `autoSelectFamily` each address is tried in turn, an attempt
//! that takes longer than `autoSelectFamilyAttemptTimeout` giving way to the next. Every
//! attempt is announced (`'connectionAttempt'`) and its failure too; if every address fails
//! the socket's error is an aggregate of them, as Node's `AggregateError`.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::error::Error;
use crate::handle::HandleId;
use crate::net::connect_events::LookupInfo;
use crate::net::connect_options::ConnectOptions;
use crate::net::idle_timeout;
use crate::net::lookup;
use crate::net::socket::Socket;
use crate::net::socket_state::{self, SocketNotice};
use crate::net::stream::Target;
use crate::runtime::core::with_core;

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
        socket_state::connect_next(core, id, None);
    });
}
