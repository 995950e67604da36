//! Identifiers accepted as `Uuid` or text, checked before anything is sent.

use crate::error::{Error, Result};
use uuid::Uuid;

/// Something that names a resource by UUID: a [`Uuid`], or a string holding one.
///
/// A string that is not a UUID is an [`ErrorKind::InvalidInput`](crate::ErrorKind) error
/// before any request is made.
pub trait Id {
    /// The UUID, or an error naming what was wrong.
    fn to_uuid(&self) -> Result<Uuid>;
}

impl Id for Uuid {
    fn to_uuid(&self) -> Result<Uuid> {
        Ok(*self)
    }
}

impl Id for str {
    fn to_uuid(&self) -> Result<Uuid> {
        Uuid::parse_str(self.trim())
            .map_err(|e| Error::invalid_input(format!("{self:?} is not a valid UUID: {e}")))
    }
}

impl Id for String {
    fn to_uuid(&self) -> Result<Uuid> {
        self.as_str().to_uuid()
    }
}

impl<T: Id + ?Sized> Id for &T {
    fn to_uuid(&self) -> Result<Uuid> {
        (**self).to_uuid()
    }
}
