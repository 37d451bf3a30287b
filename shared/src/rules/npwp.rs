//! NPWP (Nomor Pokok Wajib Pajak), the Indonesian taxpayer number.
//!
//! Two formats are accepted:
//!
//! * the old 15-digit format `XX.XXX.XXX.C-KKK.CCC`, whose 9th digit `C` is a Luhn check
//!   digit over the first 8 digits;
//! * the 16-digit format used since 2022: residents use their NIK, and every other
//!   taxpayer a `0` followed by its old 15-digit number.

use super::nik::parse_nik;
use super::Refusal;

fn format_error() -> Refusal {
    Refusal::invalid(
        "npwp_invalid",
        "Format NPWP tidak valid: gunakan 15 digit (format lama) atau 16 digit",
        "npwp",
    )
}

fn check_digit_error() -> Refusal {
    Refusal::invalid(
        "npwp_invalid",
        "NPWP tidak valid: digit pemeriksa tidak sesuai",
        "npwp",
    )
}

/// The Luhn check digit for a run of digit values (each 0..=9): the digit that would
/// make the whole number, with it appended, pass the Luhn test.
fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    // `sum % 10` is below 10, so the result fits in a u8.
    ((10 - sum % 10) % 10) as u8
}

/// Checks an old-format 15-digit NPWP given as ASCII digits.
fn check_old_format(digits: &str) -> Result<(), Refusal> {
    let values: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    if values.len() != 15 {
        return Err(format_error());
    }
    if luhn_check_digit(&values[..8]) != values[8] {
        return Err(check_digit_error());
    }
    Ok(())
}

