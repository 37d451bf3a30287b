//! "Ajukan Pembatalan" (seed 001 §5.3 note): up to and including `Diproses`, either
//! party may ask to cancel an order; it needs the other party's agreement.
//!
//! The request (`POST /orders/{id}/cancellation`, with a reason) is recorded on the
//! order and starts `statemachines/order-cancellation.asl.json`, which opens the other
//! party's task "Persetujuan Pembatalan" — a second workflow of the approval engine on
//! the same order ([`OrderCancellation`]). Agreed: the order is `Dibatalkan`, both are
//! emailed, and the order's open lifecycle step is closed in the same transaction (its
//! execution resumes with `cancelled` and ends). Refused with a reason: the order goes
//! on. While a request waits, the lifecycle's decisions are refused
//! (`cancellation_pending`); every write is conditioned on the order's version, so a
//! request racing a status change has exactly one winner.

use crate::cart::{self, order_for, view};
use crate::lifecycle::not_in;
use crate::order::{Cancellation, CancellationState, Order, OrderStatus};
use loket_shared::approval::{
    self, CaseView, Change, Deadline, Decided, Moment, NoInput, Start, Subject, Verdict, Versioned,
    Workflow,
};
use loket_shared::auth::Role;
use loket_shared::http::{authenticate, body, json, path_param, required, Request, Response};
use loket_shared::mail::{EmailTemplate, OutboxEmail};
use loket_shared::rules::Refusal;
use loket_shared::store::{Item, Tx};
use loket_shared::tasks::{self, Task};
use loket_shared::{executions, ApiError, ApiResult, App};
use serde::Deserialize;
use std::sync::Arc;

/// An order as the subject of its cancellation request.
#[derive(Debug, Clone)]
pub struct OrderCancellation(pub Order);

/// Who agrees (or refuses): the party that did not ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancellationStage {
    VendorAgrees,
    BuyerAgrees,
}

impl loket_shared::approval::Stage for CancellationStage {
    const DECIDED: &'static [CancellationStage] = &[
        CancellationStage::VendorAgrees,
        CancellationStage::BuyerAgrees,
    ];

    fn code(self) -> &'static str {
        match self {
            CancellationStage::VendorAgrees => "vendor_agrees_cancellation",
            CancellationStage::BuyerAgrees => "buyer_agrees_cancellation",
        }
    }

    fn label(self) -> &'static str {
        "Persetujuan Pembatalan"
    }

    fn decider(self) -> Option<Role> {
        Some(match self {
            CancellationStage::VendorAgrees => Role::Vendor,
            CancellationStage::BuyerAgrees => Role::Buyer,
        })
    }

    fn approve_label(self) -> &'static str {
        "Setujui pembatalan"
    }
}

/// What an agreement causes besides the order's new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancellationEvent {
    Cancelled,
}

impl Versioned for OrderCancellation {
    fn version(&self) -> i64 {
        self.0.version
    }

    fn stamp(&mut self, now: i64) {
        self.0.stamp(now)
    }
}

impl Subject for OrderCancellation {
    fn pk(&self) -> String {
        self.0.pk()
    }

    fn status_code(&self) -> &'static str {
        self.0.status_code()
    }

    fn status_label(code: &str) -> &'static str {
        Order::status_label(code)
    }

    fn to_item(&self) -> ApiResult<Item> {
        self.0.to_item()
    }
}

/// (name, email) of the party that asked and of the other one.
fn parties(o: &Order, requested_by: Role) -> ((String, String), (String, String)) {
    let buyer = (o.buyer_name.clone(), o.buyer_email.clone());
    let vendor = (o.vendor_name.clone(), o.vendor_email.clone());
    if requested_by == Role::Buyer {
        (buyer, vendor)
    } else {
        (vendor, buyer)
    }
}

fn cancellation_email(
    app: &App,
    o: &Order,
    to: (String, String),
    note: Option<String>,
) -> OutboxEmail {
    let status = match o.cancellation.as_ref().map(|c| c.state) {
        Some(CancellationState::Pending) => "Menunggu persetujuan pembatalan".to_string(),
        Some(CancellationState::Refused) => {
            format!("Pembatalan ditolak, pesanan tetap {}", o.status.label())
        }
        _ => o.status.label().to_string(),
    };
    OutboxEmail {
        id: app.ids.id(),
        to: to.1,
        template: EmailTemplate::OrderStatusChanged {
            name: to.0,
            number: o.number(),
            vendor: o.vendor_name.clone(),
            status,
            note,
        },
    }
}

impl Workflow for OrderCancellation {
    const KIND: &'static str = "order_cancellation";
    type Stage = CancellationStage;
    type Input = NoInput;
    type Facts = ();
    type Event = CancellationEvent;
    type Correction = NoInput;

    /// The other party is reminded to answer; a request never escalates to officers.
    fn deadline(cfg: &loket_shared::config::Config, _: CancellationStage) -> Deadline {
        Deadline::remind(cfg.orders.step_remind_after_working_days)
    }

