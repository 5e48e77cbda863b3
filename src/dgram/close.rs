//! Closing: Node's `socket.close` and `socketCloseNT`, over libuv's `uv_close` of a UDP handle.
//!
//! The descriptor is closed at once and `'close'` follows on a later tick. A close made while
//! sends wait for a bind or lookup waits behind them, as Node queues it. Datagrams still in the
//! send queue are cancelled: their callbacks get `ECANCELED` after `'close'`, as libuv's
//! `uv__udp_finish_close` completes them.

use std::io;

use super::kind::DgramNotice;
use crate::error::Error;
use crate::handle::HandleId;
use crate::runtime::core::Core;
use crate::runtime::tasks::Task;

/// libuv's `UV_ECANCELED`.
const ECANCELED: i32 = 125;

/// Closes the socket now; the caller has checked it is open.
pub(crate) fn close_now(core: &mut Core, id: HandleId) {
    let referenced = core.slot(id).is_some_and(|slot| slot.referenced);
    let Some(ctx) = core.dgram_ctx(id) else {
        return;
    };
    let state = ctx.state;
    state.closed = true;
    if let Some(mut socket) = state.socket.take() {
        let _ = ctx.registry.deregister(&mut socket);
    }
    // What waited is dropped by a tick, outside the borrow: closures may run code when dropped.
    let waiting = state.waiting.take();
    let queue = std::mem::take(&mut state.queue);
    let writes = std::mem::take(&mut state.writes);
    state.writes_bytes = 0;
    state.connecting = false;
    ctx.ticks.push_back(DgramNotice::Close.task(id));
    for write in writes {
        if let Some(callback) = write.callback {
            let cancelled = io::Error::from_raw_os_error(ECANCELED);
            let error = match (&write.named, write.to) {
                (Some((host, port)), _) => Error::from_io_at(&cancelled, "send", host, Some(*port)),
                (None, Some(to)) => {
                    Error::from_io_at(&cancelled, "send", &to.ip().to_string(), Some(to.port()))
                }
                (None, None) => Error::from_io(&cancelled, "send"),
            };
            ctx.ticks.push_back(Task::Done(
                Box::new(move |err| callback(err, 0)),
                Some(error),
            ));
        }
    }
    if waiting.is_some() || !queue.is_empty() {
        ctx.ticks.push_back(Task::User(Box::new(move || {
            drop(waiting);
            drop(queue);
        })));
    }
    core.set_liveness(id, false, referenced);
}
