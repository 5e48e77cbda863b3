//! What waits for a bind or a lookup: Node's `enqueue`/`clearQueue`, and the lookups
//! themselves (Node's `state.lookup`, `dns.lookup` for the socket's family).
//!
//! One lookup is out per socket at a time; operations made meanwhile wait in call order, so
//! datagrams leave in the order they were sent.

use std::net::{IpAddr, SocketAddr};

use super::datagram::Parts;
use super::kind::{ConnectFailure, DgramNotice};
use super::state::{BindState, Op, Waiting};
use crate::error::Error;
use crate::handle::HandleId;
use crate::runtime::core::{with_core, Core};
use crate::runtime::tasks::Task;

/// Looks `host` up on the thread pool; the answer continues what the socket waits for.
/// Called with the loop state not borrowed.
pub(crate) fn lookup(id: HandleId, host: String) {
    crate::net::lookup::resolve(id, host, 0, move |result| resolved(id, result));
}

/// The lookup's answer: the address of the socket's family, or Node's `ENOTFOUND`.
fn pick(
    core: &mut Core,
    id: HandleId,
    host: &str,
    result: Result<Vec<SocketAddr>, Error>,
) -> Result<IpAddr, Error> {
    let v6 = core
        .dgram(id)
        .is_some_and(|state| state.socket_type.is_v6());
    result?
        .into_iter()
        .map(|address| address.ip())
        .find(|ip| ip.is_ipv6() == v6)
        .ok_or_else(|| Error::lookup_failure("ENOTFOUND", host))
}

fn resolved(id: HandleId, result: Result<Vec<SocketAddr>, Error>) {
    let next = with_core(|core| {
        let state = core.dgram(id)?;
        if state.closed {
            // Node's doSend and doConnect find no handle and do nothing.
            state.waiting = None;
            return None;
        }
        let waiting = state.waiting.take()?;
        match waiting {
            Waiting::Bind { port, host } => match pick(core, id, &host, result) {
                Ok(ip) => super::bind::finish(core, id, SocketAddr::new(ip, port)),
                Err(error) => core
                    .ticks
                    .push_back(DgramNotice::BindFailed(error).task(id)),
            },
            Waiting::Send {
                data,
                port,
                host,
                callback,
            } => match pick(core, id, &host, result) {
                Ok(ip) => {
                    let mut ctx = core.dgram_ctx(id)?;
                    let to = SocketAddr::new(ip, port);
                    super::send::send_now(
                        &mut ctx,
                        id,
                        &Parts::One(&data),
                        Some(to),
                        Some((host, port)),
                        callback,
                    );
                }
                Err(error) => match callback {
                    Some(callback) => core.ticks.push_back(Task::Done(
                        Box::new(move |err| callback(err, 0)),
                        Some(error),
                    )),
                    None => core.ticks.push_back(DgramNotice::Error(error).task(id)),
                },
            },
            Waiting::Connect(pending) => {
                let host = pending.host.clone();
                match pick(core, id, &host, result) {
                    Ok(ip) => super::connect::connect_now(core, id, pending, ip),
                    Err(error) => {
                        if let Some(state) = core.dgram(id) {
                            state.connecting = false;
                        }
                        let failure = ConnectFailure {
                            error,
                            callback: pending.callback,
                        };
                        core.ticks
                            .push_back(DgramNotice::ConnectFailed(Box::new(failure)).task(id));
                    }
                }
            }
        }
        run(core, id)
    })
    .flatten();
    if let Some(host) = next {
        lookup(id, host);
    }
}

/// Runs what waited, in order, until the queue is empty or an operation needs a lookup
/// (whose host is returned, to start once the loop state is no longer borrowed).
pub(crate) fn run(core: &mut Core, id: HandleId) -> Option<String> {
    loop {
        let state = core.dgram(id)?;
        if state.closed || state.bind != BindState::Bound || state.waiting.is_some() {
            return None;
        }
        let op = state.queue.pop_front()?;
        let lookup = match op {
            Op::Send { data, to, callback } => {
                let mut ctx = core.dgram_ctx(id)?;
                super::send::dispatch(&mut ctx, id, &Parts::One(&data), to, callback)
            }
            Op::Connect(pending) => super::connect::dispatch(core, id, pending),
            Op::Close => {
                super::close::close_now(core, id);
                None
            }
        };
        if lookup.is_some() {
            return lookup;
        }
    }
}
