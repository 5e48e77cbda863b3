//! A socket's idle timeout: Node's `socket.setTimeout(ms)` and its `'timeout'` event.
//!
//! Node refreshes a timer on every read and write; with many busy sockets that is a timer-queue
//! update per I/O. Here I/O only stores the time of the last activity, and the one timer per
//! socket checks it when it fires: still idle long enough, emit `'timeout'`; active since,
//! re-arm for the remaining time. As in Node, `'timeout'` fires once per idle stretch, does not
//! close the socket and does not keep the loop alive.

use std::time::{Duration, Instant};

use crate::handle::HandleId;
use crate::runtime::core::{with_core, Core};
use crate::runtime::emit;
use crate::timers;

pub(crate) struct IdleTimeout {
    timeout: Duration,
    last_active: Instant,
    /// When `'timeout'` was last emitted: no second one until there has been activity.
    last_fired: Option<Instant>,
    timer: HandleId,
}

impl IdleTimeout {
    pub(crate) fn touch(&mut self, now: Instant) {
        self.last_active = now;
    }

    pub(crate) fn cancel(self, core: &mut Core) {
        timers::remove_internal(core, self.timer);
    }
}

/// Sets, changes or (with 0) clears a socket's idle timeout.
pub(crate) fn set(core: &mut Core, socket_id: HandleId, ms: u64) {
    let now = core.now;
    let Some(socket) = core.socket(socket_id) else {
        return;
    };
    // Node's timers hold at most 2^31-1 ms; beyond is saturated here too.
    socket.timeout_ms = Some(ms.min(u64::from(u32::MAX)) as u32);
    // A destroyed socket never times out: no timer may outlive it.
    if ms == 0 || socket.is_closed() {
        if let Some(idle) = socket.idle.take() {
            idle.cancel(core);
        }
        return;
    }
    let timeout = Duration::from_millis(ms);
    let timer = match socket.idle.as_mut() {
        Some(idle) => {
            idle.timeout = timeout;
            idle.last_active = now;
            idle.timer
        }
        None => {
            let timer = timers::add_internal(core, Box::new(move || fire(socket_id)));
            if let Some(socket) = core.socket(socket_id) {
                socket.idle = Some(Box::new(IdleTimeout {
                    timeout,
                    last_active: now,
                    last_fired: None,
                    timer,
                }));
            }
            timer
        }
    };
    timers::arm_internal(core, timer, now + timeout);
}

/// The timer fired: emit `'timeout'` if the socket really has been idle for the whole timeout.
fn fire(socket_id: HandleId) {
    let idle_long_enough = with_core(|core| {
        let now = core.now;
        let idle = core.socket(socket_id)?.idle.as_mut()?;
        let deadline = idle.last_active + idle.timeout;
        let timer = idle.timer;
        if now < deadline {
            timers::arm_internal(core, timer, deadline);
            return Some(false);
        }
        let active_since_last = idle.last_fired.is_none_or(|fired| idle.last_active > fired);
        if active_since_last {
            idle.last_fired = Some(now);
        }
        let next = now + idle.timeout;
        timers::arm_internal(core, timer, next);
        Some(active_since_last)
    })
    .flatten();
    if idle_long_enough == Some(true) {
        emit::emit_unit(socket_id, "timeout");
    }
}
