//! The invoice Loket generates when an order is shipped (seed 001 §6.3; issue 12 §5):
//! numbered (`INV/<year>/<order number>/<version>`), from the order's lines (seller,
//! buyer and work unit, lines, total in rupiah and in words), written to private S3
//! once and never changed.
//!
//! The shipment's decision records the invoice (an order document `generating`) in its
//! transaction; the record's stream `INSERT` drives `generate_invoices`, which renders
//! the PDF (`loket_shared::pdf`), writes it once (`files::put_once`) and marks the
//! document uploaded — so a retried delivery writes nothing twice, and the decision
//! never waits for S3.

use crate::documents::{self, OrderDocument, OrderDocumentKind, OrderDocumentStatus};
use crate::order::{rupiah, Order};
use loket_shared::files::PendingUpload;
use loket_shared::pdf::{self, Line};
use loket_shared::rules::terbilang::rupiah_in_words;
use loket_shared::schema;
use loket_shared::store::{from_item, to_item, Item, Tx};
use loket_shared::{files, streams, ApiResult, App};
use std::sync::Arc;

/// The invoice record the shipment writes (`generating`), version `version` of the
/// order's invoice.
pub fn record(app: &App, o: &Order, version: u32, now: i64) -> OrderDocument {
    let year = time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.year())
        .unwrap_or(1970);
    let number = format!("INV/{year}/{}/{version}", o.number());
    let id = app.ids.id();
    OrderDocument {
        pk: schema::order(&o.id),
        sk: schema::order_doc_sk(&id),
        key: format!("orders/{}/invoices/{id}.pdf", o.id),
        id,
        kind: OrderDocumentKind::GeneratedInvoice,
        file_name: format!("{}.pdf", number.replace('/', "-")),
        number: Some(number),
        size: None,
        status: OrderDocumentStatus::Generating,
        created_at: now,
        version: 1,
    }
}

/// The invoice's lines: pure, from the order as it was shipped.
pub fn lines(o: &Order, number: &str, work_unit: &str, issued: &str) -> Vec<Line> {
    let mut out = vec![
        Line::Title("INVOICE".into()),
        Line::Field("Nomor".into(), number.into()),
        Line::Field("Tanggal".into(), issued.into()),
        Line::Field("Nomor Pesanan".into(), o.number()),
        Line::Gap,
        Line::Heading("Penjual (UMKM)".into()),
        Line::Text(o.vendor_name.clone()),
        Line::Gap,
        Line::Heading("Pembeli".into()),
        Line::Text(o.buyer_name.clone()),
        Line::Field("Unit Kerja".into(), work_unit.into()),
    ];
    if let Some(a) = &o.details.address {
        out.push(Line::Field("Alamat Pengiriman".into(), a.one_line()));
    }
    if let Some(name) = &o.details.activity_name {
        out.push(Line::Field("Nama Kegiatan".into(), name.clone()));
    }
    out.push(Line::Gap);
    out.push(Line::Heading("Rincian".into()));
    for (i, l) in o.lines.iter().enumerate() {
        out.push(Line::Text(format!(
            "{}. {} - {} paket x {} = {}",
            i + 1,
            l.name,
            l.quantity,
            rupiah(l.price),
            rupiah(l.subtotal())
        )));
    }
    out.push(Line::Gap);
    out.push(Line::Field("Total".into(), rupiah(o.total())));
    out.push(Line::Field(
        "Terbilang".into(),
        rupiah_in_words(o.total().max(0) as u64),
    ));
    if let Some(m) = o.details.payment_method {
        out.push(Line::Field("Metode Pembayaran".into(), m.label().into()));
    }
    out.push(Line::Gap);
    out.push(Line::Text(
        "Dokumen ini dibuat oleh Loket dan tidak memerlukan tanda tangan.".into(),
    ));
    out
}

