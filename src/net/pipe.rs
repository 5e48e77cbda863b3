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
//! `'close'`, or when [`Socket::unpipe`] is called; the source is paused once no pipe is left.
//! Errors are not forwarded either way, as in Node: listen for `'error'`/`'close'` on both
//! sockets (see `examples/proxy.rs`). One difference: Node tracks every destination of a source
//! so that the slowest one sets the pace; here each pipe pauses and resumes the source on its
//! own, so give a source one destination.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

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

/// One live pipe, so that `unpipe` can find the pipes of a source: Node keeps them in the
/// source's `state.pipes`.
struct Registered {
    source: Socket,
    destination: Socket,
    piping: Weak<Piping>,
}

thread_local! {
    // One list per thread, as there is one loop per thread. Only live pipes are listed: a pipe
    // leaves when it comes apart, and the `Drop` of its `Piping` sweeps out any it missed.
    static PIPES: RefCell<Vec<Registered>> = const { RefCell::new(Vec::new()) };
}

/// The live pipes from `source` (to `destination` only, if given).
fn pipes_from(source: Socket, destination: Option<Socket>) -> Vec<Rc<Piping>> {
    PIPES.with(|pipes| {
        pipes
            .borrow()
            .iter()
            .filter(|pipe| {
                pipe.source == source && destination.is_none_or(|dest| pipe.destination == dest)
            })
            .filter_map(|pipe| pipe.piping.upgrade())
            .filter(|piping| !piping.unpiped.get())
            .collect()
    })
}

/// Node's `readable.unpipe([destination])`: takes apart the pipes from `source` to
/// `destination`, or all of them; the source pauses once none is left.
pub(crate) fn unpipe(source: Socket, destination: Option<Socket>) {
    let found: Vec<(Socket, Rc<Piping>)> = PIPES.with(|pipes| {
        pipes
            .borrow()
            .iter()
            .filter(|pipe| {
                pipe.source == source && destination.is_none_or(|dest| pipe.destination == dest)
            })
            .filter_map(|pipe| Some((pipe.destination, pipe.piping.upgrade()?)))
            .collect()
    });
    // The registry is no longer borrowed: unpiping removes listeners and may drop `Piping`s.
    for (destination, piping) in found {
        piping.unpipe(source, destination);
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
    /// Node's `unpipe(destination)`: this pipe's listeners removed, and the source paused if
    /// no other pipe is left (or let go, if only this pipe was holding it back).
    fn unpipe(&self, source: Socket, destination: Socket) {
        if self.unpiped.replace(true) {
            return;
        }
        PIPES.with(|pipes| {
            pipes
                .borrow_mut()
                .retain(|pipe| !std::ptr::eq(pipe.piping.as_ptr(), self))
        });
        let source_ids = std::mem::take(&mut *self.source.borrow_mut());
        let destination_ids = std::mem::take(&mut *self.destination.borrow_mut());
        for id in source_ids {
            source.off(id);
        }
        for id in destination_ids {
            destination.off(id);
        }
        let others = pipes_from(source, None);
        if others.is_empty() {
            source.pause();
        } else if self.awaiting_drain.get()
            && !others.iter().any(|other| other.awaiting_drain.get())
        {
            // Node's cleanup calls the pending `ondrain`: the flow was waiting on this
            // destination only.
            source.resume();
        }
    }
}

impl Drop for Piping {
    /// A pipe whose sockets closed without unpiping (its listeners went with their slots)
    /// leaves the registry here. `try_with`/`try_borrow_mut`: at thread exit, or if a pipe is
    /// dropped while the registry is being read, the next sweep takes it instead.
    fn drop(&mut self) {
        let _ = PIPES.try_with(|pipes| {
            if let Ok(mut pipes) = pipes.try_borrow_mut() {
                pipes.retain(|pipe| pipe.piping.strong_count() > 0);
            }
        });
    }
}

/// Wires `source` into `destination`; see the module docs. Returns `destination`, as Node does,
/// so pipes chain.
pub(crate) fn pipe(source: Socket, destination: Socket, options: PipeOptions) -> Socket {
    // The listeners hold the `Rc`; unpiping removes them, and the sockets' slots drop the rest
    // when they close, so nothing outlives both sockets.
    let piping = Rc::new(Piping::default());
    PIPES.with(|pipes| {
        let mut pipes = pipes.borrow_mut();
        pipes.retain(|pipe| pipe.piping.strong_count() > 0);
        pipes.push(Registered {
            source,
            destination,
            piping: Rc::downgrade(&piping),
        });
    });

    let state = Rc::clone(&piping);
    let on_data = source.on_with_id(Data, move |chunk| {
        if !destination.write(chunk) && !state.unpiped.get() {
            state.awaiting_drain.set(true);
            source.pause();
        }
    });
    let state = Rc::clone(&piping);
    let on_end = source.on_with_id(End, move || {
        if options.end {
            destination.end();
        } else {
            state.unpipe(source, destination);
        }
    });
    piping.source.borrow_mut().extend([on_data, on_end]);

    let state = Rc::clone(&piping);
    let on_drain = destination.on_with_id(Drain, move || {
        if state.awaiting_drain.replace(false) {
            source.resume();
        }
    });
    let state = Rc::clone(&piping);
    let on_finish = destination.on_with_id(Finish, move || state.unpipe(source, destination));
    let state = Rc::clone(&piping);
    let on_close =
        destination.on_with_id(Close, move |_had_error| state.unpipe(source, destination));
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
