//! Options for an outgoing connection: Node's `net.connect(options)`.

use std::cell::Cell;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::rc::Rc;

use crate::error::Error;

/// A custom name lookup, Node's `lookup` option: given the host, the addresses to try, in order.
/// It runs on the loop's thread, so it must not block; it is for tests and for hosts a program
/// resolves itself.
///
/// ```
/// use nodenet::net::Lookup;
/// let lookup = Lookup::new(|_host| Ok(vec!["::1".parse().unwrap(), "127.0.0.1".parse().unwrap()]));
/// assert_eq!(lookup.resolve("dual.test").unwrap().len(), 2);
/// ```
#[derive(Clone)]
pub struct Lookup(Rc<LookupFn>);

/// What a [`Lookup`] wraps.
type LookupFn = dyn Fn(&str) -> Result<Vec<IpAddr>, Error>;

impl Lookup {
    /// Wraps a lookup function.
    ///
    /// ```
    /// let lookup = nodenet::net::Lookup::new(|host| Err(nodenet::Error::with_code("ENOTFOUND", host.to_string())));
    /// assert!(lookup.resolve("x").is_err());
    /// ```
    pub fn new(lookup: impl Fn(&str) -> Result<Vec<IpAddr>, Error> + 'static) -> Lookup {
        Lookup(Rc::new(lookup))
    }

    /// Calls the function.
    ///
    /// ```
    /// let lookup = nodenet::net::Lookup::new(|_| Ok(vec!["127.0.0.1".parse().unwrap()]));
    /// assert_eq!(lookup.resolve("x").unwrap().len(), 1);
    /// ```
    pub fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, Error> {
        (self.0)(host)
    }
}

impl fmt::Debug for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lookup(..)")
    }
}

impl PartialEq for Lookup {
    fn eq(&self, other: &Lookup) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Lookup {}

/// How to connect: Node's `net.connect(options[, connectListener])` options.
///
/// ```
/// use nodenet::net::ConnectOptions;
/// let options = ConnectOptions {
///     local_address: Some("127.0.0.1".into()),
///     no_delay: true,
///     ..ConnectOptions::new(8080, "localhost")
/// };
/// assert_eq!(options.port, 8080);
/// assert_eq!(options.auto_select_family_attempt_timeout, 250);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectOptions {
    /// The port to connect to.
    pub port: u16,
    /// The host: an IP address or a name to look up (default `localhost`, as in Node).
    pub host: String,
    /// Connect to a Unix domain socket file instead of `host:port` (Node's `path`).
    pub path: Option<PathBuf>,
    /// Bind to this local address before connecting (Node's `localAddress`).
    pub local_address: Option<String>,
    /// Bind to this local port before connecting (Node's `localPort`).
    pub local_port: Option<u16>,
    /// Only addresses of this IP version: 4, 6, or 0 for both (Node's `family`).
    pub family: u8,
    /// Idle timeout in ms, as if `set_timeout` were called (Node's `timeout`); 0 for none.
    pub timeout: u64,
    /// Disable Nagle's algorithm once connected (Node's `noDelay`).
    pub no_delay: bool,
    /// Enable keep-alive once connected (Node's `keepAlive`).
    pub keep_alive: bool,
    /// Idle time before the first keep-alive probe, in ms (Node's `keepAliveInitialDelay`).
    pub keep_alive_initial_delay: u64,
    /// Keep writing after the peer's FIN instead of ending too (Node's `allowHalfOpen`).
    pub allow_half_open: bool,
    /// Try every address a name resolves to, one after another (Node 20's `autoSelectFamily`,
    /// default true); false tries only the first.
    pub auto_select_family: bool,
    /// How long one attempt may take before the next address is tried, in ms, when there is
    /// a next one (Node's `autoSelectFamilyAttemptTimeout`, default 250, at least 10).
    pub auto_select_family_attempt_timeout: u64,
    /// A custom lookup instead of the system resolver (Node's `lookup`); also used for IP
    /// literals when set.
    pub lookup: Option<Lookup>,
    /// Where `write` starts returning false, in bytes (Node's `highWaterMark`; default 16 KiB).
    pub high_water_mark: Option<usize>,
    /// Addresses this socket refuses to connect to: Node 22's client-side `blockList`; a hit
    /// fails the socket with `ERR_IP_BLOCKED`.
    pub block_list: Option<crate::ip::BlockList>,
}

