//! Personal data of an applicant: gender, education, full name and birth date.

use super::Refusal;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// Gender as recorded on the KTP: `L` (laki-laki) or `P` (perempuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gender {
    /// Laki-laki, serialized as `"L"`.
    #[serde(rename = "L")]
    Male,
    /// Perempuan, serialized as `"P"`.
    #[serde(rename = "P")]
    Female,
}

impl Gender {
    /// The Indonesian label to show people: `"Laki-laki"` or `"Perempuan"`.
    pub fn label(&self) -> &'static str {
        match self {
            Gender::Male => "Laki-laki",
            Gender::Female => "Perempuan",
        }
    }
}

/// Highest completed education (pendidikan terakhir), serialized with the Indonesian
/// abbreviations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Education {
    /// Sekolah Dasar, `"SD"`.
    #[serde(rename = "SD")]
    Sd,
    /// Sekolah Menengah Pertama, `"SMP"`.
    #[serde(rename = "SMP")]
    Smp,
    /// Sekolah Menengah Atas or equivalent, `"SMA"`.
    #[serde(rename = "SMA")]
    Sma,
    /// Diploma 1, `"D1"`.
    #[serde(rename = "D1")]
    D1,
    /// Diploma 2, `"D2"`.
    #[serde(rename = "D2")]
    D2,
    /// Diploma 3, `"D3"`.
    #[serde(rename = "D3")]
    D3,
    /// Diploma 4 (sarjana terapan), `"D4"`.
    #[serde(rename = "D4")]
    D4,
    /// Sarjana, `"S1"`.
    #[serde(rename = "S1")]
    S1,
    /// Magister, `"S2"`.
    #[serde(rename = "S2")]
    S2,
    /// Doktor, `"S3"`.
    #[serde(rename = "S3")]
    S3,
    /// Anything else, `"Lainnya"`.
    #[serde(rename = "Lainnya")]
    Other,
}

fn name_error() -> Refusal {
    Refusal::invalid(
        "name_invalid",
        "Nama hanya boleh berisi huruf, spasi, dan tanda baca gelar (. , ' -), 2 sampai 100 karakter",
        "name",
    )
}

/// Validates a full name and returns it trimmed, with every run of whitespace inside it
/// collapsed to one space.
///
/// The result must be 2 to 100 characters long, contain only letters (any script),
/// spaces and the punctuation of names with academic titles (`.`, `,`, `'`, `-`), and
/// have at least 2 letters; e.g. `Dr. Ir. Siti Aminah, M.Sc.` is accepted. A typographic
/// apostrophe (`’`, as typed by phone keyboards) is stored as `'`.
///
/// Error: code `name_invalid`, field `name`.
pub fn check_full_name(input: &str) -> Result<String, Refusal> {
    let name = input
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\u{2019}', "'");
    let chars = name.chars().count();
    let allowed = name
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | ',' | '\'' | '-'));
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    if (2..=100).contains(&chars) && allowed && letters >= 2 {
        Ok(name)
    } else {
        Err(name_error())
    }
}

/// Youngest age at which an applicant can hold a KTP.
const MIN_AGE: i32 = 17;
/// Oldest plausible age.
const MAX_AGE: i32 = 120;

fn birth_date_format_error() -> Refusal {
    Refusal::invalid(
        "birth_date_invalid",
        "Tanggal lahir tidak valid (format YYYY-MM-DD)",
        "birth_date",
    )
}

fn too_young_error() -> Refusal {
    Refusal::invalid(
        "birth_date_invalid",
        "Usia pemohon minimal 17 tahun",
        "birth_date",
    )
}

fn too_old_error() -> Refusal {
    Refusal::invalid(
        "birth_date_invalid",
        "Tanggal lahir tidak valid",
        "birth_date",
    )
}

/// Parses `YYYY-MM-DD` (exactly, surrounding whitespace aside) into a real date.
fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(range)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Completed years between `birth` and `today` (negative if `birth` is in the future).
fn age_on(birth: Date, today: Date) -> i32 {
    let had_birthday =
        (u8::from(today.month()), today.day()) >= (u8::from(birth.month()), birth.day());
    today.year() - birth.year() - i32::from(!had_birthday)
}

