//! Addresses to and from text as libuv does it (`uv_inet_pton`, `uv_inet_ntop`), which is what
//! Node's C++ side uses for `SocketAddress` and `BlockList`.

use super::*;

/// libuv's `inet_pton4`, which is also what Node's `IPv4Reg` accepts.
pub(super) fn parse_dotted_quad(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = 0;
    for part in s.split(|&b| b == b'.') {
        if parts == 4 || part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        let mut v: u16 = 0;
        for &b in part {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u16::from(b - b'0');
        }
        out[parts] = u8::try_from(v).ok()?;
        parts += 1;
    }
    (parts == 4).then_some(out)
}

/// libuv's `inet_pton6` (no zone handling here).
pub(super) fn parse_ipv6_text(src: &[u8]) -> Option<[u8; 16]> {
    let mut tmp = [0u8; 16];
    let mut tp = 0usize;
    let mut gap: Option<usize> = None;
    let mut i = 0;
    if src.first() == Some(&b':') {
        if src.get(1) != Some(&b':') {
            return None;
        }
        i = 1;
    }
    let mut token_start = i;
    let mut digits = 0;
    let mut val: u16 = 0;
    while let Some(&ch) = src.get(i) {
        i += 1;
        if let Some(d) = char::from(ch).to_digit(16) {
            digits += 1;
            if digits > 4 {
                return None;
            }
            // Four hex digits at most, so this stays within u16.
            val = (val << 4) | d as u16;
            continue;
        }
        if ch == b':' {
            token_start = i;
            if digits == 0 {
                if gap.is_some() {
                    return None;
                }
                gap = Some(tp);
                continue;
            } else if i == src.len() {
                return None;
            }
            if tp + 2 > 16 {
                return None;
            }
            tmp[tp..tp + 2].copy_from_slice(&val.to_be_bytes());
            tp += 2;
            digits = 0;
            val = 0;
            continue;
        }
        if ch == b'.' && tp + 4 <= 16 {
            if let Some(quad) = parse_dotted_quad(&src[token_start..]) {
                tmp[tp..tp + 4].copy_from_slice(&quad);
                tp += 4;
                digits = 0;
                break;
            }
        }
        return None;
    }
    if digits > 0 {
        if tp + 2 > 16 {
            return None;
        }
        tmp[tp..tp + 2].copy_from_slice(&val.to_be_bytes());
        tp += 2;
    }
    if let Some(g) = gap {
        if tp == 16 {
            return None;
        }
        let n = tp - g;
        tmp.copy_within(g..tp, 16 - n);
        tmp[g..16 - n].fill(0);
        tp = 16;
    }
    (tp == 16).then_some(tmp)
}

/// How Node's C++ `SocketAddress` reads an address (`uv_ip4_addr` /
/// `uv_ip6_addr`): the text ends at the first NUL (it is a C string), and
/// for IPv6 anything from the first `%` on is a zone id that is dropped,
/// the part before it being cut to 39 bytes as libuv does.
pub(super) fn parse_uv(family: Family, text: &str) -> Option<IpAddr> {
    let bytes = text.as_bytes();
    let bytes = bytes.split(|&b| b == 0).next().unwrap_or(bytes);
    match family {
        Family::V4 => parse_dotted_quad(bytes).map(|o| IpAddr::V4(Ipv4Addr::from(o))),
        Family::V6 => {
            let addr = match bytes.iter().position(|&b| b == b'%') {
                Some(p) => &bytes[..p.min(39)],
                None => bytes,
            };
            parse_ipv6_text(addr).map(|o| IpAddr::V6(Ipv6Addr::from(o)))
        }
    }
}

/// Formats an address the way libuv's `uv_inet_ntop` does (which is what
/// Node shows in `socketAddress.address` and `blockList.rules`).
pub(super) fn format_ip(ip: IpAddr) -> String {
    let v6 = match ip {
        IpAddr::V4(v4) => return v4.to_string(),
        IpAddr::V6(v6) => v6,
    };
    let words = v6.segments();
    // Longest run of zero words, first one on a tie, only if 2 or longer.
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let start = i;
            while i < 8 && words[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                (best, best_len) = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut out = String::with_capacity(39);
    for (i, w) in words.iter().enumerate() {
        if best != usize::MAX && (best..best + best_len).contains(&i) {
            if i == best {
                out.push(':');
            }
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d)
        // addresses end in a dotted quad.
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            let o = v6.octets();
            let _ = write!(out, "{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
            return out;
        }
        let _ = write!(out, "{w:x}");
    }
    if best != usize::MAX && best + best_len == 8 {
        out.push(':');
    }
    out
}
