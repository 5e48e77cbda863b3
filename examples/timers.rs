//! The order in which Node runs `process.nextTick`, `setImmediate`, `setTimeout` and
//! `setInterval` callbacks, reproduced with nodenet's `next_tick`, `set_immediate`,
//! `set_timeout` and `set_interval`.
//!
//! The rules: the main program runs to the end first; then every queued next tick (including
//! ticks queued by ticks); then the loop turns: timers that are due, I/O, immediates (an
//! immediate queued by an immediate waits for the next turn), and after every single callback,
//! the next ticks it queued. A timer queued inside a timer runs on a later turn, after the
//! immediates queued beside it.
//!
//! Run it: `cargo run --example timers`; it prints the order and exits. Compare with Node by
//! saving the JavaScript below as `timers.js` and running `node timers.js`: the output is
//! the same, line for line (`tests/examples_terminating.rs` checks this when node is installed).
//! No network is involved, so there is nothing to try with nc/telnet here; `PORT` is unused.
//!
//! ```js
//! console.log('main: start');
//! setTimeout(() => {
//!   console.log('timeout 50');
//!   setTimeout(() => console.log('timeout 0 (queued by timeout 50)'), 0);
//!   setImmediate(() => console.log('immediate (queued by timeout 50)'));
//!   process.nextTick(() => console.log('nextTick (queued by timeout 50)'));
//! }, 50);
//! let n = 0;
//! const interval = setInterval(() => {
//!   n += 1;
//!   console.log(`interval ${n}`);
//!   if (n === 3) clearInterval(interval);
//! }, 150);
//! setTimeout(() => console.log('timeout 600'), 600);
//! const cancelled = setTimeout(() => console.log('never printed'), 5);
//! clearTimeout(cancelled);
//! setImmediate(() => {
//!   console.log('immediate 1');
//!   setImmediate(() => console.log('immediate 3 (queued by immediate 1: next turn)'));
//!   process.nextTick(() => console.log('nextTick (queued by immediate 1)'));
//! });
//! setImmediate(() => console.log('immediate 2'));
//! process.nextTick(() => {
//!   console.log('nextTick 1');
//!   process.nextTick(() => console.log('nextTick 3 (queued by nextTick 1)'));
//! });
//! process.nextTick(() => console.log('nextTick 2'));
//! console.log('main: end');
//! ```
use std::cell::Cell;
use std::rc::Rc;

use nodenet::{
    clear_interval, clear_timeout, next_tick, set_immediate, set_interval, set_timeout, Timer,
};

fn main() -> Result<(), nodenet::Error> {
    env_logger::init();
    println!("main: start");
    set_timeout(50, || {
        println!("timeout 50");
        set_timeout(0, || println!("timeout 0 (queued by timeout 50)"));
        set_immediate(|| println!("immediate (queued by timeout 50)"));
        next_tick(|| println!("nextTick (queued by timeout 50)"));
    });
    // The interval clears itself, so it needs its own handle: set once it exists.
    let interval: Rc<Cell<Option<Timer>>> = Rc::default();
    let handle = Rc::clone(&interval);
    let mut n = 0;
    interval.set(Some(set_interval(150, move || {
        n += 1;
        println!("interval {n}");
        if n == 3 {
            if let Some(interval) = handle.get() {
                clear_interval(interval);
            }
        }
    })));
    set_timeout(600, || println!("timeout 600"));
    let cancelled = set_timeout(5, || println!("never printed"));
    clear_timeout(cancelled);
    set_immediate(|| {
        println!("immediate 1");
        set_immediate(|| println!("immediate 3 (queued by immediate 1: next turn)"));
        next_tick(|| println!("nextTick (queued by immediate 1)"));
    });
    set_immediate(|| println!("immediate 2"));
    next_tick(|| {
        println!("nextTick 1");
        next_tick(|| println!("nextTick 3 (queued by nextTick 1)"));
    });
    next_tick(|| println!("nextTick 2"));
    println!("main: end");
    nodenet::run()
}
