//! The products' feedback ("Tab Feedback" of the product page, seed 001 §5.1) and the
//! vendor's rating: what a buyer's rating of a completed order (seed 001 §6.4) leaves.

use crate::order::{Order, OrderLine, Rating};
use loket_shared::http::{json, path_param, query_param, Request, Response};
use loket_shared::schema;
use loket_shared::store::{from_item, get_n, Query};
use loket_shared::{cursor, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One buyer's feedback on one product (`PRODUCT#<id>` / `FEEDBACK#<at>#<order>`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Feedback {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub product_id: String,
    pub order_id: String,
    pub stars: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    /// Who rated, as the page shows it: the buyer's first name and initial (no full
    /// name of a civil servant on a public page).
    pub by: String,
    pub at: i64,
}

/// "Budi Santoso" → "Budi S.".
pub fn public_name(full: &str) -> String {
    let mut words = full.split_whitespace();
    match (words.next(), words.next()) {
        (Some(first), Some(second)) => {
            format!("{first} {}.", second.chars().next().unwrap_or_default())
        }
        (Some(first), None) => first.to_string(),
        _ => "Pembeli".to_string(),
    }
}

impl Feedback {
    pub fn of(order: &Order, line: &OrderLine, rating: &Rating) -> Self {
        Feedback {
            pk: schema::product(&line.product_id),
            sk: schema::feedback_sk(rating.at, &order.id),
            product_id: line.product_id.clone(),
            order_id: order.id.clone(),
            stars: rating.stars,
            review: rating.review.clone(),
            by: public_name(&order.buyer_name),
            at: rating.at,
        }
    }
}

/// A vendor's rating: `None` without ratings (never a zero that reads as zero stars).
pub async fn vendor_rating(app: &App, vendor_id: &str) -> ApiResult<Option<(f64, i64)>> {
    let item = app
        .store
        .get(&schema::vendor(vendor_id), schema::VENDOR_RATING_SK)
        .await?;
    Ok(item.and_then(|i| {
        let (stars, count) = (get_n(&i, "stars")?, get_n(&i, "ratings")?);
        (count > 0).then(|| ((stars as f64 / count as f64 * 10.0).round() / 10.0, count))
    }))
}

/// `GET /catalog/products/{id}/feedback`: the product's feedback, newest first, paged;
/// public like the product page.
pub async fn list_product_feedback(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let id = path_param(&req, "id")?;
    let scope = cursor::Scope::of("list_product_feedback", "", &req);
    let page = cursor::page(
        &app,
        &Query::partition(schema::product(&id))
            .sk_begins_with("SK", schema::FEEDBACK_PREFIX)
            .backwards()
            .limit(20),
        &scope,
        query_param(&req, "cursor").as_deref(),
    )
    .await?;
    let items = page
        .items
        .into_iter()
        .map(from_item::<Feedback>)
        .map(|f| {
            f.map(|f| serde_json::json!({ "stars": f.stars, "review": f.review, "by": f.by, "at": f.at }))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    json(
        200,
        &serde_json::json!({ "items": items, "cursor": page.cursor }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_name_is_a_first_name_and_an_initial() {
        assert_eq!(public_name("Budi Santoso"), "Budi S.");
        assert_eq!(public_name("Dr. Ir. Bambang Hartono"), "Dr. I.");
        assert_eq!(public_name("Budi"), "Budi");
        assert_eq!(public_name("  "), "Pembeli");
    }
}
