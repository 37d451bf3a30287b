//! Password policy: 8 to 128 characters, at least one uppercase and one lowercase letter,
//! and not one of the passwords people use most often.

use super::Refusal;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 8;
/// Most characters a password may have.
pub const MAX_CHARS: usize = 128;

/// Common passwords, lowercase. Only entries that could otherwise pass the length and
/// case rules (8 or more characters with at least two letters) are listed, since the
/// others are refused before this list is consulted. Compared case-insensitively.
const COMMON: &[&str] = &[
    // International
    "password",
    "password1",
    "password12",
    "password123",
    "password1234",
    "password!",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "p@ssword1",
    "pa$$word",
    "passport",
    "qwerty12",
    "qwerty123",
    "qwerty1234",
    "qwerty123456",
    "qwertyui",
    "qwertyuiop",
    "asdfghjk",
    "asdfghjkl",
    "asdfasdf",
    "asdf1234",
    "zxcvbnm1",
    "zxcvbnm123",
    "1qaz2wsx",
    "qazwsx123",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "q1w2e3r4",
    "q1w2e3r4t5",
    "abcd1234",
    "abc12345",
    "abc123456",
    "abcdefgh",
    "abcdefg1",
    "a1b2c3d4",
    "aa123456",
    "iloveyou",
    "iloveyou1",
    "iloveyou2",
    "iloveu123",
    "admin123",
    "admin1234",
    "admin12345",
    "administrator",
    "welcome1",
    "welcome12",
    "welcome123",
    "letmein1",
    "letmein123",
    "sunshine",
    "sunshine1",
    "princess",
    "princess1",
    "football",
    "football1",
    "baseball",
    "superman",
    "superman1",
    "batman123",
    "starwars",
    "trustno1",
    "whatever",
    "dragon123",
    "monkey123",
    "master123",
    "shadow123",
    "michael1",
    "jessica1",
    "charlie1",
    "jennifer",
    "computer",
    "internet",
    "changeme",
    "changeme1",
    "default1",
    "secret123",
    "freedom1",
    "loveme123",
    "lovely123",
    "babygirl",
    "babygirl1",
    "butterfly",
    "chocolate",
    "pokemon1",
    "naruto123",
    "doraemon",
    "spongebob",
    "liverpool",
    "chelsea123",
    "arsenal1",
    "manchester",
    "manutd123",
    "barcelona",
    "juventus",
    "realmadrid",
    "samsung123",
    "blackberry",
    "minecraft",
    "helloworld",
    "hello123",
    "test1234",
    "testing123",
    "user1234",
    "login123",
    "guest123",
    // Indonesian
    "sayang123",
    "sayangku",
    "sayangkamu",
    "sayangku123",
    "bismillah",
    "bismillah1",
    "bismillah123",
    "alhamdulillah",
    "insyaallah",
    "assalamualaikum",
    "allahuakbar",
    "subhanallah",
    "mashaallah",
    "indonesia",
    "indonesia1",
    "indonesia123",
    "indonesiaraya",
    "jakarta1",
    "jakarta123",
    "rahasia1",
    "rahasia123",
    "rahasiaku",
    "rahasianegara",
    "katasandi",
    "katasandi1",
    "katasandi123",
    "sandi123",
    "masuk123",
    "cintaku1",
    "cintaku123",
    "cinta123",
    "akucintakamu",
    "aku12345",
    "kamu12345",
    "merdeka45",
    "merdeka17",
    "merdeka1945",
    "pancasila",
    "pancasila45",
    "nusantara",
    "garuda123",
    "bandung123",
    "surabaya",
    "surabaya1",
    "semarang",
    "yogyakarta",
    "jogja123",
    "makassar",
    "palembang",
    "medan123",
    "balikpapan",
    "samarinda",
    "kalimantan",
    "ganteng123",
    "cantik123",
    "sukses123",
    "selamat123",
    "selamatdatang",
    "persija1",
    "persib1933",
    "persebaya",
    "jakmania",
    "telkomsel",
    "indihome",
    "indihome1",
];

