//! Amounts in words, as Indonesian invoices and receipts write them ("terbilang"):
//! 1 160 000 → "satu juta seratus enam puluh ribu".

const DIGITS: [&str; 10] = [
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
];

/// Below one thousand (`n` < 1000, not 0).
fn hundreds(n: u64) -> String {
    let (h, rest) = (n / 100, n % 100);
    let mut parts: Vec<String> = Vec::new();
    match h {
        0 => {}
        1 => parts.push("seratus".into()),
        h => parts.push(format!("{} ratus", DIGITS[h as usize])),
    }
    match rest {
        0 => {}
        1..=9 => parts.push(DIGITS[rest as usize].into()),
        10 => parts.push("sepuluh".into()),
        11 => parts.push("sebelas".into()),
        12..=19 => parts.push(format!("{} belas", DIGITS[(rest - 10) as usize])),
        _ => {
            parts.push(format!("{} puluh", DIGITS[(rest / 10) as usize]));
            if rest % 10 != 0 {
                parts.push(DIGITS[(rest % 10) as usize].into());
            }
        }
    }
    parts.join(" ")
}

/// `n` in Indonesian words.
pub fn terbilang(n: u64) -> String {
    if n == 0 {
        return "nol".into();
    }
    const SCALES: [(u64, &str); 4] = [
        (1_000_000_000_000, "triliun"),
        (1_000_000_000, "miliar"),
        (1_000_000, "juta"),
        (1_000, "ribu"),
    ];
    let mut rest = n;
    let mut parts: Vec<String> = Vec::new();
    for (scale, name) in SCALES {
        let count = rest / scale;
        rest %= scale;
        match count {
            0 => {}
            // "seribu", never "satu ribu"; but "satu juta".
            1 if scale == 1_000 => parts.push("seribu".into()),
            c => parts.push(format!("{} {name}", terbilang(c))),
        }
    }
    if rest > 0 {
        parts.push(hundreds(rest));
    }
    parts.join(" ")
}

/// Rupiah as people read it: `Rp 1.250.000`.
pub fn rupiah(amount: i64) -> String {
    let digits = amount.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("Rp {}{out}", if amount < 0 { "-" } else { "" })
}

/// An amount of rupiah in words, capitalised: "Satu juta ... rupiah".
pub fn rupiah_in_words(amount: u64) -> String {
    let words = format!("{} rupiah", terbilang(amount));
    let mut c = words.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_on_an_indonesian_invoice() {
        for (n, words) in [
            (0, "nol"),
            (7, "tujuh"),
            (10, "sepuluh"),
            (11, "sebelas"),
            (15, "lima belas"),
            (21, "dua puluh satu"),
            (100, "seratus"),
            (110, "seratus sepuluh"),
            (999, "sembilan ratus sembilan puluh sembilan"),
            (1_000, "seribu"),
            (1_500, "seribu lima ratus"),
            (25_000, "dua puluh lima ribu"),
            (101_000, "seratus satu ribu"),
            (1_000_000, "satu juta"),
            (1_160_000, "satu juta seratus enam puluh ribu"),
            (2_005_000_011, "dua miliar lima juta sebelas"),
        ] {
            assert_eq!(terbilang(n), words, "{n}");
        }
        assert_eq!(
            rupiah_in_words(1_160_000),
            "Satu juta seratus enam puluh ribu rupiah"
        );
    }
}