/// Validates an NPWP and returns it as digits only.
///
/// The punctuation people type (`.`, `-` and whitespace) is removed first, so
/// `01.234.567.4-012.000` becomes `012345674012000`. The result must then be either 15
/// digits with a valid check digit, or 16 digits that are either a valid NIK or a `0`
/// followed by a valid 15-digit number. The number keeps its length: a 15-digit NPWP is
/// not converted to 16 digits.
///
/// Errors (code `npwp_invalid`, field `npwp`): a format error for other characters,
/// another length, or a 16-digit number that is not a valid NIK; a check-digit error
/// when the Luhn digit does not match.
pub fn normalize_npwp(input: &str) -> Result<String, Refusal> {
    let digits: String = input
        .chars()
        .filter(|c| !(*c == '.' || *c == '-' || c.is_whitespace()))
        .collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format_error());
    }
    match digits.len() {
        15 => check_old_format(&digits)?,
        16 => match digits.strip_prefix('0') {
            Some(old) => check_old_format(old)?,
            None => {
                parse_nik(&digits).map_err(|_| format_error())?;
            }
        },
        _ => return Err(format_error()),
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid old-format NPWP from its first 8 digits and the 6-digit office
    /// and branch codes, computing the Luhn digit independently of the code under test.
    fn old_npwp(first8: &str, rest6: &str) -> String {
        assert_eq!(first8.len(), 8);
        assert_eq!(rest6.len(), 6);
        // Standard Luhn over first8 + check: starting with the rightmost of the 8 digits,
        // every other digit is doubled (and 9 subtracted when above 9).
        let mut sum = 0;
        for (i, c) in first8.chars().rev().enumerate() {
            let mut d = c.to_digit(10).unwrap();
            if i % 2 == 0 {
                d *= 2;
                if d > 9 {
                    d -= 9;
                }
            }
            sum += d;
        }
        let check = (10 - sum % 10) % 10;
        let number = format!("{first8}{check}{rest6}");
        // The full 9-digit number must pass the classic Luhn validation.
        let mut total = 0;
        for (i, c) in number[..9].chars().rev().enumerate() {
            let mut d = c.to_digit(10).unwrap();
            if i % 2 == 1 {
                d *= 2;
                if d > 9 {
                    d -= 9;
                }
            }
            total += d;
        }
        assert_eq!(total % 10, 0);
        number
    }

    fn assert_format_error(input: &str) {
        let err = normalize_npwp(input).unwrap_err();
        assert_eq!(err, format_error(), "input {input:?}");
        assert_eq!(err.kind, crate::rules::RefusalKind::Invalid);
        assert_eq!(err.code, "npwp_invalid");
        assert_eq!(err.field, Some("npwp"));
    }

    fn assert_check_digit_error(input: &str) {
        let err = normalize_npwp(input).unwrap_err();
        assert_eq!(err, check_digit_error(), "input {input:?}");
        assert_eq!(err.code, "npwp_invalid");
        assert_eq!(err.field, Some("npwp"));
        assert_eq!(
            err.message,
            "NPWP tidak valid: digit pemeriksa tidak sesuai"
        );
    }

    #[test]
    fn luhn_digit_matches_hand_computation() {
        // 0 1 2 3 4 5 6 7: doubled 7,5,3,1 -> 5,1,6,2 (=14); others 0,2,4,6 (=12); 26 -> 4.
        assert_eq!(luhn_check_digit(&[0, 1, 2, 3, 4, 5, 6, 7]), 4);
        assert_eq!(old_npwp("01234567", "012000"), "012345674012000");
    }

    #[test]
    fn accepts_old_format_digits() {
        for first8 in ["01234567", "09254294", "00000000", "99999999", "31415926"] {
            let npwp = old_npwp(first8, "407000");
            assert_eq!(normalize_npwp(&npwp).unwrap(), npwp);
        }
    }

    #[test]
    fn accepts_old_format_with_punctuation() {
        let digits = old_npwp("01234567", "012000");
        let check = &digits[8..9];
        let typed = format!("01.234.567.{check}-012.000");
        assert_eq!(typed, "01.234.567.4-012.000");
        assert_eq!(normalize_npwp(&typed).unwrap(), "012345674012000");
        // A widely published example NPWP.
        assert_eq!(
            normalize_npwp("09.254.294.3-407.000").unwrap(),
            "092542943407000"
        );
        assert_eq!(
            normalize_npwp(" 01 234 567 4 012 000 ").unwrap(),
            "012345674012000"
        );
    }

    #[test]
    fn rejects_wrong_check_digit() {
        assert_check_digit_error("01.234.567.5-012.000");
        assert_check_digit_error("012345670012000");
        assert_check_digit_error("09.254.294.4-407.000");
        // Also inside the 16-digit entity form.
        assert_check_digit_error("0012345675012000");
    }

    #[test]
    fn accepts_sixteen_digit_entity_form() {
        let old = old_npwp("01234567", "012000");
        let new = format!("0{old}");
        assert_eq!(normalize_npwp(&new).unwrap(), new);
        assert_eq!(
            normalize_npwp("0012.3456.74-012.000").unwrap(),
            "0012345674012000"
        );
    }

    #[test]
    fn accepts_sixteen_digit_nik_form() {
        assert_eq!(
            normalize_npwp("3201011502950001").unwrap(),
            "3201011502950001"
        );
        assert_eq!(
            normalize_npwp("3201 0155 0295 0002").unwrap(),
            "3201015502950002"
        );
    }

    #[test]
    fn rejects_invalid_nik_form_as_npwp_error() {
        assert_format_error("9901011502950001"); // unknown province
        assert_format_error("3201013502950001"); // day 35
        assert_format_error("3201011502950000"); // sequence 0000
    }

    #[test]
    fn rejects_bad_lengths_and_characters() {
        assert_format_error("");
        assert_format_error("01.234.567.4-012.00");
        assert_format_error("01234567401200");
        assert_format_error("01234567401200000");
        assert_format_error("01.234.567.4/012.000");
        assert_format_error("01.234.567.X-012.000");
        assert_format_error("０１２３４５６７４０１２０００");
    }
}
