//! The order lifecycle as a workflow of the approval engine (seed 001 §5–6): once the
//! buyer confirms (`Dipesan`), `statemachines/order-lifecycle.asl.json` opens each
//! human step as a task of the party whose turn it is — the vendor confirms it can
//! fulfil the order ("Proses", → `Diproses`) or declines with a reason (→ `Ditolak`),
//! the vendor ships it (→ `Dikirim`), the buyer confirms receipt after checking quantity,
//! condition and time and place (→ `Diterima`), the buyer rates it (→ `Selesai`).
//! Decisions go through `POST /tasks/{id}/decision` (or the emailed link's page) like
//! every human task: the engine claims the task, writes the order, its timeline and the
//! status email to the other party in one transaction. This module is the declaration
//! and the pure transition.

use crate::order::{rupiah, Order, OrderStatus, Payout, Rating, Receipt};
use loket_shared::approval::{
    ApproveField, ApproveInput, CaseLines, CaseView, Deadline, Decided, Moment, Subject, Verdict,
    Workflow,
};
use loket_shared::auth::Role;
use loket_shared::config::Config;
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::rules::Refusal;
use loket_shared::schema;
use loket_shared::store::{n, to_item, Item, Tx};
use loket_shared::{ApiError, ApiResult, App};
use serde::Deserialize;
use std::collections::HashMap;

/// A human step of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStage {
    /// JATHIL MART: the field administrator validates the transaction, or rejects it.
    AdminValidate,
    /// The vendor confirms it can fulfil the order, or declines it.
    VendorConfirm,
    /// The vendor marks it shipped.
    VendorShip,
    /// The buyer confirms receipt.
    BuyerReceipt,
    /// JATHIL MART, paid by transfer to its account: the main administrator approves
    /// the payout to the vendor, with the transfer's reference.
    AdminPayout,
    /// The buyer rates it.
    BuyerRating,
}

impl loket_shared::approval::Stage for OrderStage {
    const DECIDED: &'static [OrderStage] = &[
        OrderStage::AdminValidate,
        OrderStage::VendorConfirm,
        OrderStage::VendorShip,
        OrderStage::BuyerReceipt,
        OrderStage::AdminPayout,
        OrderStage::BuyerRating,
    ];

    fn code(self) -> &'static str {
        match self {
            OrderStage::AdminValidate => "admin_validate",
            OrderStage::AdminPayout => "admin_payout",
            OrderStage::VendorConfirm => "vendor_confirm",
            OrderStage::VendorShip => "vendor_ship",
            OrderStage::BuyerReceipt => "buyer_receipt",
            OrderStage::BuyerRating => "buyer_rating",
        }
    }

    fn label(self) -> &'static str {
        match self {
            OrderStage::AdminValidate => "Validasi Transaksi",
            OrderStage::AdminPayout => "Persetujuan Pembayaran",
            OrderStage::VendorConfirm => "Konfirmasi Pesanan",
            OrderStage::VendorShip => "Pengiriman Pesanan",
            OrderStage::BuyerReceipt => "Penerimaan Pesanan",
            OrderStage::BuyerRating => "Penilaian Pesanan",
        }
    }

    /// The receipt's three checks and note (seed 001 §6.2), the rating and review
    /// (§6.4), the payout's transfer reference.
    fn approve_fields(self) -> &'static [ApproveField] {
        const RECEIPT: &[ApproveField] = &[
            ApproveField {
                field: "quantity_ok",
                label: "Jumlah produk sesuai pesanan",
                input: ApproveInput::Confirm,
            },
            ApproveField {
                field: "condition_ok",
                label: "Seluruh produk dalam kondisi baik",
                input: ApproveInput::Confirm,
            },
            ApproveField {
                field: "on_time_and_place",
                label: "Produk tiba sesuai waktu dan lokasi",
                input: ApproveInput::Confirm,
            },
            ApproveField {
                field: "note",
                label: "Catatan penerimaan (opsional)",
                input: ApproveInput::Note { max: 1000 },
            },
        ];
        const RATING: &[ApproveField] = &[
            ApproveField {
                field: "rating",
                label: "Penilaian (1 sampai 5 bintang)",
                input: ApproveInput::Stars,
            },
            ApproveField {
                field: "review",
                label: "Ulasan (opsional)",
                input: ApproveInput::Note { max: REVIEW_MAX },
            },
        ];
        const PAYOUT: &[ApproveField] = &[ApproveField {
            field: "transfer_reference",
            label: "Nomor referensi transfer ke rekening UMKM",
            input: ApproveInput::Text { max: 100 },
        }];
        match self {
            OrderStage::BuyerReceipt => RECEIPT,
            OrderStage::BuyerRating => RATING,
            OrderStage::AdminPayout => PAYOUT,
            _ => &[],
        }
    }

    /// Only the validation and the vendor's confirmation can be rejected.
    fn rejectable(self) -> bool {
        matches!(self, OrderStage::AdminValidate | OrderStage::VendorConfirm)
    }

    fn decider(self) -> Option<Role> {
        Some(match self {
            OrderStage::AdminValidate => Role::FieldAdmin,
            OrderStage::AdminPayout => Role::MainAdmin,
            OrderStage::VendorConfirm | OrderStage::VendorShip => Role::Vendor,
            OrderStage::BuyerReceipt | OrderStage::BuyerRating => Role::Buyer,
        })
    }

    fn approve_label(self) -> &'static str {
        match self {
            OrderStage::AdminValidate => "Transaksi valid, teruskan ke UMKM",
            OrderStage::AdminPayout => "Setujui pembayaran ke UMKM",
            OrderStage::VendorConfirm => "Sanggup memenuhi pesanan (Proses)",
            OrderStage::VendorShip => "Pesanan sudah dikirim",
            OrderStage::BuyerReceipt => "Pesanan Diterima",
            OrderStage::BuyerRating => "Kirim Penilaian",
        }
    }
}

