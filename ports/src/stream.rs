//! The stream type ports use to publish events.

use std::pin::Pin;

use futures_core::Stream;

/// A boxed stream of events from an adapter, taken once by its consumer.
pub type EventStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;
