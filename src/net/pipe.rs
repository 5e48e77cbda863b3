//! `socket.pipe(destination)`: Node's `readable.pipe(destination[, options])`, for sockets.
//!
//! Built only on the public `Socket` API, as Node's `Readable.prototype.pipe` is built on
//! `'data'`, `write`, `pause` and `'drain'`: every chunk read from the source is written to the
//! destination; when `write` returns false the source is paused (TCP then slows the sender) and
//! resumed on the destination's `'drain'`, so memory stays near the destination's high-water
//! mark however fast the source is. The source's `'end'` ends the destination unless
//! [`PipeOptions::end`] is false.
//!
//! As in Node 20, the pipe comes apart (`unpipe`) when the destination emits `'finish'` or
//! `'close'`, and the source is then left paused. Errors are not forwarded either way, as in
//! Node: listen for `'error'`/`'close'` on both sockets (see `examples/proxy.rs`). One
//! difference: Node tracks every destination of a source so that the slowest one sets the pace;
//! here each pipe pauses and resumes the source on its own, so give a source one destination.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::event::{Close, Data, Drain, End, Finish};
use crate::listeners::ListenerId;
use crate::net::Socket;

/// Options for [`Socket::pipe_with`]: Node's `readable.pipe(destination, { end })`.
///
/// ```
/// use nodenet::net::PipeOptions;
/// assert!(PipeOptions::default().end);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipeOptions {
    /// End the destination when the source ends (Node's default, `true`). With `false` the
    /// destination stays writable, to send a trailer of your own, say.
    pub end: bool,
}

impl Default for PipeOptions {
    fn default() -> Self {
        PipeOptions { end: true }
    }
}

/// The listeners one pipe added, so that unpiping removes exactly those.
#[derive(Default)]
struct Piping {
    source: RefCell<Vec<ListenerId>>,
    destination: RefCell<Vec<ListenerId>>,
    /// The source is paused because of this pipe's destination.
    awaiting_drain: Cell<bool>,
    unpiped: Cell<bool>,
}

impl Piping {
    /// Node's `unpipe` with no other destination left: listeners removed, source paused.
    fn unpipe(&self, source: Socket, destination: Socket) {
        if self.unpiped.replace(true) {
            return;
        }
        let source_ids = std::mem::take(&mut *self.source.borrow_mut());
        let destination_ids = std::mem::take(&mut *self.destination.borrow_mut());
        for id in source_ids {
            source.off(id);
        }
        for id in destination_ids {
            destination.off(id);
        }
        source.pause();
    }
}

/// Wires `source` into `destination`; see the module docs. Returns `destination`, as Node does,
/// so pipes chain.
pub(crate) fn pipe(source: Socket, destination: Socket, options: PipeOptions) -> Socket {
    // The listeners hold the `Rc`; unpiping removes them, and the sockets' slots drop the rest
    // when they close, so nothing outlives both sockets.
    let piping = Rc::new(Piping::default());

    let state = Rc::clone(&piping);
    let on_data = source.on(Data, move |chunk| {
        if !destination.write(chunk) && !state.unpiped.get() {
            state.awaiting_drain.set(true);
            source.pause();
        }
    });
    let state = Rc::clone(&piping);
    let on_end = source.on(End, move || {
        if options.end {
            destination.end();
        } else {
            state.unpipe(source, destination);
        }
    });
    piping.source.borrow_mut().extend([on_data, on_end]);

    let state = Rc::clone(&piping);
    let on_drain = destination.on(Drain, move || {
        if state.awaiting_drain.replace(false) {
            source.resume();
        }
    });
    let state = Rc::clone(&piping);
    let on_finish = destination.on(Finish, move || state.unpipe(source, destination));
    let state = Rc::clone(&piping);
    let on_close = destination.on(Close, move |_had_error| state.unpipe(source, destination));
    piping
        .destination
        .borrow_mut()
        .extend([on_drain, on_finish, on_close]);

    // Node's pipe starts the flow, even from a paused source.
    if source.is_paused() {
        source.resume();
    }
    destination
}
