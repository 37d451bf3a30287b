//! The table's schema: the key of every item kind and every index, named once.
//! `docs/ACCESS_PATTERNS.md` describes each item and the operations on it; a test
//! (`infra/local/tests/schema.rs`) checks that every key prefix in the code is there,
//! and that the template's indexes are the ones named here.
//!
//! Contexts build keys only through these functions, and read another context's items
//! only through that context's published read functions (e.g. the account directory,
//! `loket_identity::directory`), never through its raw attributes.

/// A global secondary index: its name and key attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

/// Inboxes of pending tasks, a vendor's products, organisations by kind.
pub const GSI1: Index = Index {
    name: "GSI1",
    pk: "GSI1PK",
    sk: "GSI1SK",
};
/// Officers of an organisation by role, open tasks by age (the deadline index).
pub const GSI2: Index = Index {
    name: "GSI2",
    pk: "GSI2PK",
    sk: "GSI2SK",
};
/// The catalog's partitions (`SPK`), by price.
pub const CATALOG_BY_PRICE: Index = Index {
    name: "CatalogByPrice",
    pk: "SPK",
    sk: "SP",
};
/// The catalog's partitions, newest first.
pub const CATALOG_BY_NEWEST: Index = Index {
    name: "CatalogByNewest",
    pk: "SPK",
    sk: "SN",
};
/// The catalog's partitions, best rated first.
pub const CATALOG_BY_RATING: Index = Index {
    name: "CatalogByRating",
    pk: "SPK",
    sk: "SR",
};
/// Every index of the table.
pub const INDEXES: [Index; 5] = [
    GSI1,
    GSI2,
    CATALOG_BY_PRICE,
    CATALOG_BY_NEWEST,
    CATALOG_BY_RATING,
];

/// `SK` of a uniqueness guard.
pub const GUARD_SK: &str = "GUARD";

// ---- identity ----------------------------------------------------------------------

/// An account's partition (its `ACCOUNT` item and its sessions).
pub fn user(id: &str) -> String {
    format!("USER#{id}")
}
pub const ACCOUNT_SK: &str = "ACCOUNT";
pub fn session_sk(sid: &str) -> String {
    format!("SESSION#{sid}")
}
pub const SESSION_PREFIX: &str = "SESSION#";
/// The officers of an organisation (GSI2 partition of their accounts).
pub fn members(org: &str) -> String {
    format!("MEMBERS#{org}")
}
pub fn email_guard(email: &str) -> String {
    format!("EMAIL#{email}")
}
/// `nik_hash`: the peppered hash of the NIK (the NIK never appears in a key).
pub fn nik_guard(nik_hash: &str) -> String {
    format!("NIK#{nik_hash}")
}
pub fn nrk_guard(nrk: &str) -> String {
    format!("NRK#{nrk}")
}
pub const BOOTSTRAP_ADMIN: &str = "BOOTSTRAP#ADMIN";
pub fn email_code(email: &str) -> String {
    format!("EMAILCODE#{email}")
}
pub fn password_reset(reset_id: &str) -> String {
    format!("PWRESET#{reset_id}")
}
/// `token_hash`: the peppered hash of the activation token.
pub fn activation(token_hash: &str) -> String {
    format!("ACTIVATION#{token_hash}")
}
/// Login failures of a scope: `ACC#<id>`, `ID#<hash>`, `IP#<address>`.
pub fn login_failures(scope: &str) -> String {
    format!("LOGINFAIL#{scope}")
}
pub fn rate_window(bucket: &str) -> String {
    format!("RATE#{bucket}")
}

// ---- reference -----------------------------------------------------------------------

pub fn region(code: &str) -> String {
    format!("REGION#{code}")
}
pub fn organisation(code: &str) -> String {
    format!("ORG#{code}")
}
/// Organisations of a kind (GSI1).
pub fn organisations_of_kind(kind: &str) -> String {
    format!("ORGS#{kind}")
}
pub fn holidays(year: i32) -> String {
    format!("HOLIDAY#{year}")
}

// ---- vendors and catalog -----------------------------------------------------------

