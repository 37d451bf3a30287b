//! Contact details: email addresses, Indonesian phone numbers and postal codes.

use super::Refusal;

fn email_error() -> Refusal {
    Refusal::invalid("email_invalid", "Format email tidak valid", "email")
}

fn phone_error() -> Refusal {
    Refusal::invalid("phone_invalid", "Nomor telepon tidak valid", "phone")
}

fn postal_code_error() -> Refusal {
    Refusal::invalid(
        "postal_code_invalid",
        "Kode pos harus 5 digit angka",
        "postal_code",
    )
}

/// Characters allowed in the local part besides ASCII letters, digits and dots (the
/// RFC 5322 `atext` set).
const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";

fn valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || LOCAL_SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    });
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_lowercase()));
    labels_ok && tld_ok
}

/// Validates an email address and returns it trimmed and lowercased.
///
/// Requires exactly one `@`; a local part of 1 to 64 characters made of ASCII letters,
/// digits, dots (not first, last or doubled) and the RFC 5322 specials
/// ``!#$%&'*+/=?^_`{|}~-``; a domain of at least two dot-separated labels of
/// `[a-z0-9-]` (1 to 63 characters, not starting or ending with `-`) whose last label is
/// at least 2 letters; no whitespace; and at most 254 characters in total. Quoted local
/// parts, IP-literal domains and internationalized addresses are not accepted.
///
/// Error: code `email_invalid`, field `email`.
pub fn normalize_email(input: &str) -> Result<String, Refusal> {
    let email = input.trim().to_lowercase();
    if email.is_empty() || email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Err(email_error());
    }
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(email_error());
    };
    if !valid_local_part(local) || !valid_domain(domain) {
        return Err(email_error());
    }
    Ok(email)
}

/// Validates an Indonesian phone number (mobile or landline) and returns it in national
/// form: `0` followed by 8 to 13 digits, e.g. `081234567890` or `0541743235`.
///
/// Spaces, dashes, dots and parentheses are removed, so `0812-3456-7890`,
/// `+62 812 3456 7890`, `62812 3456 7890` and `(0541) 743235` are all accepted. A leading
/// `+62` or `62` becomes `0`; a trunk `0` typed after the country code (`+62 0812...`) is
/// dropped. The digit after the leading `0` may not be another `0` (that would be an
/// international call prefix).
///
/// Error: code `phone_invalid`, field `phone`.
pub fn normalize_phone(input: &str) -> Result<String, Refusal> {
    let cleaned: String = input
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')')))
        .collect();
    let national = if let Some(rest) = cleaned
        .strip_prefix("+62")
        .or_else(|| cleaned.strip_prefix("62"))
    {
        format!("0{}", rest.strip_prefix('0').unwrap_or(rest))
    } else {
        cleaned
    };
    let digits_ok = national.bytes().all(|b| b.is_ascii_digit());
    let length_ok = (9..=14).contains(&national.len());
    let prefix_ok = national.starts_with('0') && !national.starts_with("00");
    if digits_ok && length_ok && prefix_ok {
        Ok(national)
    } else {
        Err(phone_error())
    }
}

