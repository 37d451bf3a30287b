//! Pure domain rules: identity numbers (NIK, NPWP), passwords, contact details,
//! personal data, working days. Every function here is free of I/O and side effects;
//! each returns the normalized value or a [`Refusal`]: a domain error with a stable
//! English `code`, an Indonesian `message`, what kind of refusal it is and the request
//! `field` it is about. Rules know nothing of HTTP: the one mapping of a refusal to a
//! status is `impl From<Refusal> for ApiError` (`crate::error`), so handlers pass rule
//! failures straight back to the caller with `?`.

pub mod contact;
pub mod nik;
pub mod npwp;
pub mod password;
pub mod person;
pub mod terbilang;
pub mod workdays;

/// What kind of "no" a rule says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The input has the wrong shape (a field is invalid or missing).
    Invalid,
    /// The input is well-formed but the rules refuse it in the subject's state.
    Unprocessable,
    /// The subject is not in a state that allows it (someone else changed it).
    Conflict,
}

/// A domain rule's refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
}

impl Refusal {
    /// The value of `field` is invalid.
    pub fn invalid(code: &'static str, message: impl Into<String>, field: &'static str) -> Self {
        Self {
            kind: RefusalKind::Invalid,
            code,
            message: message.into(),
            field: Some(field),
        }
    }

    /// Well-formed, but the rules refuse it.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind: RefusalKind::Unprocessable,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Not in this state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind: RefusalKind::Conflict,
            code,
            message: message.into(),
            field: None,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Refusal {}
