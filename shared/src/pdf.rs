//! Generated documents (invoices now; receipts and permits later) as PDF: A4 pages of
//! lines in the base-14 Helvetica fonts (nothing embedded), written with `pdf-writer`.
//! A document is built from [`Line`]s and paginated here; the content streams are left
//! uncompressed (small documents, and their text stays checkable by tests).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use qrcode::{Color, EcLevel, QrCode};

/// One line of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// The document's title (large, bold).
    Title(String),
    /// A section heading (bold).
    Heading(String),
    /// A line of text.
    Text(String),
    /// A label and its value, in two columns.
    Field(String, String),
    /// An empty line.
    Gap,
    /// A QR code of `payload` (e.g. a verification URL) with `caption` under it: drawn
    /// as filled vector squares, so it stays sharp at any zoom or print resolution and
    /// needs no image embedded.
    Qr { payload: String, caption: String },
}

const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 56.0;
const VALUE_X: f32 = 220.0;
/// The QR symbol's side including its quiet zone: about 4 cm, which phone cameras
/// read from a printout at arm's length.
const QR_SIDE: f32 = 110.0;
/// Modules of light margin around the symbol, as the QR standard requires for the
/// finder patterns to be found.
const QR_QUIET: usize = 4;
/// The caption's line under the symbol.
const QR_CAPTION: f32 = 15.0;
/// Room above the symbol's quiet zone, so the descenders of the line before it stay
/// out of the quiet zone.
const QR_ABOVE: f32 = 4.0;

/// Text in the fonts' standard encoding: printable ASCII; anything else becomes `?`
/// (the base-14 fonts have no glyphs we could rely on for it).
fn ascii(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| {
            if (' '..='~').contains(&c) {
                c as u8
            } else {
                b'?'
            }
        })
        .collect()
}

impl Line {
    /// (font, size, line height)
    fn style(&self) -> (&'static [u8], f32, f32) {
        match self {
            Line::Title(_) => (b"F2", 16.0, 26.0),
            Line::Heading(_) => (b"F2", 11.0, 20.0),
            Line::Gap => (b"F1", 10.0, 8.0),
            // The whole symbol (quiet zone included) and its caption move together to
            // the next page when they do not fit.
            Line::Qr { .. } => (b"F1", 10.0, QR_ABOVE + QR_SIDE + QR_CAPTION),
            _ => (b"F1", 10.0, 15.0),
        }
    }
}