pub fn vendor(vendor_id: &str) -> String {
    format!("VENDOR#{vendor_id}")
}
pub fn product(id: &str) -> String {
    format!("PRODUCT#{id}")
}
/// A vendor's own list of products (GSI1).
pub fn vendor_products(vendor_id: &str) -> String {
    format!("VENDORPRODUCTS#{vendor_id}")
}
/// A catalog partition (`SPK` of the catalog indexes): `ALL`, `C#…`, `P#…`, `V#…`.
pub fn catalog(partition: &str) -> String {
    format!("CATALOG#{partition}")
}

// ---- orders ------------------------------------------------------------------------

/// `SK` prefix of a buyer's delivery addresses, in the buyer's `USER#` partition.
pub const ADDRESS_PREFIX: &str = "ADDRESS#";
pub fn address_sk(id: &str) -> String {
    format!("{ADDRESS_PREFIX}{id}")
}
/// The buyer's draft order for one vendor (the cart holds one per vendor), in the
/// buyer's `USER#` partition: points at the draft.
pub fn draft_sk(vendor_id: &str) -> String {
    format!("DRAFT#{vendor_id}")
}
pub fn order(id: &str) -> String {
    format!("ORDER#{id}")
}
pub const ORDER_SK: &str = "ORDER";
/// `SK` prefix of an order's documents (invoice, kwitansi), in its `ORDER#` partition.
pub const ORDER_DOC_PREFIX: &str = "DOC#";
pub fn order_doc_sk(id: &str) -> String {
    format!("{ORDER_DOC_PREFIX}{id}")
}
/// A vendor's rating (in `VENDOR#<id>`): stars and count, added atomically.
pub const VENDOR_RATING_SK: &str = "RATING";
/// `SK` prefix of a product's feedback entries (in `PRODUCT#<id>`), oldest first.
pub const FEEDBACK_PREFIX: &str = "FEEDBACK#";
pub fn feedback_sk(at: i64, order_id: &str) -> String {
    format!("{FEEDBACK_PREFIX}{at:012}#{order_id}")
}
/// A conversation between a buyer and a vendor (about an order or a product).
pub fn chat(id: &str) -> String {
    format!("CHAT#{id}")
}
pub const CHAT_SK: &str = "CHAT";
/// `SK` prefix of a conversation's messages, oldest first.
pub const CHAT_MSG_PREFIX: &str = "MSG#";
/// A party's place in a conversation (its unread count), in the `CHAT#` partition.
pub fn chat_member_sk(user_id: &str) -> String {
    format!("MEMBER#{user_id}")
}
/// A person's conversations (GSI1), by last activity.
pub fn chats_of(user_id: &str) -> String {
    format!("CHATS#{user_id}")
}
/// A person's unread messages in all conversations, in their `USER#` partition.
pub const CHAT_UNREAD_SK: &str = "CHATUNREAD";
/// The open-data releases of completed orders (`SK` = `<completed 12 digits>#<order>`).
pub const OPEN_DATA_ORDERS: &str = "OPENDATA#ORDERS";
/// JATHIL MART's service-time entries of the orders validated in `month` (`YYYY-MM`).
pub fn jathil_report(month: &str) -> String {
    format!("JATHILREPORT#{month}")
}
/// `SK` prefix of a procurement official's work units (in their `USER#` partition).
pub const SATKER_PREFIX: &str = "SATKER#";
pub fn satker_sk(code: &str) -> String {
    format!("{SATKER_PREFIX}{code}")
}
/// A buyer company account (the purchasing entity a satker is mapped to).
pub fn buyer_company(id: &str) -> String {
    format!("BUYERCO#{id}")
}
pub const BUYER_COMPANY_SK: &str = "COMPANY";
/// The email of a buyer company account, unique.
pub fn buyer_company_email(email: &str) -> String {
    format!("BUYERCOEMAIL#{email}")
}
/// A permit type under its agency's `ORG#` partition.
pub const PERMIT_TYPE_PREFIX: &str = "PERMIT#";
pub fn permit_type_sk(code: &str) -> String {
    format!("{PERMIT_TYPE_PREFIX}{code}")
}
/// GSI1 partition of every permit type (the public "Persyaratan"), by agency and code.
pub const PERMIT_TYPES: &str = "PERMITTYPES";
/// A message of a person's inbox (keyed by the outbox email it mirrors).
pub fn inbox_message(id: &str) -> String {
    format!("INBOXMSG#{id}")
}
pub const INBOX_MESSAGE_SK: &str = "MSG";
/// A person's messages (GSI1): unread first, newest first.
pub fn user_messages(user_id: &str) -> String {
    format!("USERINBOX#{user_id}")
}
/// A permit application.
pub fn application(id: &str) -> String {
    format!("APPLICATION#{id}")
}
pub const APPLICATION_SK: &str = "APPLICATION";
/// An applicant's applications (GSI1), newest first.
pub fn applicant_applications(user_id: &str) -> String {
    format!("APPLICANT#{user_id}")
}
/// The guard that keeps a resi unique (`application_id`).
pub fn resi(resi: &str) -> String {
    format!("RESI#{resi}")
}
pub const RESI_SK: &str = "GUARD";
/// A file of an applicant's library ("File Saya").
pub fn library_file(id: &str) -> String {
    format!("LIBFILE#{id}")
}
pub const LIBRARY_FILE_SK: &str = "FILE";
/// An applicant's library (GSI1), newest first.
pub fn library(user_id: &str) -> String {
    format!("LIBRARY#{user_id}")
}
/// The issued permits of a geohash cell (the map's index), `SK` = the permit's id.
pub fn permit_map(cell: &str) -> String {
    format!("PERMITMAP#{cell}")
}
/// The helpdesk's queue of conversations of an organisation (GSI2): unassigned first.
pub fn helpdesk_queue(org: &str) -> String {
    format!("HELPDESKQ#{org}")
}
/// A complaint ("Pengaduan").
pub fn complaint(id: &str) -> String {
    format!("COMPLAINT#{id}")
}
pub const COMPLAINT_SK: &str = "COMPLAINT";
/// A complainant's complaints (GSI1), newest first.
pub fn complainant(user_id: &str) -> String {
    format!("COMPLAINANT#{user_id}")
}
/// A completed application's survey, in its partition.
pub const SURVEY_SK: &str = "SURVEY";
/// The surveys of a service (GSI1), by date: the IKM report's partition.
pub fn ikm(agency: &str, permit_type: &str) -> String {
    format!("IKM#{agency}#{permit_type}")
}
/// A document of an application (`DOC#RECEIPT`, `DOC#PERMIT`), in its partition.
pub const APPLICATION_DOC_PREFIX: &str = "DOC#";
/// An issued permit's public verification record.
pub fn permit(id: &str) -> String {
    format!("ISSUEDPERMIT#{id}")
}
pub const PERMIT_SK: &str = "PERMIT";
/// The counter of permit numbers of an agency, permit type and year (`last`).
pub fn permit_counter(agency: &str, permit_type: &str, year: i32) -> String {
    format!("PERMITSEQ#{agency}#{permit_type}#{year}")
}
pub const PERMIT_COUNTER_SK: &str = "SEQ";
/// A buyer's orders (GSI1), newest first.
pub fn buyer_orders(buyer_id: &str) -> String {
    format!("BUYERORDERS#{buyer_id}")
}
/// A vendor's placed orders (GSI2), newest first.
pub fn vendor_orders(vendor_id: &str) -> String {
    format!("VENDORORDERS#{vendor_id}")
}