/// What a decision on an order carries besides `decision` (and `note`, which is also
/// the buyer's receipt note).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct OrderDecision {
    pub note: Option<String>,
    /// The three checks before receipt (seed 001 §6.2).
    pub quantity_ok: Option<bool>,
    pub condition_ok: Option<bool>,
    pub on_time_and_place: Option<bool>,
    /// 1 to 5 stars, and the review (seed 001 §6.4).
    pub rating: Option<i64>,
    pub review: Option<String>,
    /// JATHIL MART's payout: the reference of the transfer to the vendor.
    pub transfer_reference: Option<String>,
}

/// What a decision causes besides the order's new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvent {
    /// JATHIL MART's administrator validated it: its service time starts.
    Validated,
    /// The buyer received it (JATHIL MART: its service time ends).
    Received,
    /// The vendor shipped it: Loket's invoice is generated.
    Shipped,
    /// The buyer rated it: the products' feedback and the vendor's rating change.
    Rated,
}

/// The longest review.
pub const REVIEW_MAX: usize = 1000;

impl Subject for Order {
    fn pk(&self) -> String {
        self.pk.clone()
    }

    fn status_code(&self) -> &'static str {
        self.status.as_str()
    }

    fn status_label(code: &str) -> &'static str {
        OrderStatus::parse(code).map_or("-", OrderStatus::label)
    }

    fn to_item(&self) -> ApiResult<Item> {
        to_item(self)
    }
}

fn not_at_this_stage() -> Refusal {
    Refusal::invalid(
        "decision_invalid",
        "Pesanan pada tahap ini tidak dapat ditolak",
        "decision",
    )
}

impl Workflow for Order {
    const KIND: &'static str = "order_lifecycle";
    type Stage = OrderStage;
    type Input = OrderDecision;
    type Facts = ();
    type Event = OrderEvent;
    type Correction = loket_shared::approval::NoInput;

    async fn load(app: &App, id: &str) -> ApiResult<Option<Self>> {
        crate::cart::load(app, id).await
    }

    /// Told to the party that did not act: the vendor of a new order and of its
    /// receipt and rating, the buyer of everything the vendor does.
    fn status_email(&self, app: &App, note: Option<String>) -> OutboxEmail {
        let to_vendor = matches!(
            self.status,
            OrderStatus::Placed
                | OrderStatus::Received
                | OrderStatus::Paid
                | OrderStatus::Completed
        );
        let (name, to) = if to_vendor {
            (self.vendor_name.clone(), self.vendor_email.clone())
        } else {
            (self.buyer_name.clone(), self.buyer_email.clone())
        };
        OutboxEmail {
            id: app.ids.id(),
            to,
            template: EmailTemplate::OrderStatusChanged {
                name,
                number: self.number(),
                vendor: self.vendor_name.clone(),
                status: self.status.label().to_string(),
                note,
            },
        }
    }

