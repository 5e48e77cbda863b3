//! A telnet chat room: nicknames, broadcast, join/leave notices, and a slow client cannot
//! stall the others.
//!
//! Run it: `cargo run --example chat_server` (listens on `PORT`, default 10000), then in two or
//! more terminals `telnet localhost 10000` or `nc localhost 10000`. The first line you type is
//! your nickname; after that every line goes to everyone else. Commands: `/nick NAME` renames
//! you, `/who` lists who is here, `/quit` leaves.
//!
//! The protocol is lines (`LineCodec::crlf()`): telnet ends lines with `\r\n`, nc with `\n`, and
//! both work. A line longer than 1 KiB disconnects its sender (`ERR_FRAME_TOO_LARGE`).
//!
//! Slow clients: a broadcast is one `send` per member, and `send` never blocks; a member whose
//! terminal stopped reading would make the server queue everything said, forever. So before
//! sending to a member the server looks at its `writable_length()`: past `MAX_BACKLOG` (256 KiB)
//! the member is disconnected and the room is told (`* carol was disconnected (too slow)`).
//! Dropping just the messages would be the other choice; it silently gives that member a
//! conversation with holes in it, which is worse than an honest disconnect.
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use nodenet::framing::{Framed, LineCodec, Message};
use nodenet::prelude::*;

/// Longest line accepted, in bytes.
const MAX_LINE: usize = 1024;
/// Bytes queued for one member beyond which it is disconnected as too slow.
const MAX_BACKLOG: usize = 256 * 1024;

struct Member {
    framed: Framed<LineCodec>,
    /// `None` until the first line names the member.
    nick: Option<String>,
}

/// Everyone connected, by socket.
#[derive(Clone, Default)]
struct Room {
    members: Rc<RefCell<HashMap<Socket, Member>>>,
}

impl Room {
    fn nick_taken(&self, nick: &str) -> bool {
        self.members
            .borrow()
            .values()
            .any(|member| member.nick.as_deref() == Some(nick))
    }

    /// Sends `line` to every named member except `from`; members too far behind are dropped.
    fn broadcast(&self, from: Option<Socket>, line: &str) {
        println!("{line}");
        // Collected first: disconnecting a member changes the map.
        let targets: Vec<(Socket, Framed<LineCodec>)> = self
            .members
            .borrow()
            .iter()
            .filter(|(socket, member)| Some(**socket) != from && member.nick.is_some())
            .map(|(socket, member)| (*socket, member.framed.clone()))
            .collect();
        let mut too_slow = Vec::new();
        for (socket, framed) in targets {
            if socket.writable_length() > MAX_BACKLOG {
                too_slow.push(socket);
            } else {
                // A line from a member fits the codec, so this cannot fail.
                let _ = framed.send(line);
            }
        }
        for socket in too_slow {
            if let Some(nick) = self.leave(socket) {
                socket.destroy();
                self.broadcast(None, &format!("* {nick} was disconnected (too slow)"));
            }
        }
    }

    /// Removes a member; its nickname if it had one (so a leave is announced once).
    fn leave(&self, socket: Socket) -> Option<String> {
        let member = self.members.borrow_mut().remove(&socket);
        member?.nick
    }

    fn who(&self) -> String {
        let mut nicks: Vec<String> = self
            .members
            .borrow()
            .values()
            .filter_map(|member| member.nick.clone())
            .collect();
        nicks.sort();
        format!("* here: {}", nicks.join(", "))
    }
}

fn main() -> Result<(), Error> {
    env_logger::init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(10000);

    let room = Room::default();
    let server = net::create_server(move |socket| {
        let framed = Framed::new(socket, LineCodec::crlf().with_max_frame_len(MAX_LINE));
        let member = Member {
            framed: framed.clone(),
            nick: None,
        };
        room.members.borrow_mut().insert(socket, member);
        let _ = framed.send("Welcome! What is your nickname?");

        let on_line = room.clone();
        let replies = framed.clone();
        framed.on(Message, move |line| {
            let line = line.to_string();
            let line = line.trim();
            handle_line(&on_line, socket, &replies, line);
        });
        socket.on(Error, move |err| log::info!("{socket:?}: {err}"));
        let on_close = room.clone();
        socket.on(Close, move |_had_error| {
            if let Some(nick) = on_close.leave(socket) {
                on_close.broadcast(None, &format!("* {nick} left"));
            }
        });
    });

    server.listen((port, "127.0.0.1"), move || {
        let port = server.address().map_or(port, |address| address.port);
        println!("chat server listening on 127.0.0.1:{port}");
    })?;
    nodenet::run()
}

fn handle_line(room: &Room, socket: Socket, framed: &Framed<LineCodec>, line: &str) {
    let Some(member) = room.members.borrow().get(&socket).map(|m| m.nick.clone()) else {
        // Left with /quit: the rest of what it sent is ignored.
        return;
    };
    let Some(nick) = member else {
        set_nick(room, socket, framed, line);
        return;
    };
    if let Some(new_nick) = line.strip_prefix("/nick ") {
        set_nick(room, socket, framed, new_nick.trim());
    } else if line == "/who" {
        let _ = framed.send(room.who());
    } else if line == "/quit" {
        // Announced now rather than at 'close', which waits for the client to hang up too.
        room.leave(socket);
        room.broadcast(Some(socket), &format!("* {nick} left"));
        let _ = framed.send("Bye!");
        socket.end();
    } else if !line.is_empty() {
        room.broadcast(Some(socket), &format!("<{nick}> {line}"));
    }
}

fn set_nick(room: &Room, socket: Socket, framed: &Framed<LineCodec>, wanted: &str) {
    let valid = !wanted.is_empty()
        && wanted.len() <= 32
        && wanted
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if !valid {
        let _ = framed.send("Nicknames are 1-32 letters, digits, '_' or '-'. Try again:");
        return;
    }
    if room.nick_taken(wanted) {
        let _ = framed.send(format!("{wanted} is taken. Try another:"));
        return;
    }
    let old = {
        let mut members = room.members.borrow_mut();
        let Some(member) = members.get_mut(&socket) else {
            return;
        };
        member.nick.replace(wanted.to_string())
    };
    match old {
        None => {
            let _ = framed.send(format!("Hello {wanted}! {}", room.who()));
            room.broadcast(Some(socket), &format!("* {wanted} joined"));
        }
        Some(old) => {
            let _ = framed.send(format!("You are now {wanted}"));
            room.broadcast(Some(socket), &format!("* {old} is now known as {wanted}"));
        }
    }
}
