//! The products' feedback ("Tab Feedback" of the product page, seed 001 §5.1): what a
//! buyer's rating of a completed order (seed 001 §6.4) leaves on each of its products
//! (written by the orders context with the rating decision).

use loket_shared::http::{json, path_param, query_param, Request, Response};
use loket_shared::schema;
use loket_shared::store::{from_item, Item, Query};
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
    /// The feedback of `order_id`'s buyer (`buyer_name`) on `product_id`.
    pub fn new(
        product_id: &str,
        order_id: &str,
        stars: u8,
        review: Option<String>,
        buyer_name: &str,
        at: i64,
    ) -> Self {
        Feedback {
            pk: schema::product(product_id),
            sk: schema::feedback_sk(at, order_id),
            product_id: product_id.into(),
            order_id: order_id.into(),
            stars,
            review,
            by: public_name(buyer_name),
            at,
        }
    }

    /// As the product page shows it (no order, no buyer id).
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({ "stars": self.stars, "review": self.review, "by": self.by, "at": self.at })
    }
}

/// The newest feedback items of a product page (one bounded query).
pub fn views(items: Vec<Item>) -> ApiResult<Vec<serde_json::Value>> {
    items
        .into_iter()
        .map(|i| from_item::<Feedback>(i).map(|f| f.view()))
        .collect()
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
    let items = views(page.items)?;
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