// ---- workflows and notifications -------------------------------------------------------

pub fn task(id: &str) -> String {
    format!("TASK#{id}")
}
/// The inbox of everyone with `role` in `org` (GSI1).
pub fn role_inbox(role: &str, org: &str) -> String {
    format!("INBOX#{role}#{org}")
}
/// The inbox of one officer (tasks assigned to a person, GSI1).
pub fn user_inbox(user_id: &str) -> String {
    format!("INBOX#USER#{user_id}")
}
/// `link_hash`: the peppered hash of the emailed link id.
pub fn task_link(link_hash: &str) -> String {
    format!("TASKLINK#{link_hash}")
}
pub fn outbox(id: &str) -> String {
    format!("OUTBOX#{id}")
}
pub fn workflow_start(execution_name: &str) -> String {
    format!("WORKFLOWSTART#{execution_name}")
}
/// `SK` prefix of a subject's timeline entries.
pub const AUDIT_PREFIX: &str = "AUDIT#";

/// GSI1 partition of the outbox emails not sent yet (sparse: removed once sent).
pub const PENDING_OUTBOX: &str = "OUTBOX#PENDING";

/// GSI1 sort key of a pending outbox item: when it was queued (zero-padded epoch
/// seconds, so it sorts by time), then its id.
pub fn pending_since(created_at: i64, id: &str) -> String {
    format!("{created_at:012}#{id}")
}
