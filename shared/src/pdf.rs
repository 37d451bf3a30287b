//! Generated documents (invoices now; receipts and permits later) as PDF: A4 pages of
//! lines in the base-14 Helvetica fonts (nothing embedded), written with `pdf-writer`.
//! A document is built from [`Line`]s and paginated here; the content streams are left
//! uncompressed (small documents, and their text stays checkable by tests).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

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
}

const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 56.0;
const VALUE_X: f32 = 220.0;

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
            }
        }
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
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
}
