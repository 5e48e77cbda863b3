//! What a stop request does on the loop's own thread: Node's `worker.disconnect()` followed by
//! the kill a primary sends when a worker lingers, done in one go since a thread cannot be
//! killed.

use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::net::{Server, Socket};
use crate::runtime::core::with_core;

/// How often a stopping loop sweeps again, for handles that `'close'` listeners open after the
/// first sweep (a client that reconnects on close, say).
const SWEEP_MS: u64 = 10;

/// Closes every server, destroys every socket and clears every referenced timer and immediate
/// of this thread's loop, so `run()` returns once the `'close'` events have been emitted; then
/// keeps sweeping, unref'd, while the loop still runs.
pub(crate) fn stop_this_loop() {
    sweep();
    // Unref'd: the sweep itself never keeps the loop alive.
    crate::timers::set_interval(SWEEP_MS, sweep).unref();
}

fn sweep() {
    let handles = with_core(|core| {
        core.io
            .iter()
            .filter(|(_, slot)| slot.active)
            .filter_map(|(key, slot)| {
                let id = HandleId::new(key, slot.generation);
                let stop: fn(HandleId) = match slot.kind {
                    Kind::Server(_) => |id| {
                        Server::from_id(id).close(());
                    },
                    Kind::Socket(_) | Kind::Tls(_) => |id| {
                        Socket::from_id(id).destroy();
                    },
                    Kind::Dgram(_) => |id| {
                        // Closing a closed socket is the only failure, and it is closing.
                        let _ = crate::dgram::Socket::from_id(id).close(());
                    },
                    // The signal pipe is inactive, so never here; signal listeners do not keep
                    // a loop alive.
                    Kind::Signals(_) => return None,
                };
                Some((id, stop))
            })
            .collect::<Vec<_>>()
    })
    .unwrap_or_default();
    for (id, stop) in handles {
        stop(id);
    }
    crate::timers::clear_referenced();
}