    async fn case(&self, _: &App) -> ApiResult<CaseView> {
        Ok(CaseView {
            lines: case_lines(self),
            ..CaseView::default()
        })
    }

    fn awaiting(&self) -> Option<OrderStage> {
        match self.status {
            OrderStatus::AwaitingValidation => Some(OrderStage::AdminValidate),
            OrderStatus::Placed => Some(OrderStage::VendorConfirm),
            OrderStatus::Processing => Some(OrderStage::VendorShip),
            OrderStatus::Shipped => Some(OrderStage::BuyerReceipt),
            OrderStatus::Received if self.payout_required() => Some(OrderStage::AdminPayout),
            OrderStatus::Received | OrderStatus::Paid => Some(OrderStage::BuyerRating),
            _ => None,
        }
    }

    async fn facts(_: &App, _: &Self, _: OrderStage, _: &Verdict<OrderDecision>) -> ApiResult<()> {
        Ok(())
    }

    fn transition(
        &self,
        stage: OrderStage,
        verdict: &Verdict<OrderDecision>,
        _: &(),
        at: Moment,
    ) -> Result<Decided<Self, OrderEvent>, Refusal> {
        if self.cancellation_pending() {
            return Err(Refusal::conflict(
                "cancellation_pending",
                "Pesanan menunggu persetujuan pembatalan; tanggapi permintaan pembatalan terlebih dahulu",
            ));
        }
        let mut next = self.clone();
        let input = match verdict {
            Verdict::Approve(input) => input,
            Verdict::Reject { reason }
                if matches!(stage, OrderStage::VendorConfirm | OrderStage::AdminValidate) =>
            {
                next.status = OrderStatus::Declined;
                next.decline_reason = Some(reason.clone());
                return Ok(Decided::to(next));
            }
            Verdict::Reject { .. } => return Err(not_at_this_stage()),
            Verdict::Revise { .. } => return Err(loket_shared::approval::not_revisable()),
        };
        match stage {
            OrderStage::AdminValidate => {
                next.status = OrderStatus::Placed;
                next.validated_at = Some(at.now);
                // From now on the vendor sees it in its orders.
                next.gsi2pk = Some(schema::vendor_orders(&next.vendor_id));
                next.gsi2sk = Some(format!("{:012}#{}", at.now, next.id));
                return Ok(Decided::to(next).with_event(OrderEvent::Validated));
            }
            OrderStage::AdminPayout => {
                let reference = input
                    .transfer_reference
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .ok_or_else(|| {
                        Refusal::invalid(
                            "transfer_reference_required",
                            "Nomor referensi transfer ke rekening UMKM wajib diisi",
                            "transfer_reference",
                        )
                    })?;
                if reference.chars().count() > 100 || reference.chars().any(char::is_control) {
                    return Err(Refusal::invalid(
                        "field_too_long",
                        "Nomor referensi transfer maksimal 100 karakter, tanpa karakter kontrol",
                        "transfer_reference",
                    ));
                }
                next.status = OrderStatus::Paid;
                next.payout = Some(Payout {
                    reference: reference.to_string(),
                    at: at.now,
                });
            }
            OrderStage::VendorConfirm => next.status = OrderStatus::Processing,
            OrderStage::VendorShip => {
                next.status = OrderStatus::Shipped;
                return Ok(Decided::to(next).with_event(OrderEvent::Shipped));
            }
            OrderStage::BuyerReceipt => {
                let checked = [
                    input.quantity_ok,
                    input.condition_ok,
                    input.on_time_and_place,
                ]
                .iter()
                .all(|c| *c == Some(true));
                if !checked {
                    return Err(Refusal::invalid(
                        "receipt_unchecked",
                        "Pastikan jumlah produk sesuai pesanan, seluruh produk dalam kondisi baik, serta tiba sesuai waktu dan lokasi sebelum menerima pesanan",
                        "quantity_ok",
                    ));
                }
                next.status = OrderStatus::Received;
                next.receipt = Some(Receipt {
                    note: input.note.clone(),
                    at: at.now,
                });
                // Whether JATHIL MART's payout step comes next (the machine's choice).
                let payout = next.payout_required();
                return Ok(Decided::to(next)
                    .with_event(OrderEvent::Received)
                    .with_output("payout", payout));
            }
            OrderStage::BuyerRating => {
                let stars = input
                    .rating
                    .filter(|r| (1..=5).contains(r))
                    .ok_or_else(|| {
                        Refusal::invalid(
                            "rating_invalid",
                            "Penilaian harus 1 sampai 5 bintang",
                            "rating",
                        )
                    })?;
                let review = input
                    .review
                    .as_deref()
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string);
                if review.as_ref().is_some_and(|r| {
                    r.chars().count() > REVIEW_MAX
                        || r.chars()
                            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                }) {
                    return Err(Refusal::invalid(
                        "field_too_long",
                        format!("Ulasan maksimal {REVIEW_MAX} karakter, tanpa karakter kontrol"),
                        "review",
                    ));
                }
                next.status = OrderStatus::Completed;
                next.rating = Some(Rating {
                    stars: stars as u8,
                    review,
                    at: at.now,
                });
                return Ok(Decided::to(next).with_event(OrderEvent::Rated));
            }
        }
        Ok(Decided::to(next))
    }

    /// The vendor is reminded to confirm, and an order it has not confirmed in time
    /// expires; every other step (the shipment, the buyer's receipt and rating) is
    /// only reminded. Orders are never escalated to officers.
    fn deadline(cfg: &Config, stage: OrderStage) -> Deadline {
        let o = &cfg.orders;
        if cfg.jathil() {
            // JATHIL MART's service time: every step is reminded after a working day,
            // and escalated to the SKPD's satpel and main administrator when the service
            // time has passed (an administrator's step: after two).
            let escalate = match stage {
                OrderStage::AdminValidate | OrderStage::AdminPayout => 2,
                _ => o.jathil_service_working_days,
            };
            return Deadline {
                remind_after: Some(1),
                escalate_after: Some(escalate),
                escalate_to: Deadline::SUPERVISORS,
                expire_after: None,
            };
        }
        match stage {
            OrderStage::VendorConfirm => Deadline {
                remind_after: Some(o.confirm_remind_after_working_days),
                expire_after: Some(o.confirm_expire_after_working_days),
                ..Deadline::default()
            },
            _ => Deadline::remind(o.step_remind_after_working_days),
        }
    }

    /// Not confirmed in time ([`expiry`]): `Kedaluwarsa`, and both parties are told.
    fn expired(&self, app: &App, stage: OrderStage) -> Option<(Self, Vec<OutboxEmail>)> {
        let next = expiry(self, stage)?;
        let days = app.cfg.orders.confirm_expire_after_working_days;
        let note = format!(
            "Pesanan tidak dikonfirmasi oleh UMKM dalam {days} hari kerja sehingga kedaluwarsa."
        );
        let mails = [
            (&next.buyer_name, &next.buyer_email),
            (&next.vendor_name, &next.vendor_email),
        ]
        .into_iter()
        .map(|(name, to)| OutboxEmail {
            id: app.ids.id(),
            to: to.clone(),
            template: EmailTemplate::OrderStatusChanged {
                name: name.clone(),
                number: next.number(),
                vendor: next.vendor_name.clone(),
                status: next.status.label().to_string(),
                note: Some(note.clone()),
            },
        })
        .collect();
        Some((next, mails))
    }

    /// JATHIL MART's validation and receipt: the service-time entry. On the shipment:
    /// the invoice record (its PDF is generated from the stream). On a
    /// rating: a feedback entry on each product's page, the vendor's rating (stars and
    /// count, added atomically) and the order's open-data release.
    async fn effects(app: &App, state: &Self, events: &[OrderEvent], tx: &mut Tx) -> ApiResult<()> {
        if events.contains(&OrderEvent::Validated) {
            crate::service_time::record_validation(app, tx, state)?;
        }
        if events.contains(&OrderEvent::Received) {
            crate::service_time::record_receipt(app, tx, state);
        }
        if events.contains(&OrderEvent::Shipped) {
            let invoice = crate::invoice::record(app, state, 1, app.clock.epoch());
            tx.put_new(app.store.table(), to_item(&invoice)?);
        }
        let Some(rating) = state
            .rating
            .as_ref()
            .filter(|_| events.contains(&OrderEvent::Rated))
        else {
            return Ok(());
        };
        let table = app.store.table();
        let work_unit = loket_reference::organisations::find(&app.store, &state.buyer_org)
            .await?
            .map_or_else(|| state.buyer_org.clone(), |org| org.name);
        tx.put(
            table,
            crate::open_data::release_item(state, &work_unit, rating.at),
        );
        for line in &state.lines {
            let feedback = loket_catalog::feedback::Feedback::new(
                &line.product_id,
                &state.id,
                rating.stars,
                rating.review.clone(),
                &state.buyer_name,
                rating.at,
            );
            tx.put(table, to_item(&feedback)?);
        }
        tx.update(
            table,
            loket_shared::store::key(schema::vendor(&state.vendor_id), schema::VENDOR_RATING_SK),
            "ADD stars :s, ratings :one",
            None,
            HashMap::new(),
            Item::from([
                (":s".to_string(), n(rating.stars)),
                (":one".to_string(), n(1)),
            ]),
        );
        Ok(())
    }
}

