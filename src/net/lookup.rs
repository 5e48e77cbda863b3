//! Turning a host into addresses without blocking the loop: Node's `dns.lookup` as `net` uses it.
//!
//! IP literals are answered at once. Any other name is resolved by the system
//! resolver (`getaddrinfo`, which may block for seconds) on the bounded thread pool
//! ([`crate::threadpool`], libuv's, 4 threads by default), and the answer is posted back into
//! the loop through a [`Remote`](crate::Remote), which keeps the loop alive meanwhile, as a
//! pending `GetAddrInfoReqWrap` keeps Node's. A lookup whose handle is freed while it waits in
//! the pool's queue is cancelled: dropped unrun, so it holds neither a thread nor the loop.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use crate::error::Error;
use crate::handle::HandleId;
use crate::threadpool::{self, WorkId};

thread_local! {
    /// This loop's lookups not yet answered, by the handle that asked.
    static PENDING: RefCell<HashMap<HandleId, WorkId>> = RefCell::new(HashMap::new());
}

/// Addresses known without asking a resolver: an IP literal (IPv6 with or without brackets).
/// Every name, `localhost` included, goes to the system resolver as Node's `dns.lookup` does, so
/// a host file that lists `::1` and `127.0.0.1` gives both, in its order, to try one by one.
pub(crate) fn immediate(host: &str) -> Option<Vec<IpAddr>> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(vec![ip]);
    }
    None
}

/// Resolves `host` on the thread pool for the handle `owner`; `done` runs on the loop's thread
/// with the result, unless the lookup was cancelled first (see [`cancel`]).
pub(crate) fn resolve(
    owner: HandleId,
    host: String,
    port: u16,
    done: impl FnOnce(Result<Vec<SocketAddr>, Error>) + Send + 'static,
) {
    let remote = crate::remote::remote();
    let (answer, answered) = std::sync::mpsc::sync_channel::<WorkId>(1);
    let submitted = threadpool::submit(Box::new(move || {
        log::trace!("lookup {host}");
        let result = lookup(&host, port);
        let id = answered.recv().ok();
        remote.post(move || {
            if let Some(id) = id {
                finished(owner, id);
            }
            done(result);
        });
    }));
    match submitted {
        Ok(id) => {
            // The work needs its own id to clear its entry; it waits for it only if it started
            // before this line ran, which takes a lookup's time.
            let _ = answer.send(id);
            PENDING.with(|pending| pending.borrow_mut().insert(owner, id));
        }
        Err(work) => {
            // No thread could be started: block the loop for this one lookup rather than
            // leave the socket waiting for an answer that never comes. Without its id (the
            // sender is dropped first, so it does not wait for one) it clears no entry.
            log::error!("no thread pool thread could be started; looking up on the loop");
            drop(answer);
            work();
        }
    }
}

/// An answer arrived on the loop: the lookup is no longer pending.
fn finished(owner: HandleId, id: WorkId) {
    PENDING.with(|pending| {
        let mut pending = pending.borrow_mut();
        if pending.get(&owner) == Some(&id) {
            pending.remove(&owner);
        }
    });
}

/// The handle `owner` was freed: its lookup, if still queued, is dropped unrun (libuv's
/// `uv_cancel`), which lets go of the loop at once. A lookup already running finishes and its
/// answer finds no handle. Returns the dropped work, for the caller to drop outside the loop's
/// borrow.
pub(crate) fn cancel(owner: HandleId) -> Option<threadpool::Work> {
    let id = PENDING
        .try_with(|pending| {
            let mut pending = pending.try_borrow_mut().ok()?;
            if pending.is_empty() {
                return None;
            }
            pending.remove(&owner)
        })
        .ok()
        .flatten()?;
    let work = threadpool::cancel(id);
    if work.is_some() {
        log::debug!("lookup cancelled: its handle was closed while it waited in the pool");
    }
    work
}

/// How many lookups this loop is waiting for (Node's `GetAddrInfoReqWrap`s).
pub(crate) fn pending_count() -> usize {
    PENDING
        .try_with(|pending| pending.try_borrow().map_or(0, |pending| pending.len()))
        .unwrap_or(0)
}

fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
    let not_found = |_: io::Error| not_found(host);
    let addresses: Vec<SocketAddr> = (host, port).to_socket_addrs().map_err(not_found)?.collect();
    if addresses.is_empty() {
        return Err(not_found(io::ErrorKind::NotFound.into()));
    }
    Ok(addresses)
}

/// Node's lookup failure: `getaddrinfo ENOTFOUND host`.
fn not_found(host: &str) -> Error {
    Error::lookup_failure("ENOTFOUND", host)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;
    use std::sync::{Arc, Condvar, Mutex};
    use std::time::{Duration, Instant};

    use crate::event::{Close, Lookup};
    use crate::threadpool;

    /// Every pool thread is kept busy, so these lookups wait in the queue when their sockets
    /// are destroyed: the work is dropped unrun, and with it the `Remote` that would keep the
    /// loop alive, so `run()` returns at once.
    #[test]
    fn lookups_freed_while_queued_are_dropped_unrun() {
        let gate = Arc::new((Mutex::new((0usize, false)), Condvar::new()));
        for _ in 0..threadpool::threadpool_size() {
            let gate = gate.clone();
            let _ = threadpool::submit(Box::new(move || {
                let (lock, changed) = &*gate;
                let mut state = lock.lock().unwrap();
                state.0 += 1;
                changed.notify_all();
                while !state.1 {
                    state = changed.wait(state).unwrap();
                }
            }));
        }
        let open = |gate: &Arc<(Mutex<(usize, bool)>, Condvar)>| {
            let (lock, changed) = &**gate;
            lock.lock().unwrap().1 = true;
            changed.notify_all();
        };
        {
            let (lock, changed) = &*gate;
            let mut state = lock.lock().unwrap();
            while state.0 < threadpool::threadpool_size() {
                state = changed.wait(state).unwrap();
            }
        }
        // A safety net should cancelling fail: the loop would wait for the pool.
        let net = gate.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(10));
            open(&net);
        });
        let looked_up = Rc::new(Cell::new(0));
        let closed = Rc::new(Cell::new(0));
        for _ in 0..1000 {
            let socket = crate::net::connect(1, "localhost", |_| {});
            let (l, c) = (looked_up.clone(), closed.clone());
            socket.on(Lookup, move |_| l.set(l.get() + 1));
            socket.on(Close, move |_| c.set(c.get() + 1));
            socket.destroy();
        }
        assert_eq!(super::pending_count(), 1000);
        let started = Instant::now();
        crate::run().unwrap();
        assert!(started.elapsed() < Duration::from_secs(5), "run() waited");
        assert_eq!(looked_up.get(), 0);
        assert_eq!(closed.get(), 1000);
        assert_eq!(super::pending_count(), 0);
        assert!(crate::loop_stats().is_empty());
        assert!(crate::active_resources().is_empty());
        open(&gate);
    }
}
