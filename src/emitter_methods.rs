//! The `EventEmitter` methods that every handle type shares word for word: Node's
//! `emitter.off`, `removeListener`, `removeAllListeners`, `listenerCount`, `listeners`,
//! `rawListeners` and `eventNames`. Adding listeners (`on`, `once`, ...) stays with each type,
//! because each has its own event traits (a `Server` takes `'connection'`, a `Socket` `'data'`)
//! and a socket checks its listeners as they come.
//!
//! One macro rather than a trait: the methods stay inherent, so they need no import and show in
//! each type's documentation with an example written for that type.

/// Expands, inside `impl $handle { ... }`, to the shared listener methods. `setup` makes a
/// handle `h` for the examples, `teardown` lets it go; `event` and `listener` are an event of
/// the type and a closure it accepts.
macro_rules! emitter_methods {
    (
        $handle:ident,
        node = $node:literal,
        setup = $setup:literal,
        teardown = $teardown:literal,
        event = $event:literal,
        listener = $listener:literal $(,)?
    ) => {
        #[doc = concat!(
            "Removes the listener `on_with_id` (or `once_with_id`) returned, emits `'removeListener'`, ",
            "and returns the ", $node, ": Node's `", $node, ".off(event, listener)`. An id already ",
            "removed, or from another emitter, removes nothing.\n\n",
            "```\nuse nodenet::prelude::*;\n", $setup, "\n",
            "let before = h.listener_count(", $event, ");\n",
            "let id = h.on_with_id(", $event, ", ", $listener, ");\n",
            "assert_eq!(h.off(id).listener_count(", $event, "), before);\n",
            "// Again: the id is gone, nothing is removed.\n",
            "assert_eq!(h.off(id).listener_count(", $event, "), before);\n",
            $teardown, "\n```"
        )]
        pub fn off(self, listener: $crate::listeners::ListenerId) -> $handle {
            $crate::runtime::emit::remove(self.id, listener);
            self
        }

        #[doc = concat!(
            "The same as [`off`](", stringify!($handle), "::off): Node's `", $node, ".removeListener`.\n\n",
            "```\nuse nodenet::prelude::*;\n", $setup, "\n",
            "let id = h.on_with_id(", $event, ", ", $listener, ");\n",
            "assert!(!h.remove_listener(id).listeners(", $event, ").contains(&id));\n",
            $teardown, "\n```"
        )]
        pub fn remove_listener(self, listener: $crate::listeners::ListenerId) -> $handle {
            self.off(listener)
        }

        #[doc = concat!(
            "Removes every listener of one event, and returns the ", $node, ": Node's `", $node,
            ".removeAllListeners(event)`.\n\n",
            "```\nuse nodenet::prelude::*;\n", $setup, "\n",
            "h.on(", $event, ", ", $listener, ");\n",
            "assert_eq!(h.remove_all_listeners(", $event, ").listener_count(", $event, "), 0);\n",
            $teardown, "\n```"
        )]
        pub fn remove_all_listeners<E: $crate::event::Event>(self, event: E) -> $handle {
            $crate::runtime::emit::remove_all(self.id, Some(event.name()));
            self
        }

        #[doc = concat!(
            "Removes every listener of every event, and returns the ", $node, ": Node's `", $node,
            ".removeAllListeners()`.\n\n",
            "```\nuse nodenet::prelude::*;\n", $setup, "\n",
            "h.on(", $event, ", ", $listener, ");\n",
            "assert!(h.remove_every_listener().event_names().is_empty());\n",
            $teardown, "\n```"
        )]
        pub fn remove_every_listener(self) -> $handle {
            $crate::runtime::emit::remove_all(self.id, None);
            self
        }

        #[doc = concat!(
            "How many listeners `event` has: Node's `", $node, ".listenerCount(event)`.\n\n",
            "```\nuse nodenet::prelude::*;\n", $setup, "\n",
            "let before = h.listener_count(", $event, ");\n",
            "h.on(", $event, ", ", $listener, ");\n",
            "assert_eq!(h.listener_count(", $event, "), before + 1);\n",
            $teardown, "\n```"
        )]
        pub fn listener_count<E: $crate::event::Event>(self, event: E) -> usize {
            $crate::runtime::emit::count(self.id, event.name())
        }

        #[doc = concat!(
            "The ids of `event`'s listeners, in the order they are called: Node's `", $node,
            ".listeners(event)`. Ids, because a stored closure cannot be handed out and called from ",
            "outside; an id is what [`off`](", stringify!($handle), "::off) takes.\n\n",
            "```\nuse nodenet::prelude::*;\n", $setup, "\n",
            "let id = h.on_with_id(", $event, ", ", $listener, ");\n",
            "assert_eq!(h.listeners(", $event, ").last(), Some(&id));\n",
            $teardown, "\n```"
        )]
        pub fn listeners<E: $crate::event::Event>(self, event: E) -> Vec<$crate::listeners::ListenerId> {
            $crate::runtime::emit::raw_listeners(self.id, event.name())
                .into_iter()
                .map(|raw| raw.id)
                .collect()
        }

        #[doc = concat!(
            "`event`'s listeners with their `once` flag: Node's `", $node, ".rawListeners(event)`, ",
            "which shows `once` listeners as their wrappers.\n\n",
            "```\nuse nodenet::prelude::*;\n", $setup, "\n",
            "h.once(", $event, ", ", $listener, ");\n",
            "assert!(h.raw_listeners(", $event, ").last().unwrap().once);\n",
            $teardown, "\n```"
        )]
        pub fn raw_listeners<E: $crate::event::Event>(self, event: E) -> Vec<$crate::listeners::RawListener> {
            $crate::runtime::emit::raw_listeners(self.id, event.name())
        }

        #[doc = concat!(
            "The events that have listeners, in the order each got its first one (a prepend does ",
            "not reorder them; `errorMonitor` comes last, as Node's symbol does): Node's `", $node,
            ".eventNames()`.\n\n",
            "```\nuse nodenet::prelude::*;\n", $setup, "\n",
            "h.remove_every_listener().on(", $event, ", ", $listener, ");\n",
            "assert_eq!(h.event_names(), [", $event, ".name()]);\n",
            $teardown, "\n```"
        )]
        pub fn event_names(self) -> Vec<&'static str> {
            $crate::runtime::emit::event_names(self.id)
        }
    };
}
