//! placeholder
pub mod low_level;
