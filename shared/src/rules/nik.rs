//! NIK (Nomor Induk Kependudukan), the 16-digit Indonesian population number.
//!
//! Layout: `PPKKCCDDMMYYSSSS`, where `PP` is the province code, `KK` the regency (kabupaten
//! or kota) code, `CC` the district (kecamatan) code, `DDMMYY` the birth date (women have
//! 40 added to the day) and `SSSS` a sequence number.

use super::Refusal;

/// Province codes (kode provinsi) in use by Dukcapil.
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
    "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82",
    "91", "92", "93", "94", "95", "96", "97",
];

/// The parts of a NIK that can be read without a registry lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NikInfo {
    /// Province code, 2 digits (`PP`).
    pub province: String,
    /// Regency code including its province, 4 digits (`PPKK`).
    pub regency: String,
    /// District code including its regency, 6 digits (`PPKKCC`).
    pub district: String,
    /// Day of birth, 1..=31 (the +40 for women already removed).
    pub birth_day: u8,
    /// Month of birth, 1..=12.
    pub birth_month: u8,
    /// Last two digits of the year of birth.
    pub birth_yy: u8,
    /// Whether the NIK belongs to a woman (day of birth encoded with +40).
    pub female: bool,
}

fn length_error() -> Refusal {
    Refusal::invalid("nik_invalid", "No NIK hanya boleh Angka 16 digit", "nik")
}

fn content_error() -> Refusal {
    Refusal::invalid(
        "nik_invalid",
        "NIK tidak valid: kode wilayah atau tanggal lahir pada NIK tidak sesuai",
        "nik",
    )
}

/// Two ASCII digits as a number; the caller guarantees they are digits.
fn two_digits(s: &str) -> u8 {
    s.bytes().fold(0, |acc, b| acc * 10 + (b - b'0'))
}

/// Last valid day of `month` (1..=12). February counts as 29 because the century, and
/// so whether the year is a leap year, cannot be known from a NIK.
fn max_day(month: u8) -> u8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Checks the shape of a NIK and decodes its region codes, birth date and gender.
///
/// Surrounding whitespace is ignored. Anything other than exactly 16 ASCII digits is
/// refused with the user manual's message; an unknown province, a zero regency or
/// district code, an impossible birth date or a zero sequence number is refused as an
/// invalid NIK. Both errors use code `nik_invalid` and field `nik`.
pub fn parse_nik(input: &str) -> Result<NikInfo, Refusal> {
    let nik = input.trim();
    if nik.len() != 16 || !nik.bytes().all(|b| b.is_ascii_digit()) {
        return Err(length_error());
    }
    // All bytes are ASCII digits, so slicing by byte offsets is safe.
    let province = &nik[0..2];
    let regency = &nik[2..4];
    let district = &nik[4..6];
    let raw_day = two_digits(&nik[6..8]);
    let month = two_digits(&nik[8..10]);
    let yy = two_digits(&nik[10..12]);
    let sequence = &nik[12..16];

    if !PROVINCES.contains(&province) || regency == "00" || district == "00" || sequence == "0000" {
        return Err(content_error());
    }
    if !(1..=12).contains(&month) {
        return Err(content_error());
    }
    let (day, female) = match raw_day {
        1..=31 => (raw_day, false),
        41..=71 => (raw_day - 40, true),
        _ => return Err(content_error()),
    };
    if day > max_day(month) {
        return Err(content_error());
    }

    Ok(NikInfo {
        province: province.to_string(),
        regency: nik[0..4].to_string(),
        district: nik[0..6].to_string(),
        birth_day: day,
        birth_month: month,
        birth_yy: yy,
        female,
    })
}

/// Whether the birth date and gender encoded in a NIK agree with the ones given, e.g.
/// the birth date and gender typed on a registration form.
///
/// Only the last two digits of the year can be compared.
pub fn matches_birth_date(info: &NikInfo, date: time::Date, female: bool) -> bool {
    let yy = date.year().rem_euclid(100);
    info.birth_day == date.day()
        && info.birth_month == u8::from(date.month())
        && i32::from(info.birth_yy) == yy
        && info.female == female
}

