//! The vendor's rating on its catalog cards (seed 001 Lampiran 4–5: "rating").
//!
//! A buyer's rating of a completed order adds to the vendor's rating item
//! (`VENDOR#<id>` / `RATING`: the sum of stars and the count, written by the orders
//! context with the decision). Its stream record drives `refresh_vendor_cards`, which
//! writes the new rating into every published listing of the vendor and its index items
//! (the cards, and the "rating" sort key), idempotently. A publication reads the same
//! item, so a new listing starts with the vendor's current rating.

use crate::index::{Listing, Rating};
use crate::product::product_pk;
use loket_shared::schema::{self, GSI1};
use loket_shared::store::{get_n, get_s, to_item, Item, Query, Tx};
use loket_shared::{streams, ApiError, ApiResult, App};
use std::sync::Arc;

/// The rating of a `RATING` item's `stars` (sum) and `ratings` (count).
pub fn rating_of(item: &Item) -> Rating {
    let stars = get_n(item, "stars").unwrap_or_default().max(0) as u64;
    let count = get_n(item, "ratings").unwrap_or_default().max(0) as u64;
    if count == 0 {
        return Rating::default();
    }
    Rating {
        // Rounded to the nearest hundredth of a star.
        average_x100: ((stars * 100 + count / 2) / count).min(500) as u32,
        count: count.min(u64::from(u32::MAX)) as u32,
    }
}

/// The vendor's current rating (none yet: count 0).
pub async fn vendor_rating(app: &App, vendor_id: &str) -> ApiResult<Rating> {
    Ok(app
        .store
        .get(&schema::vendor(vendor_id), schema::VENDOR_RATING_SK)
        .await?
        .map(|i| rating_of(&i))
        .unwrap_or_default())
}

/// Stream handler: for each written `RATING` item, the vendor's published listings and
/// their index items get the rating (a listing that has it already is left alone).
pub async fn refresh_vendor_cards(
    app: Arc<App>,
    event: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    streams::for_each_written(
        app,
        event,
        "refresh_vendor_cards",
        |app, image| async move {
            let vendor_id = get_s(&image, "PK")
                .and_then(|pk| pk.strip_prefix("VENDOR#"))
                .ok_or_else(|| ApiError::internal("a rating record without its vendor"))?
                .to_string();
            refresh(&app, &vendor_id, rating_of(&image)).await
        },
    )
    .await
}

async fn refresh(app: &App, vendor_id: &str, rating: Rating) -> ApiResult<()> {
    let products = app
        .store
        .query_all(&Query::partition(schema::vendor_products(vendor_id)).on_index(GSI1))
        .await?;
    let mut refreshed = 0;
    for p in products {
        let Some(id) = get_s(&p, "id") else { continue };
        let Some(mut listing) = app
            .store
            .get_as::<Listing>(&product_pk(id), crate::index::PUBLISHED_SK)
            .await?
        else {
            continue;
        };
        if listing.rating == rating {
            continue;
        }
        listing.rating = rating;
        let mut tx = Tx::new();
        for item in listing.index_items() {
            tx.put(app.store.table(), item);
        }
        tx.put(app.store.table(), to_item(&listing)?);
        app.store.transact(tx).await?;
        refreshed += 1;
    }
    tracing::info!(
        vendor_id,
        refreshed,
        average_x100 = rating.average_x100,
        "vendor cards refreshed"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use loket_shared::store::n;

    #[test]
    fn the_average_is_rounded_to_hundredths_and_none_is_zero_count() {
        let item = |stars: i64, ratings: i64| {
            Item::from([
                ("stars".to_string(), n(stars)),
                ("ratings".to_string(), n(ratings)),
            ])
        };
        assert_eq!(
            rating_of(&item(14, 3)),
            Rating {
                average_x100: 467,
                count: 3
            }
        );
        assert_eq!(
            rating_of(&item(5, 1)),
            Rating {
                average_x100: 500,
                count: 1
            }
        );
        assert_eq!(rating_of(&Item::new()), Rating::default());
    }
}
