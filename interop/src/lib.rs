//! Nothing here: the tests and the bench are the point of this crate.