    async fn load(app: &App, id: &str) -> ApiResult<Option<Self>> {
        Ok(cart::load(app, id).await?.map(OrderCancellation))
    }

    /// A new request: to the other party (with the reason). An answer: to the party
    /// that asked (a refusal with its reason).
    fn status_email(&self, app: &App, note: Option<String>) -> OutboxEmail {
        let o = &self.0;
        let c = o.cancellation.as_ref();
        let (asked, other) = parties(o, c.map_or(Role::Buyer, |c| c.requested_by));
        match c.map(|c| c.state) {
            Some(CancellationState::Pending) => {
                cancellation_email(app, o, other, c.map(|c| c.reason.clone()))
            }
            _ => cancellation_email(app, o, asked, note),
        }
    }

    async fn case(&self, _: &App) -> ApiResult<CaseView> {
        let mut lines = crate::lifecycle::case_lines(&self.0);
        if let Some(c) = &self.0.cancellation {
            lines.insert(
                0,
                (
                    "Alasan Pembatalan",
                    format!(
                        "{} (diajukan oleh {})",
                        c.reason,
                        if c.requested_by == Role::Buyer {
                            "Pembeli"
                        } else {
                            "UMKM"
                        }
                    ),
                ),
            );
        }
        Ok(CaseView {
            lines,
            ..CaseView::default()
        })
    }

    fn awaiting(&self) -> Option<CancellationStage> {
        let c = self.0.cancellation.as_ref()?;
        (c.state == CancellationState::Pending).then_some(match c.requested_by {
            Role::Buyer => CancellationStage::VendorAgrees,
            _ => CancellationStage::BuyerAgrees,
        })
    }

    async fn facts(_: &App, _: &Self, _: CancellationStage, _: &Verdict<NoInput>) -> ApiResult<()> {
        Ok(())
    }

    fn transition(
        &self,
        _: CancellationStage,
        verdict: &Verdict<NoInput>,
        _: &(),
        _: Moment,
    ) -> Result<Decided<Self, CancellationEvent>, Refusal> {
        let mut next = self.clone();
        let o = &mut next.0;
        let c = o.cancellation.as_mut().ok_or_else(|| {
            Refusal::conflict(
                "cancellation_not_pending",
                "Tidak ada permintaan pembatalan",
            )
        })?;
        match verdict {
            Verdict::Approve(_) => {
                if !o.status.cancellable() {
                    return Err(Refusal::conflict(
                        "order_status_conflict",
                        format!(
                            "Pesanan berstatus {} tidak dapat dibatalkan",
                            o.status.label()
                        ),
                    ));
                }
                c.state = CancellationState::Agreed;
                o.status = OrderStatus::Cancelled;
                Ok(Decided::to(next).with_event(CancellationEvent::Cancelled))
            }
            Verdict::Reject { reason } => {
                c.state = CancellationState::Refused;
                c.refusal = Some(reason.clone());
                Ok(Decided::to(next))
            }
            Verdict::Revise { .. } => Err(approval::not_revisable()),
        }
    }

    /// Agreed: the order's open lifecycle step is closed and its execution resumed
    /// with `cancelled` (it ends), and the party that agreed is emailed too.
    async fn effects(
        app: &App,
        state: &Self,
        events: &[CancellationEvent],
        tx: &mut Tx,
    ) -> ApiResult<()> {
        if !events.contains(&CancellationEvent::Cancelled) {
            return Ok(());
        }
        let o = &state.0;
        let now = app.clock.epoch();
        if let Some(step) = open_lifecycle_step(app, o).await? {
            let output = serde_json::json!({ "decision": "cancelled", "task_id": step.id });
            let by = o
                .cancellation
                .as_ref()
                .map_or("", |c| c.requester_id.as_str());
            tasks::claim_for(app, tx, &step, by, &output, Some("Pesanan dibatalkan"), now);
            executions::resume(app, tx, &step, &output, now);
        }
        let requested_by = o
            .cancellation
            .as_ref()
            .map_or(Role::Buyer, |c| c.requested_by);
        let (_, other) = parties(o, requested_by);
        tx.put_new(
            app.store.table(),
            cancellation_email(app, o, other, None).to_item(&app.sealer, now)?,
        );
        Ok(())
    }
}