/// Stream handler: renders and writes each new generated invoice once.
pub async fn generate_invoices(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    streams::for_each_inserted(app, event, "generate_invoices", |app, image| async move {
        generate(&app, image).await
    })
    .await
}

async fn generate(app: &App, image: Item) -> ApiResult<()> {
    let Ok(doc) = from_item::<OrderDocument>(image) else {
        return Ok(()); // another item of the order's partition
    };
    if doc.kind != OrderDocumentKind::GeneratedInvoice {
        return Ok(());
    }
    let order_id = doc.pk.trim_start_matches("ORDER#").to_string();
    // The current record (a retried delivery may find it done).
    let doc = documents::load(app, &order_id, &doc.id).await?;
    if doc.status != OrderDocumentStatus::Generating {
        return Ok(());
    }
    let o = crate::cart::load(app, &order_id).await?.ok_or_else(|| {
        loket_shared::ApiError::internal(format!("invoice of a missing order {order_id}"))
    })?;
    let work_unit = loket_reference::organisations::find(&app.store, &o.buyer_org)
        .await?
        .map_or_else(|| o.buyer_org.clone(), |org| org.name);
    let (zone, offset) = app.cfg.office_zone;
    let issued = format!(
        "{} ({zone})",
        loket_shared::clock::office_date(doc.created_at, offset)
    );
    let number = doc.number.clone().unwrap_or_default();
    let bytes = pdf::render(&number, &lines(&o, &number, &work_unit, &issued));
    let size = files::put_once(app, &doc.key, bytes, "application/pdf").await?;
    let mut tx = Tx::new();
    tx.put_versioned(
        app.store.table(),
        to_item(&doc.uploaded(size))?,
        doc.version,
    );
    match app.store.transact(tx).await {
        // Another delivery marked it meanwhile: the file is the same one.
        Ok(()) | Err(loket_shared::store::TxError::Condition(_)) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(order_id = %o.id, number = %number, size, "invoice generated");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invoice_has_its_number_parties_lines_and_total_in_words() {
        let o: Order = serde_json::from_value(serde_json::json!({
            "PK": "ORDER#o", "SK": "ORDER", "GSI1PK": "B", "GSI1SK": "1",
            "id": "01JABCDEFGHJKMNPQRSTVWXYZ0", "buyer_id": "b", "buyer_org": "141732",
            "buyer_name": "Budi Santoso", "buyer_email": "b@x.id", "vendor_id": "v",
            "vendor_name": "Kedai Bakso Andrew", "vendor_email": "v@x.id", "vendor_skpd": "141201",
            "status": "shipped", "created_at": 1, "version": 4, "updated_at": 1,
            "lines": [
                { "product_id": "p1", "name": "Snack Box Gurih Andrew", "price": 25000, "quantity": 40,
                  "availability": "H-1", "min_order": 10, "max_order": 500 },
                { "product_id": "p2", "name": "Es Teh Manis Jumbo", "price": 8000, "quantity": 20,
                  "availability": "PO", "min_order": 20, "max_order": 1000 }
            ],
        }))
        .unwrap();
        let text: Vec<String> = lines(
            &o,
            "INV/2026/PO-XYZ0/1",
            "Badan Pengadaan",
            "03-12-2026 (WIB)",
        )
        .into_iter()
        .map(|l| format!("{l:?}"))
        .collect();
        let all = text.join("\n");
        for expected in [
            "INV/2026/PO-XYZ0/1",
            "Kedai Bakso Andrew",
            "Budi Santoso",
            "Badan Pengadaan",
            "1. Snack Box Gurih Andrew - 40 paket x Rp 25.000 = Rp 1.000.000",
            "2. Es Teh Manis Jumbo - 20 paket x Rp 8.000 = Rp 160.000",
            "Rp 1.160.000",
            "Satu juta seratus enam puluh ribu rupiah",
        ] {
            assert!(all.contains(expected), "{expected} not in\n{all}");
        }
    }
}