/// Checks a password against the policy, reporting errors on the field `password`.
///
/// See [`check_password_field`] for the rules.
pub fn check_password(pw: &str) -> Result<(), Refusal> {
    check_password_field(pw, "password")
}

/// Checks a password against the policy, reporting errors on `field` (e.g.
/// `new_password`).
///
/// The checks run in this order and the first failure is returned: at least
/// [`MIN_CHARS`] characters (`password_too_short`), at most [`MAX_CHARS`] characters
/// (`password_too_long`), an uppercase letter (`password_no_uppercase`), a lowercase
/// letter (`password_no_lowercase`), and not a common password, compared ignoring case
/// (`password_too_common`). Lengths count Unicode characters, not bytes; the password is
/// not trimmed.
pub fn check_password_field(pw: &str, field: &'static str) -> Result<(), Refusal> {
    let chars = pw.chars().count();
    if chars < MIN_CHARS {
        return Err(Refusal::invalid(
            "password_too_short",
            "Gunakan minimal 8 karakter atau lebih untuk Password",
            field,
        ));
    }
    if chars > MAX_CHARS {
        return Err(Refusal::invalid(
            "password_too_long",
            "Password maksimal 128 karakter",
            field,
        ));
    }
    if !pw.chars().any(char::is_uppercase) {
        return Err(Refusal::invalid(
            "password_no_uppercase",
            "Password harus berisi setidaknya satu Huruf Kapital",
            field,
        ));
    }
    if !pw.chars().any(char::is_lowercase) {
        return Err(Refusal::invalid(
            "password_no_lowercase",
            "Password harus berisi setidaknya satu Huruf kecil",
            field,
        ));
    }
    let lowered = pw.to_lowercase();
    if COMMON.contains(&lowered.as_str()) {
        return Err(Refusal::invalid(
            "password_too_common",
            "Password terlalu umum dan mudah ditebak, gunakan password lain",
            field,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn code_of(pw: &str) -> &'static str {
        check_password(pw).unwrap_err().code
    }

    #[test]
    fn accepts_reasonable_passwords() {
        assert_eq!(check_password("Kopi-Tubruk-2024"), Ok(()));
        assert_eq!(check_password("Bakso-Malang8"), Ok(()));
        assert_eq!(check_password("Zzzzzzzz"), Ok(()));
    }

    #[test]
    fn accepts_long_passphrase() {
        let pw = "Naik kereta api tut tut tut, siapa hendak turut ke Bandung Solo!";
        assert_eq!(pw.chars().count(), 64);
        assert_eq!(check_password(pw), Ok(()));
    }

    #[test]
    fn rejects_too_short() {
        let err = check_password("Abc1234").unwrap_err();
        assert_eq!(err.kind, crate::rules::RefusalKind::Invalid);
        assert_eq!(err.code, "password_too_short");
        assert_eq!(
            err.message,
            "Gunakan minimal 8 karakter atau lebih untuk Password"
        );
        assert_eq!(err.field, Some("password"));
        assert_eq!(code_of(""), "password_too_short");
    }

    #[test]
    fn length_boundaries() {
        let at_max = format!("Ab{}", "c".repeat(126));
        assert_eq!(at_max.chars().count(), 128);
        assert_eq!(check_password(&at_max), Ok(()));

        let over = format!("Ab{}", "c".repeat(127));
        let err = check_password(&over).unwrap_err();
        assert_eq!(err.code, "password_too_long");
        assert_eq!(err.message, "Password maksimal 128 karakter");
        assert_eq!(err.field, Some("password"));
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 7 characters, 14+ bytes: still too short.
        let short = "Ééééééé";
        assert!(short.len() >= 8);
        assert_eq!(short.chars().count(), 7);
        assert_eq!(code_of(short), "password_too_short");

        // 8 characters: long enough.
        assert_eq!(check_password("Éééééééé"), Ok(()));

        // 128 multibyte characters are allowed even though that is far over 128 bytes.
        let many = format!("Ä{}", "ö".repeat(127));
        assert!(many.len() > 128);
        assert_eq!(check_password(&many), Ok(()));
        let too_many = format!("Ä{}", "ö".repeat(128));
        assert_eq!(code_of(&too_many), "password_too_long");
    }

    #[test]
    fn rejects_missing_uppercase() {
        let err = check_password("kopitubruk2024").unwrap_err();
        assert_eq!(err.code, "password_no_uppercase");
        assert_eq!(
            err.message,
            "Password harus berisi setidaknya satu Huruf Kapital"
        );
        assert_eq!(code_of("12345678"), "password_no_uppercase");
    }

    #[test]
    fn rejects_missing_lowercase() {
        let err = check_password("KOPITUBRUK2024").unwrap_err();
        assert_eq!(err.code, "password_no_lowercase");
        assert_eq!(
            err.message,
            "Password harus berisi setidaknya satu Huruf kecil"
        );
    }

    #[test]
    fn unicode_case_is_recognized() {
        assert_eq!(code_of("ΣΊΣΥΦΟΣ12"), "password_no_lowercase");
        assert_eq!(check_password("Σίσυφος12"), Ok(()));
    }

    #[test]
    fn rejects_common_passwords_ignoring_case() {
        let err = check_password("Password1").unwrap_err();
        assert_eq!(err.code, "password_too_common");
        assert_eq!(
            err.message,
            "Password terlalu umum dan mudah ditebak, gunakan password lain"
        );
        assert_eq!(err.field, Some("password"));
        for pw in [
            "Sayang123",
            "BisMillah",
            "Indonesia",
            "Jakarta123",
            "qWERTY123",
        ] {
            assert_eq!(code_of(pw), "password_too_common", "{pw}");
        }
        // Only whole-password matches are blocked, not passwords containing one.
        assert_eq!(check_password("Password1-kopi-tubruk"), Ok(()));
    }

    #[test]
    fn order_of_checks() {
        // Too short wins over missing case.
        assert_eq!(code_of("abc"), "password_too_short");
        // Missing uppercase is reported before the block list.
        assert_eq!(code_of("password1"), "password_no_uppercase");
        // Missing lowercase is reported before the block list.
        assert_eq!(code_of("PASSWORD1"), "password_no_lowercase");
    }

    #[test]
    fn field_can_be_chosen() {
        let err = check_password_field("short", "new_password").unwrap_err();
        assert_eq!(err.field, Some("new_password"));
        let err = check_password_field("Password123", "new_password").unwrap_err();
        assert_eq!(err.code, "password_too_common");
        assert_eq!(err.field, Some("new_password"));
        assert_eq!(
            check_password_field("Kopi-Tubruk-2024", "new_password"),
            Ok(())
        );
    }

    #[test]
    fn block_list_is_well_formed() {
        assert!(COMMON.len() >= 100, "only {} entries", COMMON.len());
        let mut seen = HashSet::new();
        for pw in COMMON {
            assert!(seen.insert(*pw), "duplicate {pw}");
            assert_eq!(*pw, pw.to_lowercase(), "{pw} must be lowercase");
            let chars = pw.chars().count();
            assert!((MIN_CHARS..=MAX_CHARS).contains(&chars), "{pw} length");
            assert!(
                pw.chars().filter(|c| c.is_alphabetic()).count() >= 2,
                "{pw} could never pass the case rule"
            );
        }
    }

    #[test]
    fn every_block_list_entry_is_refused_when_capitalized() {
        for pw in COMMON {
            // Uppercase the first letter so the case rules pass and the list decides.
            let i = pw.find(char::is_alphabetic).unwrap();
            let (head, tail) = pw.split_at(i);
            let mut rest = tail.chars();
            let first = rest.next().unwrap();
            let capitalized = format!("{head}{}{}", first.to_uppercase(), rest.as_str());
            assert_eq!(
                code_of(&capitalized),
                "password_too_common",
                "{capitalized}"
            );
        }
    }
}