/// The PDF of `lines` titled `title` (document information).
pub fn render(title: &str, lines: &[Line]) -> Vec<u8> {
    // Paginate: each page gets the lines that fit between the margins.
    let mut pages: Vec<Vec<(&Line, f32)>> = vec![Vec::new()];
    let mut y = PAGE.1 - MARGIN;
    for line in lines {
        let (_, _, height) = line.style();
        if y - height < MARGIN {
            pages.push(Vec::new());
            y = PAGE.1 - MARGIN;
        }
        y -= height;
        pages.last_mut().expect("a page").push((line, y));
    }

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let (regular, bold, info) = (Ref::new(3), Ref::new(4), Ref::new(5));
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first_page + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(regular).base_font(Name(b"Helvetica"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold"));
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("Loket"));
    for (i, page_lines) in pages.iter().enumerate() {
        let (page_id, content_id) = (page_ids[i], Ref::new(first_page + 2 * i as i32 + 1));
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), regular);
        fonts.pair(Name(b"F2"), bold);
        fonts.finish();
        resources.finish();
        page.finish();

        let mut content = Content::new();
        for (line, y) in page_lines {
            let (font, size, _) = line.style();
            let mut show = |x: f32, text: &str, font: &[u8]| {
                content.begin_text();
                content.set_font(Name(font), size);
                content.next_line(x, *y);
                content.show(Str(&ascii(text)));
                content.end_text();
            };
            match line {
                Line::Title(t) | Line::Heading(t) | Line::Text(t) => show(MARGIN, t, font),
                Line::Field(label, value) => {
                    show(MARGIN, label, b"F1");
                    show(VALUE_X, value, b"F1");
                }
                Line::Gap => {}
                Line::Qr { payload, caption } => {
                    show(MARGIN, caption, b"F1");
                    draw_qr(&mut content, payload, *y + QR_CAPTION);
                }
            }
        }
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

/// Draws the QR code of `payload` with the bottom of its quiet zone at `bottom`: one
/// filled rectangle per horizontal run of dark modules (fewer operators than one per
/// module, and no seams between neighbours in viewers that anti-alias each square).
///
/// The dark modules start at the text's left edge, so the symbol lines up with the
/// lines above it; the quiet zone to their left lies in the page margin. The drawing
/// is a marked-content section tagged `/QR`, so a reader (the tests' decoder) finds
/// exactly these rectangles; inside it, a `cm` scales one unit to one module, so the
/// rectangles sit on the integer module grid and carry no rounding.
fn draw_qr(content: &mut Content, payload: &str, bottom: f32) {
    // A payload too long for any QR version (over about 2.3 kB at level M) is a bug
    // in the caller; the document is still worth having, with its caption.
    let code = match QrCode::with_error_correction_level(payload, EcLevel::M) {
        Ok(code) => code,
        Err(e) => {
            tracing::warn!(error = %e, len = payload.len(), "QR payload not encodable");
            return;
        }
    };
    let width = code.width();
    let module = QR_SIDE / (width + 2 * QR_QUIET) as f32;
    let origin = bottom + QR_QUIET as f32 * module;
    let colors = code.to_colors();
    content.begin_marked_content(Name(b"QR"));
    content.save_state();
    content.transform([module, 0.0, 0.0, module, MARGIN, origin]);
    content.set_fill_gray(0.0);
    for (row, modules) in colors.chunks(width).enumerate() {
        // PDF's y axis points up, the code's rows go down.
        let y = (width - 1 - row) as f32;
        let mut x = 0;
        while x < width {
            if modules[x] == Color::Dark {
                let start = x;
                while x < width && modules[x] == Color::Dark {
                    x += 1;
                }
                content.rect(start as f32, y, (x - start) as f32, 1.0);
            } else {
                x += 1;
            }
        }
    }
    content.fill_nonzero();
    content.restore_state();
    content.end_marked_content();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_a_pdf_with_its_text_and_enough_pages() {
        let mut lines = vec![
            Line::Title("INVOICE".into()),
            Line::Field("Nomor".into(), "INV/2026/PO-1234/1".into()),
            Line::Text("Snack Box (Gurih) - Rp 25.000".into()),
        ];
        lines.extend((0..80).map(|i| Line::Text(format!("Baris {i}"))));
        let pdf = render("Invoice", &lines);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(text.trim_end().ends_with("%%EOF"));
        assert!(text.contains("INV/2026/PO-1234/1"));
        assert!(text.contains("Snack Box (Gurih) - Rp 25.000"));
        assert!(text.contains("/Count 2"), "80 lines need a second page");
        assert_eq!(
            ascii("Kab. Ponorogo – Jawa"),
            b"Kab. Ponorogo ? Jawa".to_vec()
        );
    }

    #[test]
    fn a_qr_line_draws_its_code_and_caption_and_moves_to_a_new_page_when_needed() {
        let payload = "https://loket.example.go.id/verifikasi/01JABCDEFGHJKMNPQRSTVWXYZ0";
        let lines = vec![
            Line::Title("IZIN".into()),
            Line::Field("Nomor".into(), "IZN/2026/0001".into()),
            Line::Gap,
            Line::Qr {
                payload: payload.into(),
                caption: "Pindai untuk memverifikasi dokumen ini".into(),
            },
            Line::Text("Sesudah kode".into()),
        ];
        let pdf = render("Izin", &lines);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF"));
        assert!(text.contains("(Pindai untuk memverifikasi dokumen ini)"));
        assert!(text.contains("/Count 1"));
        // That it decodes to `payload` is the end-to-end tests' `qr_in_pdf` unit test
        // (tests/src/lib.rs): the product crate carries no decoder.
        assert!(text.contains("/QR BMC"));

        // 40 lines of text leave room for the symbol and its caption; 41 do not, and
        // it opens the next page.
        let qr = lines[3].clone();
        for (before, pages) in [(40, 1), (41, 2)] {
            let mut long: Vec<Line> = (0..before)
                .map(|i| Line::Text(format!("Baris {i}")))
                .collect();
            long.push(qr.clone());
            let pdf = render("Izin", &long);
            let text = String::from_utf8_lossy(&pdf);
            assert!(text.contains(&format!("/Count {pages}")), "{before} lines");
            let last = &text[text.find(&format!("(Baris {})", before - 1)).unwrap()..];
            let end_of_stream = last.find("endstream").unwrap();
            assert_eq!(last[..end_of_stream].contains("/QR BMC"), pages == 1);
        }
    }
}