/// Validates a birth date typed as `YYYY-MM-DD` for an applicant, as of `today`.
///
/// The date must exist, must not be after `today`, and the applicant must be at least 17
/// (the age at which a KTP is issued) and at most 120 years old on `today`. Someone born
/// on 29 February turns a year older on 1 March in common years.
///
/// Errors (code `birth_date_invalid`, field `birth_date`): a format message when the
/// input is not a real `YYYY-MM-DD` date; "Usia pemohon minimal 17 tahun" when the date
/// is in the future or the applicant is younger than 17; "Tanggal lahir tidak valid" when
/// the applicant would be older than 120.
pub fn check_birth_date(input: &str, today: Date) -> Result<Date, Refusal> {
    let birth = parse_iso_date(input.trim()).ok_or_else(birth_date_format_error)?;
    if birth > today {
        return Err(too_young_error());
    }
    let age = age_on(birth, today);
    if age < MIN_AGE {
        return Err(too_young_error());
    }
    if age > MAX_AGE {
        return Err(too_old_error());
    }
    Ok(birth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 06 - 15);

    fn assert_name_error(input: &str) {
        let err = check_full_name(input).unwrap_err();
        assert_eq!(err, name_error(), "input {input:?}");
        assert_eq!(err.kind, crate::rules::RefusalKind::Invalid);
        assert_eq!(err.code, "name_invalid");
        assert_eq!(err.field, Some("name"));
    }

    #[test]
    fn gender_serde_and_label() {
        assert_eq!(serde_json::to_string(&Gender::Male).unwrap(), "\"L\"");
        assert_eq!(serde_json::to_string(&Gender::Female).unwrap(), "\"P\"");
        assert_eq!(
            serde_json::from_str::<Gender>("\"P\"").unwrap(),
            Gender::Female
        );
        assert!(serde_json::from_str::<Gender>("\"Male\"").is_err());
        assert_eq!(Gender::Male.label(), "Laki-laki");
        assert_eq!(Gender::Female.label(), "Perempuan");
    }

    #[test]
    fn education_serde() {
        let all = [
            (Education::Sd, "SD"),
            (Education::Smp, "SMP"),
            (Education::Sma, "SMA"),
            (Education::D1, "D1"),
            (Education::D2, "D2"),
            (Education::D3, "D3"),
            (Education::D4, "D4"),
            (Education::S1, "S1"),
            (Education::S2, "S2"),
            (Education::S3, "S3"),
            (Education::Other, "Lainnya"),
        ];
        for (value, text) in all {
            let json = format!("\"{text}\"");
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
            assert_eq!(serde_json::from_str::<Education>(&json).unwrap(), value);
        }
        assert!(serde_json::from_str::<Education>("\"Other\"").is_err());
        assert!(serde_json::from_str::<Education>("\"sd\"").is_err());
    }

    #[test]
    fn accepts_names_with_titles() {
        assert_eq!(
            check_full_name("Dr. Ir. Siti Aminah, M.Sc.").unwrap(),
            "Dr. Ir. Siti Aminah, M.Sc."
        );
        assert_eq!(check_full_name("Budi").unwrap(), "Budi");
        assert_eq!(check_full_name("Jo").unwrap(), "Jo");
        assert_eq!(
            check_full_name("Ni Luh Putu Ayu-Lestari").unwrap(),
            "Ni Luh Putu Ayu-Lestari"
        );
        assert_eq!(check_full_name("Ma'ruf Amin").unwrap(), "Ma'ruf Amin");
        assert_eq!(check_full_name("Ma’ruf Amin").unwrap(), "Ma'ruf Amin");
        assert_eq!(check_full_name("Zoë Ñúñez").unwrap(), "Zoë Ñúñez");
    }

    #[test]
    fn name_whitespace_is_normalized() {
        assert_eq!(
            check_full_name("  Siti \t  Aminah\n ").unwrap(),
            "Siti Aminah"
        );
    }

    #[test]
    fn name_length_limits() {
        let max = "a".repeat(100);
        assert_eq!(check_full_name(&max).unwrap(), max);
        assert_name_error(&"a".repeat(101));
        assert_name_error("A");
        assert_name_error("");
        assert_name_error("   ");
        // Counted in characters: 100 two-byte letters are fine.
        let wide = "é".repeat(100);
        assert_eq!(check_full_name(&wide).unwrap(), wide);
        // Collapsing whitespace happens before counting.
        let spaced = format!("{}    {}", "a".repeat(49), "b".repeat(50));
        assert_eq!(check_full_name(&spaced).unwrap().chars().count(), 100);
    }

    #[test]
    fn name_rejects_other_characters() {
        assert_name_error("Budi123");
        assert_name_error("Budi_Santoso");
        assert_name_error("Budi@Santoso");
        assert_name_error("Budi (Santoso)");
        assert_name_error("<script>");
        assert_name_error("Budi 🙂");
    }

    #[test]
    fn name_needs_two_letters() {
        assert_name_error("A.");
        assert_name_error("., -'");
        assert_name_error("A -");
        assert_eq!(check_full_name("A.B").unwrap(), "A.B");
    }

    #[test]
    fn accepts_valid_birth_dates() {
        assert_eq!(
            check_birth_date("1995-02-15", TODAY).unwrap(),
            date!(1995 - 02 - 15)
        );
        assert_eq!(
            check_birth_date(" 2000-02-29 ", TODAY).unwrap(),
            date!(2000 - 02 - 29)
        );
    }

    #[test]
    fn birth_date_format_errors() {
        for input in [
            "",
            "15-02-1995",
            "1995/02/15",
            "1995-2-15",
            "95-02-15",
            "1995-02-15T00:00:00",
            "1995-13-01",
            "1995-00-10",
            "1995-02-30",
            "1995-04-31",
            "1995-02-00",
            "1999-02-29",
            "+995-02-15",
            "1995-+2-15",
            "abcd-ef-gh",
        ] {
            let err = check_birth_date(input, TODAY).unwrap_err();
            assert_eq!(err, birth_date_format_error(), "input {input:?}");
            assert_eq!(err.code, "birth_date_invalid");
            assert_eq!(err.field, Some("birth_date"));
            assert_eq!(err.message, "Tanggal lahir tidak valid (format YYYY-MM-DD)");
        }
    }

    #[test]
    fn minimum_age_is_seventeen() {
        assert!(check_birth_date("2008-06-15", TODAY).is_ok());
        let err = check_birth_date("2008-06-16", TODAY).unwrap_err();
        assert_eq!(err, too_young_error());
        assert_eq!(err.message, "Usia pemohon minimal 17 tahun");
        assert_eq!(err.code, "birth_date_invalid");
        assert_eq!(err.field, Some("birth_date"));
        assert_eq!(
            check_birth_date("2020-01-01", TODAY).unwrap_err(),
            too_young_error()
        );
        assert_eq!(
            check_birth_date("2025-06-15", TODAY).unwrap_err(),
            too_young_error()
        );
    }

    #[test]
    fn future_dates_are_refused() {
        assert_eq!(
            check_birth_date("2025-06-16", TODAY).unwrap_err(),
            too_young_error()
        );
        assert_eq!(
            check_birth_date("2999-01-01", TODAY).unwrap_err(),
            too_young_error()
        );
    }

    #[test]
    fn leap_day_birthday() {
        // Born 29 February 2008: turns 17 on 1 March 2025, not on 28 February.
        let born = "2008-02-29";
        assert_eq!(
            check_birth_date(born, date!(2025 - 02 - 28)).unwrap_err(),
            too_young_error()
        );
        assert!(check_birth_date(born, date!(2025 - 03 - 01)).is_ok());
    }

    #[test]
    fn maximum_age_is_one_hundred_twenty() {
        assert!(check_birth_date("1905-06-16", TODAY).is_ok()); // 119
        assert!(check_birth_date("1904-06-16", TODAY).is_ok()); // 120 until tomorrow
        let err = check_birth_date("1904-06-15", TODAY).unwrap_err(); // 121 today
        assert_eq!(err, too_old_error());
        assert_eq!(err.message, "Tanggal lahir tidak valid");
        assert_eq!(err.code, "birth_date_invalid");
        assert_eq!(err.field, Some("birth_date"));
        assert_eq!(
            check_birth_date("0001-01-01", TODAY).unwrap_err(),
            too_old_error()
        );
    }
}
