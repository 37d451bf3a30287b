//! Pure validation rules for the data people type into Loket: identity numbers (NIK,
//! NPWP), passwords, contact details and personal data. Every function here is free of
//! I/O and side effects; each either returns the normalized value or an
//! [`ApiError`](crate::error::ApiError) built with `ApiError::invalid` (HTTP 400) that
//! carries a stable English `code`, an Indonesian `message` and the request `field` it
//! is about, so handlers can pass rule failures straight back to the caller.

pub mod contact;
pub mod nik;
pub mod npwp;
pub mod password;
pub mod person;
pub mod workdays;