/// Validates an Indonesian postal code (kode pos) and returns it trimmed: exactly 5 ASCII
/// digits, the first of which is not `0`.
///
/// Error: code `postal_code_invalid`, field `postal_code`.
pub fn check_postal_code(input: &str) -> Result<String, Refusal> {
    let code = input.trim();
    if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with('0') {
        Ok(code.to_string())
    } else {
        Err(postal_code_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_email_error(input: &str) {
        let err = normalize_email(input).unwrap_err();
        assert_eq!(err, email_error(), "input {input:?}");
        assert_eq!(err.kind, crate::rules::RefusalKind::Invalid);
        assert_eq!(err.code, "email_invalid");
        assert_eq!(err.message, "Format email tidak valid");
        assert_eq!(err.field, Some("email"));
    }

    fn assert_phone_error(input: &str) {
        let err = normalize_phone(input).unwrap_err();
        assert_eq!(err, phone_error(), "input {input:?}");
        assert_eq!(err.code, "phone_invalid");
        assert_eq!(err.message, "Nomor telepon tidak valid");
        assert_eq!(err.field, Some("phone"));
    }

    fn assert_postal_error(input: &str) {
        let err = check_postal_code(input).unwrap_err();
        assert_eq!(err, postal_code_error(), "input {input:?}");
        assert_eq!(err.code, "postal_code_invalid");
        assert_eq!(err.message, "Kode pos harus 5 digit angka");
        assert_eq!(err.field, Some("postal_code"));
    }

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            normalize_email("  Budi.Santoso@Example.CO.ID \n").unwrap(),
            "budi.santoso@example.co.id"
        );
        assert_eq!(
            normalize_email("siti+loket@mail-server.id").unwrap(),
            "siti+loket@mail-server.id"
        );
        assert_eq!(normalize_email("a@b.co").unwrap(), "a@b.co");
        assert_eq!(
            normalize_email("o'brien_99@sub.domain.example.com").unwrap(),
            "o'brien_99@sub.domain.example.com"
        );
    }

    #[test]
    fn email_needs_exactly_one_at() {
        assert_email_error("budi.example.com");
        assert_email_error("budi@@example.com");
        assert_email_error("budi@ani@example.com");
        assert_email_error("");
        assert_email_error("   ");
    }

    #[test]
    fn email_local_part_rules() {
        assert_email_error("@example.com");
        let max_local = "a".repeat(64);
        assert!(normalize_email(&format!("{max_local}@example.com")).is_ok());
        assert_email_error(&format!("{}@example.com", "a".repeat(65)));
        assert_email_error(".budi@example.com");
        assert_email_error("budi.@example.com");
        assert_email_error("bu..di@example.com");
        assert_email_error("bu\"di@example.com");
        assert_email_error("búdi@example.com");
    }

    #[test]
    fn email_domain_rules() {
        assert_email_error("budi@localhost");
        assert_email_error("budi@");
        assert_email_error("budi@.com");
        assert_email_error("budi@example.");
        assert_email_error("budi@example..com");
        assert_email_error("budi@-example.com");
        assert_email_error("budi@example-.com");
        assert_email_error("budi@exa_mple.com");
        assert_email_error("budi@example.c");
        assert_email_error("budi@example.c0m");
        assert_email_error("budi@example.123");
        assert_email_error("budi@[127.0.0.1]");
        assert_email_error(&format!("budi@{}.com", "a".repeat(64)));
        assert!(normalize_email(&format!("budi@{}.com", "a".repeat(63))).is_ok());
        assert!(normalize_email("budi@my-domain2.example.com").is_ok());
    }

    #[test]
    fn email_rejects_inner_whitespace() {
        assert_email_error("budi santoso@example.com");
        assert_email_error("budi@example .com");
        assert_email_error("budi@example.com\tx");
    }

    #[test]
    fn email_total_length_limit() {
        // 64 + 1 + 189 = 254 characters.
        let domain = format!(
            "{}.{}.{}.com",
            "a".repeat(62),
            "b".repeat(62),
            "c".repeat(59)
        );
        let ok = format!("{}@{domain}", "x".repeat(64));
        assert_eq!(ok.len(), 254);
        assert_eq!(normalize_email(&ok).unwrap(), ok);
        let long_domain = format!(
            "{}.{}.{}.com",
            "a".repeat(62),
            "b".repeat(62),
            "c".repeat(60)
        );
        assert_email_error(&format!("{}@{long_domain}", "x".repeat(64)));
    }

    #[test]
    fn phone_accepts_common_ways_of_typing() {
        assert_eq!(normalize_phone("0812-3456-7890").unwrap(), "081234567890");
        assert_eq!(
            normalize_phone("+62 812 3456 7890").unwrap(),
            "081234567890"
        );
        assert_eq!(normalize_phone("6281234567890").unwrap(), "081234567890");
        assert_eq!(normalize_phone("(0541) 743235").unwrap(), "0541743235");
        assert_eq!(normalize_phone("+62 (541) 743.235").unwrap(), "0541743235");
        assert_eq!(normalize_phone(" 021 5790 1234 ").unwrap(), "02157901234");
        assert_eq!(
            normalize_phone("+62 0812 3456 7890").unwrap(),
            "081234567890"
        );
    }

    #[test]
    fn phone_length_boundaries() {
        // 0 + 8 digits (9 in total) is the shortest.
        assert_eq!(normalize_phone("021123456").unwrap(), "021123456");
        assert_phone_error("02112345");
        // 0 + 13 digits (14 in total) is the longest.
        assert_eq!(normalize_phone("08123456789012").unwrap(), "08123456789012");
        assert_phone_error("081234567890123");
        assert_eq!(
            normalize_phone("+62 8123 4567 89012").unwrap(),
            "08123456789012"
        );
        assert_phone_error("+62 8123 4567 890123");
    }

    #[test]
    fn phone_rejects_other_shapes() {
        assert_phone_error("");
        assert_phone_error("812345678901");
        assert_phone_error("+6581234567");
        assert_phone_error("+1 212 555 0100");
        assert_phone_error("0812-3456-789a");
        assert_phone_error("0812/3456/7890");
        assert_phone_error("0812+34567890");
        assert_phone_error("0081234567890");
        assert_phone_error("+62");
        assert_phone_error("０８１２３４５６７８９０");
    }

    #[test]
    fn postal_code_rules() {
        assert_eq!(check_postal_code("76114").unwrap(), "76114");
        assert_eq!(check_postal_code("  10110 ").unwrap(), "10110");
        assert_postal_error("01234");
        assert_postal_error("1234");
        assert_postal_error("123456");
        assert_postal_error("12a45");
        assert_postal_error("12 345");
        assert_postal_error("");
        assert_postal_error("７６１１４");
    }
}
