//! Options for `Socket::new`: Node's `new net.Socket(options)`.

/// Options for [`Socket::new`](crate::net::Socket::new): Node's `new net.Socket(options)`.
///
/// Node's `fd`, `readable`/`writable` and `signal` have no field here: adopt a descriptor with
/// [`Socket::from_std`](crate::net::Socket::from_std), and stop a socket with `destroy()`.
///
/// ```
/// use nodenet::net::SocketOptions;
/// let options = SocketOptions { allow_half_open: true, ..SocketOptions::default() };
/// assert_eq!(options.high_water_mark, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SocketOptions {
    /// Keep our side writable after the peer ends (Node's `allowHalfOpen`, default false:
    /// the socket ends itself when the peer does).
    pub allow_half_open: bool,
    /// Both high-water marks at once (Node's `highWaterMark`; default 16 KiB each).
    pub high_water_mark: Option<usize>,
    /// Bytes kept for a consumer that has not read them before reading from the kernel
    /// stops (Node's `readableHighWaterMark`); overrides `high_water_mark`.
    pub readable_high_water_mark: Option<usize>,
    /// Queued bytes at which `write` returns false (Node's `writableHighWaterMark`);
    /// overrides `high_water_mark`.
    pub writable_high_water_mark: Option<usize>,
    /// Turn Nagle's algorithm off once connected (Node's `noDelay`).
    pub no_delay: bool,
    /// Turn TCP keep-alive on once connected (Node's `keepAlive`).
    pub keep_alive: bool,
    /// With `keep_alive`: idle time before the first probe, in ms (whole seconds count).
    pub keep_alive_initial_delay: u64,
}