/// What an order becomes when `stage` waited past its expiry: only an unconfirmed
/// order expires, and not while a cancellation request waits (its answer decides).
pub fn expiry(o: &Order, stage: OrderStage) -> Option<Order> {
    if stage != OrderStage::VendorConfirm
        || o.status != OrderStatus::Placed
        || o.cancellation_pending()
    {
        return None;
    }
    let mut next = o.clone();
    next.status = OrderStatus::Expired;
    Some(next)
}

/// The order as a task page shows it.
pub fn case_lines(o: &Order) -> CaseLines {
    let d = &o.details;
    let mut lines: CaseLines = vec![
        ("Nomor Pesanan", o.number()),
        ("Pembeli", o.buyer_name.clone()),
        ("Unit Kerja", o.buyer_org.clone()),
        ("UMKM", o.vendor_name.clone()),
    ];
    for l in &o.lines {
        lines.push((
            "Produk",
            format!(
                "{} - {} paket x {} = {}",
                l.name,
                l.quantity,
                rupiah(l.price),
                rupiah(l.subtotal())
            ),
        ));
    }
    lines.push(("Total", rupiah(o.total())));
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    lines.push((
        "Alamat Pengiriman",
        d.address.as_ref().map_or("-".into(), |a| a.one_line()),
    ));
    lines.push(("Tanggal Kegiatan", text(&d.activity_date)));
    lines.push(("Waktu Kegiatan", text(&d.activity_time)));
    lines.push(("Nama Kegiatan", text(&d.activity_name)));
    lines.push(("Catatan", text(&d.notes)));
    lines.push((
        "Metode Pembayaran",
        d.payment_method
            .map_or("-".into(), |m| m.label().to_string()),
    ));
    lines
}

