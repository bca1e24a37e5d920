//! Pure types and rules, no I/O.

pub mod dates;
pub mod kinds;
pub mod password;
pub mod text;