/// The lifecycle task the order waits on, in its vendor's or buyer's inbox.
async fn open_lifecycle_step(app: &App, o: &Order) -> ApiResult<Option<Task>> {
    for user in [&o.vendor_id, &o.buyer_id] {
        if let Some(t) = tasks::open_for_user(app, user, <Order as Workflow>::KIND, &o.id).await? {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CancellationInput {
    reason: Option<String>,
}

/// `POST /orders/{id}/cancellation` ("Ajukan Pembatalan"): the buyer or the vendor asks,
/// with a reason, while the order is `Dipesan` or `Diproses` and no request waits.
pub async fn request_cancellation(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let o = order_for(&app, &caller, &path_param(&req, "id")?).await?;
    let input: CancellationInput = body(&req)?;
    let reason = required(&input.reason, "reason", "Alasan pembatalan", 1000)?;
    if !o.status.cancellable() {
        return Err(not_in(o.status, "Dipesan atau Diproses"));
    }
    if o.cancellation_pending() {
        return Err(ApiError::conflict(
            "cancellation_pending",
            "Permintaan pembatalan sebelumnya masih menunggu persetujuan",
        ));
    }
    let machine = app
        .cfg
        .orders
        .cancellation_state_machine
        .clone()
        .ok_or_else(|| {
            ApiError::unavailable("the order cancellation state machine ARN is not set")
        })?;
    let requested_by = if o.buyer_id == caller.user_id {
        Role::Buyer
    } else {
        Role::Vendor
    };
    let now = app.clock.epoch();
    let mut subject = OrderCancellation(o);
    let expected = subject.version();
    let from = subject.status_code();
    let o = &mut subject.0;
    o.cancellation = Some(Cancellation {
        requested_by,
        requester_id: caller.user_id.clone(),
        reason,
        at: now,
        state: CancellationState::Pending,
        refusal: None,
    });
    o.cancellation_requests += 1;
    o.stamp(now);
    let input = serde_json::json!({
        "order_id": o.id,
        "order_name": format!("{} ({})", o.number(), o.vendor_name),
        "requested_by": requested_by.as_str(),
        "vendor_id": o.vendor_id,
        "vendor_skpd": o.vendor_skpd,
        "buyer_id": o.buyer_id,
        "buyer_org": o.buyer_org,
        "task_timeout_seconds": app.cfg.onboarding.task_timeout_seconds,
    });
    let start = Start {
        machine: &machine,
        name: format!("order-{}-cancel-{}", o.id, o.cancellation_requests),
        input,
    };
    let change = Change {
        actor: &caller,
        role: requested_by,
        action: "cancellation_requested",
        from,
        note: o.cancellation.as_ref().map(|c| c.reason.clone()),
    };
    approval::submit(&app, &subject, expected, change, start).await?;
    let mut v = view(&subject.0);
    v["message"] = "Permintaan pembatalan terkirim; menunggu persetujuan pihak lain".into();
    json(202, &v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_shared::approval::Stage;

    fn requested(status: OrderStatus, by: Role) -> OrderCancellation {
        let mut o: Order = serde_json::from_value(serde_json::json!({
            "PK": "ORDER#o", "SK": "ORDER", "GSI1PK": "B", "GSI1SK": "1", "id": "o1234567",
            "buyer_id": "b", "buyer_org": "141732", "buyer_name": "Budi", "buyer_email": "b@x.id",
            "vendor_id": "v", "vendor_name": "Toko", "vendor_email": "v@x.id", "vendor_skpd": "141201",
            "status": status, "lines": [], "created_at": 1, "version": 4, "updated_at": 1,
        }))
        .unwrap();
        o.cancellation = Some(Cancellation {
            requested_by: by,
            requester_id: "b".into(),
            reason: "Acara diundur".into(),
            at: 5,
            state: CancellationState::Pending,
            refusal: None,
        });
        OrderCancellation(o)
    }

    const AT: Moment = Moment {
        now: 9,
        role: Role::Vendor,
    };

    #[test]
    fn the_other_party_agrees_up_to_diproses_or_refuses_with_a_reason() {
        let r = requested(OrderStatus::Processing, Role::Buyer);
        assert_eq!(r.awaiting(), Some(CancellationStage::VendorAgrees));
        assert_eq!(
            requested(OrderStatus::Placed, Role::Vendor).awaiting(),
            Some(CancellationStage::BuyerAgrees)
        );
        let d = r
            .transition(
                CancellationStage::VendorAgrees,
                &Verdict::Approve(NoInput {}),
                &(),
                AT,
            )
            .unwrap();
        assert_eq!(d.state.0.status, OrderStatus::Cancelled);
        assert_eq!(d.events, vec![CancellationEvent::Cancelled]);
        assert_eq!(d.state.awaiting(), None);
        let refused = r
            .transition(
                CancellationStage::VendorAgrees,
                &Verdict::Reject {
                    reason: "Bahan sudah dibeli".into(),
                },
                &(),
                AT,
            )
            .unwrap();
        assert_eq!(refused.state.0.status, OrderStatus::Processing);
        let c = refused.state.0.cancellation.unwrap();
        assert_eq!(
            (c.state, c.refusal.as_deref()),
            (CancellationState::Refused, Some("Bahan sudah dibeli"))
        );
        // Shipped meanwhile: too late to agree.
        let late = requested(OrderStatus::Shipped, Role::Buyer);
        assert_eq!(
            late.transition(
                CancellationStage::VendorAgrees,
                &Verdict::Approve(NoInput {}),
                &(),
                AT
            )
            .unwrap_err()
            .code,
            "order_status_conflict"
        );
        assert_eq!(
            CancellationStage::VendorAgrees.decider(),
            Some(Role::Vendor)
        );
    }
}