/// The input of the order's execution: who decides each step (the vendor's and the
/// buyer's own inboxes).
pub fn execution_input(app: &App, o: &Order) -> serde_json::Value {
    serde_json::json!({
        "order_id": o.id,
        "order_name": format!("{} ({})", o.number(), o.vendor_name),
        "vendor_id": o.vendor_id,
        "vendor_skpd": o.vendor_skpd,
        "buyer_id": o.buyer_id,
        "buyer_org": o.buyer_org,
        // JATHIL MART: its administrators (of the vendor's SKPD, as in its onboarding)
        // validate first and approve the payout.
        "jathil": o.jathil,
        "admin_org": o.vendor_skpd,
        "task_timeout_seconds": app.cfg.onboarding.task_timeout_seconds,
    })
}

/// Refusal when an order is not where the action needs it.
pub fn not_in(status: OrderStatus, wanted: &str) -> ApiError {
    ApiError::conflict(
        "order_status_conflict",
        format!(
            "Pesanan berstatus {}; tindakan ini hanya untuk pesanan {wanted}",
            status.label()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::OrderLine;

    fn order(status: OrderStatus) -> Order {
        Order {
            pk: "ORDER#o1".into(),
            sk: "ORDER".into(),
            gsi1pk: "BUYERORDERS#b1".into(),
            gsi1sk: "1#o1".into(),
            gsi2pk: None,
            gsi2sk: None,
            id: "01JORDER0000000000000001".into(),
            buyer_id: "b1".into(),
            buyer_org: "141732".into(),
            buyer_name: "Budi".into(),
            buyer_email: "b@contoh.id".into(),
            vendor_id: "v1".into(),
            vendor_name: "Kedai Bakso Andrew".into(),
            vendor_email: "v@contoh.id".into(),
            vendor_skpd: "141201".into(),
            status,
            lines: vec![OrderLine {
                product_id: "p1".into(),
                name: "Snack Box".into(),
                price: 25_000,
                quantity: 10,
                availability: "H-1".into(),
                min_order: 10,
                max_order: 500,
            }],
            details: Default::default(),
            created_at: 1,
            placed_at: Some(2),
            confirm_key: None,
            decline_reason: None,
            receipt: None,
            rating: None,
            cancellation: None,
            cancellation_requests: 0,
            buyer_company: None,
            jathil: false,
            validated_at: None,
            payout: None,
            version: 3,
            updated_at: 2,
        }
    }

    #[test]
    fn a_jathil_order_is_validated_first_and_a_transfer_is_paid_out_before_the_rating() {
        let admin = Moment {
            now: 50,
            role: Role::FieldAdmin,
        };
        let mut o = order(OrderStatus::AwaitingValidation);
        o.jathil = true;
        o.details.payment_method = Some(crate::order::PaymentMethod::JathilTransfer);
        assert_eq!(o.awaiting(), Some(OrderStage::AdminValidate));
        assert!(
            !o.reached_vendor(),
            "the vendor does not see it before validation"
        );
        assert!(!o.is_party("v1"));
        // Rejected with a reason: Ditolak, the vendor never saw it.
        let rejected = o
            .transition(
                OrderStage::AdminValidate,
                &Verdict::Reject {
                    reason: "Data pembeli tidak valid".into(),
                },
                &(),
                admin,
            )
            .unwrap()
            .state;
        assert_eq!(rejected.status, OrderStatus::Declined);
        assert!(!rejected.is_party("v1"));
        // Validated: Dipesan, in the vendor's orders, the service time starts.
        let d = o
            .transition(
                OrderStage::AdminValidate,
                &approve(Default::default()),
                &(),
                admin,
            )
            .unwrap();
        assert_eq!(d.events, vec![OrderEvent::Validated]);
        let mut o = d.state;
        assert_eq!(o.status, OrderStatus::Placed);
        assert_eq!(o.validated_at, Some(50));
        assert!(o.is_party("v1"));
        assert!(o.gsi2pk.as_deref() == Some("VENDORORDERS#v1"));
        // Received: the machine is told the payout comes next.
        o.status = OrderStatus::Shipped;
        let receipt = OrderDecision {
            quantity_ok: Some(true),
            condition_ok: Some(true),
            on_time_and_place: Some(true),
            ..Default::default()
        };
        let d = o
            .transition(OrderStage::BuyerReceipt, &approve(receipt), &(), BUYER)
            .unwrap();
        assert_eq!(d.output.get("payout"), Some(&serde_json::json!(true)));
        let o = d.state;
        assert_eq!(o.awaiting(), Some(OrderStage::AdminPayout));
        let main = Moment {
            now: 300,
            role: Role::MainAdmin,
        };
        let refused = o.transition(
            OrderStage::AdminPayout,
            &approve(Default::default()),
            &(),
            main,
        );
        assert_eq!(refused.unwrap_err().code, "transfer_reference_required");
        let paid = OrderDecision {
            transfer_reference: Some("TRF-2026-0001".into()),
            ..Default::default()
        };
        let o = o
            .transition(OrderStage::AdminPayout, &approve(paid), &(), main)
            .unwrap()
            .state;
        assert_eq!(o.status, OrderStatus::Paid);
        assert_eq!(o.status.label(), "Dibayar");
        assert_eq!(o.awaiting(), Some(OrderStage::BuyerRating));
        // COD: no payout step.
        let mut cod = o.clone();
        cod.status = OrderStatus::Received;
        cod.payout = None;
        cod.details.payment_method = Some(crate::order::PaymentMethod::Cod);
        assert_eq!(cod.awaiting(), Some(OrderStage::BuyerRating));
    }

    const VENDOR: Moment = Moment {
        now: 100,
        role: Role::Vendor,
    };
    const BUYER: Moment = Moment {
        now: 200,
        role: Role::Buyer,
    };

    fn approve(d: OrderDecision) -> Verdict<OrderDecision> {
        Verdict::Approve(d)
    }

    #[test]
    fn only_an_unconfirmed_order_without_a_waiting_cancellation_expires() {
        let o = order(OrderStatus::Placed);
        let next = expiry(&o, OrderStage::VendorConfirm).expect("it expires");
        assert_eq!(next.status, OrderStatus::Expired);
        assert_eq!(next.status.label(), "Kedaluwarsa");
        for stage in [
            OrderStage::VendorShip,
            OrderStage::BuyerReceipt,
            OrderStage::BuyerRating,
        ] {
            assert!(expiry(&o, stage).is_none(), "{stage:?}");
        }
        assert!(expiry(&order(OrderStatus::Processing), OrderStage::VendorConfirm).is_none());
        let mut asked = o.clone();
        asked.cancellation = Some(crate::order::Cancellation {
            requested_by: Role::Buyer,
            requester_id: "b1".into(),
            reason: "Acara batal".into(),
            at: 3,
            state: crate::order::CancellationState::Pending,
            refusal: None,
        });
        assert!(expiry(&asked, OrderStage::VendorConfirm).is_none());
    }

    #[test]
    fn the_order_goes_from_dipesan_to_selesai_in_four_decisions() {
        let o = order(OrderStatus::Placed);
        assert_eq!(o.awaiting(), Some(OrderStage::VendorConfirm));
        let o = o
            .transition(
                OrderStage::VendorConfirm,
                &approve(Default::default()),
                &(),
                VENDOR,
            )
            .unwrap()
            .state;
        assert_eq!(
            (o.status, o.awaiting()),
            (OrderStatus::Processing, Some(OrderStage::VendorShip))
        );
        let o = o
            .transition(
                OrderStage::VendorShip,
                &approve(Default::default()),
                &(),
                VENDOR,
            )
            .unwrap()
            .state;
        assert_eq!(
            (o.status, o.awaiting()),
            (OrderStatus::Shipped, Some(OrderStage::BuyerReceipt))
        );
        let checked = OrderDecision {
            note: Some("Sesuai, terima kasih".into()),
            quantity_ok: Some(true),
            condition_ok: Some(true),
            on_time_and_place: Some(true),
            ..Default::default()
        };
        let o = o
            .transition(OrderStage::BuyerReceipt, &approve(checked), &(), BUYER)
            .unwrap()
            .state;
        assert_eq!(o.status, OrderStatus::Received);
        assert_eq!(
            o.receipt.as_ref().unwrap().note.as_deref(),
            Some("Sesuai, terima kasih")
        );
        let rated = OrderDecision {
            rating: Some(5),
            review: Some("  Enak dan tepat waktu ".into()),
            ..Default::default()
        };
        let d = o
            .transition(OrderStage::BuyerRating, &approve(rated), &(), BUYER)
            .unwrap();
        assert_eq!(d.state.status, OrderStatus::Completed);
        assert_eq!(d.events, vec![OrderEvent::Rated]);
        let r = d.state.rating.clone().unwrap();
        assert_eq!(
            (r.stars, r.review.as_deref()),
            (5, Some("Enak dan tepat waktu"))
        );
        assert_eq!(d.state.awaiting(), None);
    }

    #[test]
    fn the_vendor_declines_with_a_reason_only_before_processing() {
        let reject = Verdict::Reject {
            reason: "Stok habis".into(),
        };
        let d = order(OrderStatus::Placed)
            .transition(OrderStage::VendorConfirm, &reject, &(), VENDOR)
            .unwrap();
        assert_eq!(d.state.status, OrderStatus::Declined);
        assert_eq!(d.state.decline_reason.as_deref(), Some("Stok habis"));
        for (status, stage, at) in [
            (OrderStatus::Processing, OrderStage::VendorShip, VENDOR),
            (OrderStatus::Shipped, OrderStage::BuyerReceipt, BUYER),
            (OrderStatus::Received, OrderStage::BuyerRating, BUYER),
        ] {
            let e = order(status)
                .transition(stage, &reject, &(), at)
                .unwrap_err();
            assert_eq!(e.code, "decision_invalid");
        }
    }

    #[test]
    fn receipt_needs_the_three_checks_and_a_rating_one_to_five_stars() {
        let o = order(OrderStatus::Shipped);
        let partly = OrderDecision {
            quantity_ok: Some(true),
            condition_ok: Some(false),
            on_time_and_place: Some(true),
            ..Default::default()
        };
        assert_eq!(
            o.transition(OrderStage::BuyerReceipt, &approve(partly), &(), BUYER)
                .unwrap_err()
                .code,
            "receipt_unchecked"
        );
        let o = order(OrderStatus::Received);
        for stars in [None, Some(0), Some(6), Some(-1)] {
            let d = OrderDecision {
                rating: stars,
                ..Default::default()
            };
            assert_eq!(
                o.transition(OrderStage::BuyerRating, &approve(d), &(), BUYER)
                    .unwrap_err()
                    .code,
                "rating_invalid"
            );
        }
    }
}