/// Masks a NIK for logs and display: keeps the first 4 and the last 2 characters and
/// replaces everything in between with `*`, e.g. `3201**********01`.
///
/// Works on characters, so any input is safe. Surrounding whitespace is dropped. Inputs of
/// 6 characters or fewer would be shown whole by that rule, so they are masked entirely.
pub fn mask_nik(nik: &str) -> String {
    let chars: Vec<char> = nik.trim().chars().collect();
    let len = chars.len();
    if len <= 6 {
        return "*".repeat(len);
    }
    let mut out = String::with_capacity(len);
    out.extend(&chars[..4]);
    out.push_str(&"*".repeat(len - 6));
    out.extend(&chars[len - 2..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn assert_length_error(input: &str) {
        let err = parse_nik(input).unwrap_err();
        assert_eq!(err, length_error(), "input {input:?}");
        assert_eq!(err.kind, crate::rules::RefusalKind::Invalid);
        assert_eq!(err.code, "nik_invalid");
        assert_eq!(err.field, Some("nik"));
        assert_eq!(err.message, "No NIK hanya boleh Angka 16 digit");
    }

    fn assert_content_error(input: &str) {
        let err = parse_nik(input).unwrap_err();
        assert_eq!(err, content_error(), "input {input:?}");
        assert_eq!(err.code, "nik_invalid");
        assert_eq!(err.field, Some("nik"));
        assert_eq!(
            err.message,
            "NIK tidak valid: kode wilayah atau tanggal lahir pada NIK tidak sesuai"
        );
    }

    #[test]
    fn parses_male_nik() {
        let info = parse_nik("3201011502950001").unwrap();
        assert_eq!(
            info,
            NikInfo {
                province: "32".into(),
                regency: "3201".into(),
                district: "320101".into(),
                birth_day: 15,
                birth_month: 2,
                birth_yy: 95,
                female: false,
            }
        );
    }

    #[test]
    fn parses_female_nik() {
        let info = parse_nik("3201015502950002").unwrap();
        assert_eq!(info.birth_day, 15);
        assert_eq!(info.birth_month, 2);
        assert_eq!(info.birth_yy, 95);
        assert!(info.female);
    }

    #[test]
    fn accepts_edge_days() {
        // 29 February is allowed: the century is unknown.
        assert_eq!(parse_nik("3201012902000001").unwrap().birth_day, 29);
        assert_eq!(parse_nik("3201016902000001").unwrap().birth_day, 29);
        // Day 31 for a woman is encoded as 71.
        let info = parse_nik("3201017101000001").unwrap();
        assert_eq!(info.birth_day, 31);
        assert!(info.female);
        assert_eq!(parse_nik("3201010101000001").unwrap().birth_day, 1);
        assert_eq!(parse_nik("3201014101000001").unwrap().birth_day, 1);
    }

    #[test]
    fn accepts_surrounding_whitespace() {
        let info = parse_nik("  3201011502950001\t\n").unwrap();
        assert_eq!(info.district, "320101");
    }

    #[test]
    fn rejects_wrong_length() {
        assert_length_error("");
        assert_length_error("320101150295000");
        assert_length_error("32010115029500011");
        assert_length_error("3201 0115 0295 0001");
    }

    #[test]
    fn rejects_non_digits() {
        assert_length_error("320101150295000A");
        assert_length_error("3201-01150295000");
        // Full-width digits are not ASCII digits.
        assert_length_error("３２０１０１１５０２９５０００１");
        assert_length_error("+201011502950001");
    }

    #[test]
    fn rejects_unknown_province() {
        assert_content_error("9901011502950001");
        assert_content_error("0001011502950001");
        assert_content_error("2001011502950001");
    }

    #[test]
    fn rejects_zero_regency_or_district() {
        assert_content_error("3200011502950001");
        assert_content_error("3201001502950001");
    }

    #[test]
    fn rejects_bad_month() {
        assert_content_error("3201011513950001");
        assert_content_error("3201011500950001");
    }

    #[test]
    fn rejects_bad_day() {
        assert_content_error("3201013502950001"); // day 35
        assert_content_error("3201014002950001"); // day 40
        assert_content_error("3201013202950001"); // day 32
        assert_content_error("3201010002950001"); // day 0
        assert_content_error("3201017201950001"); // day 72
        assert_content_error("3201019901950001"); // day 99
    }

    #[test]
    fn rejects_day_not_in_month() {
        assert_content_error("3201013002950001"); // 30 February
        assert_content_error("3201017002950001"); // 30 February, woman
        assert_content_error("3201013104950001"); // 31 April
        assert_content_error("3201017111950001"); // 31 November, woman
    }

    #[test]
    fn rejects_zero_sequence() {
        assert_content_error("3201011502950000");
    }

    #[test]
    fn matches_birth_date_and_gender() {
        let male = parse_nik("3201011502950001").unwrap();
        assert!(matches_birth_date(&male, date!(1995 - 02 - 15), false));
        assert!(!matches_birth_date(&male, date!(1995 - 02 - 15), true));
        assert!(!matches_birth_date(&male, date!(1995 - 02 - 16), false));
        assert!(!matches_birth_date(&male, date!(1995 - 03 - 15), false));
        assert!(!matches_birth_date(&male, date!(1996 - 02 - 15), false));
        // Only the two last digits of the year are known.
        assert!(matches_birth_date(&male, date!(1895 - 02 - 15), false));

        let female = parse_nik("3201015502050002").unwrap();
        assert!(matches_birth_date(&female, date!(2005 - 02 - 15), true));
        assert!(!matches_birth_date(&female, date!(2005 - 02 - 15), false));
    }

    #[test]
    fn masks_nik() {
        assert_eq!(mask_nik("3201011502950001"), "3201**********01");
        assert_eq!(mask_nik(" 3201011502950001 "), "3201**********01");
        assert_eq!(mask_nik("1234567"), "1234*67");
        assert_eq!(mask_nik("123456"), "******");
        assert_eq!(mask_nik("12"), "**");
        assert_eq!(mask_nik(""), "");
        assert_eq!(mask_nik("ab€defgh"), "ab€d**gh");
    }
}