thread_local! {
    // Node keeps these per process; nodenet per thread, as it keeps one loop per thread.
    static AUTO_SELECT_FAMILY: Cell<bool> = const { Cell::new(true) };
    static ATTEMPT_TIMEOUT_MS: Cell<u64> = const { Cell::new(250) };
}

/// The `auto_select_family` that [`ConnectOptions::new`] starts from on this thread: Node's
/// `net.getDefaultAutoSelectFamily()` (true, as in Node 20).
///
/// ```
/// assert!(nodenet::net::get_default_auto_select_family());
/// ```
pub fn get_default_auto_select_family() -> bool {
    AUTO_SELECT_FAMILY.with(Cell::get)
}

/// Changes this thread's default `auto_select_family`: Node's
/// `net.setDefaultAutoSelectFamily(value)`.
///
/// ```
/// nodenet::net::set_default_auto_select_family(false);
/// assert!(!nodenet::net::ConnectOptions::new(80, "localhost").auto_select_family);
/// nodenet::net::set_default_auto_select_family(true);
/// ```
pub fn set_default_auto_select_family(value: bool) {
    AUTO_SELECT_FAMILY.with(|cell| cell.set(value));
}

/// This thread's default attempt timeout, in ms: Node's
/// `net.getDefaultAutoSelectFamilyAttemptTimeout()` (250).
///
/// ```
/// assert_eq!(nodenet::net::get_default_auto_select_family_attempt_timeout(), 250);
/// ```
pub fn get_default_auto_select_family_attempt_timeout() -> u64 {
    ATTEMPT_TIMEOUT_MS.with(Cell::get)
}

/// Changes this thread's default attempt timeout; values under 10 ms become 10, as in Node:
/// Node's `net.setDefaultAutoSelectFamilyAttemptTimeout(value)`.
///
/// ```
/// nodenet::net::set_default_auto_select_family_attempt_timeout(1);
/// assert_eq!(nodenet::net::get_default_auto_select_family_attempt_timeout(), 10);
/// nodenet::net::set_default_auto_select_family_attempt_timeout(250);
/// ```
pub fn set_default_auto_select_family_attempt_timeout(ms: u64) {
    ATTEMPT_TIMEOUT_MS.with(|cell| cell.set(ms.max(10)));
}

impl ConnectOptions {
    /// Node's defaults for `host:port`.
    ///
    /// ```
    /// let options = nodenet::net::ConnectOptions::new(80, "example.test");
    /// assert!(options.auto_select_family);
    /// assert!(!options.allow_half_open);
    /// ```
    pub fn new(port: u16, host: &str) -> ConnectOptions {
        ConnectOptions {
            port,
            host: host.to_string(),
            path: None,
            local_address: None,
            local_port: None,
            family: 0,
            timeout: 0,
            no_delay: false,
            keep_alive: false,
            keep_alive_initial_delay: 0,
            allow_half_open: false,
            auto_select_family: get_default_auto_select_family(),
            auto_select_family_attempt_timeout: get_default_auto_select_family_attempt_timeout(),
            lookup: None,
            high_water_mark: None,
            block_list: None,
        }
    }

    /// Node's defaults for a Unix domain socket file.
    ///
    /// ```
    /// let options = nodenet::net::ConnectOptions::path("/tmp/app.sock");
    /// assert!(options.path.is_some());
    /// ```
    pub fn path(path: impl Into<PathBuf>) -> ConnectOptions {
        ConnectOptions {
            path: Some(path.into()),
            ..ConnectOptions::new(0, "localhost")
        }
    }
}

/// A port alone connects to Node's default host, `localhost`, as `net.connect(port)` does.
///
/// ```
/// let options = nodenet::net::ConnectOptions::from(8124);
/// assert_eq!((options.port, options.host.as_str()), (8124, "localhost"));
/// ```
impl From<u16> for ConnectOptions {
    fn from(port: u16) -> ConnectOptions {
        ConnectOptions::new(port, "localhost")
    }
}

/// A port and a host, as `net.connect(port, host)`.
///
/// ```
/// let options = nodenet::net::ConnectOptions::from((8124, "127.0.0.1"));
/// assert_eq!(options.host, "127.0.0.1");
/// ```
impl From<(u16, &str)> for ConnectOptions {
    fn from((port, host): (u16, &str)) -> ConnectOptions {
        ConnectOptions::new(port, host)
    }
}
