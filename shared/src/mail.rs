//! Email: Indonesian templates, the transactional outbox, and the SES sender.
//!
//! A use case never calls SES itself. It writes an [`OutboxEmail`] in the same
//! transaction as the state change; the `notifications` function receives the
//! outbox item from the table's stream and sends it. Secret parameters (codes, PINs,
//! activation links) are sealed inside the outbox item, never stored in the clear.

use crate::crypto::Sealer;
use crate::error::{ApiError, ApiResult};
use crate::store::{key, n, s, Item};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use serde::{Deserialize, Serialize};

/// Every email Loket sends, with its parameters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum EmailTemplate {
    /// "Generate Code" during applicant registration (seed 004 §2.3.2).
    RegistrationCode { code: String, minutes: i64 },
    /// Vendor self-registration: "Aktifkan akun Saya!" (seed 000 §1.2).
    AccountActivation {
        name: String,
        link: String,
        hours: i64,
    },
    /// An officer or admin account created by an admin.
    OfficerInvitation {
        name: String,
        role: String,
        organisation: String,
        link: String,
        hours: i64,
    },
    /// "REQUEST PIN" of forgot-password (seed 004 §2.3.3).
    PasswordResetPin {
        name: String,
        pin: String,
        minutes: i64,
    },
    /// Sent after any password change or reset.
    PasswordChanged { name: String },
    /// The vendor's registration moved to another stage (seed 000 §2), or was sent
    /// back with the officer's reason.
    VendorStatusChanged {
        name: String,
        status: String,
        note: Option<String>,
    },
    /// A product listing moved to another status (seed 000 §3).
    ProductStatusChanged {
        name: String,
        product: String,
        status: String,
        note: Option<String>,
    },
    /// An order moved to another status (seed 001 §5–6): told to the party that did
    /// not act, with the vendor's reason when it declined.
    OrderStatusChanged {
        name: String,
        number: String,
        vendor: String,
        status: String,
        note: Option<String>,
    },
    /// A task has waited longer than the reminder threshold (working days).
    TaskReminder {
        name: String,
        stage: String,
        subject: String,
        days: i64,
    },
    /// A task has waited past the escalation threshold: its organisation's satpel or
    /// main administrator is told.
    TaskEscalated {
        name: String,
        stage: String,
        subject: String,
        days: i64,
    },
    /// A complaint's status changed (submitted, answered, closed), with the answer.
    ComplaintStatus {
        name: String,
        number: String,
        status: String,
        reply: Option<String>,
    },
    /// A completed application's applicant is invited to the IKM survey.
    SurveyInvitation {
        name: String,
        resi: String,
        permit: String,
    },
    /// A permit application changed status (submitted with its resi, and later steps).
    ApplicationStatus {
        name: String,
        resi: String,
        permit: String,
        status: String,
        note: Option<String>,
    },
    /// A chat message waits unread (the first of an unread stretch).
    ChatMessage {
        name: String,
        from: String,
        /// What the conversation is about ("Pesanan …" or a product's name).
        subject: String,
        preview: String,
    },
    /// A task waits for the officer's decision; the link opens the case.
    TaskAssigned {
        name: String,
        stage: String,
        subject: String,
        link: String,
    },
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Escapes text for HTML (emails and the few HTML pages Loket serves).
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn layout(title: &str, paragraphs: &[String], button: Option<(&str, &str)>) -> String {
    let mut body = String::new();
    for p in paragraphs {
        body.push_str(&format!("<p>{}</p>", html_escape(p)));
    }
    if let Some((label, href)) = button {
        body.push_str(&format!(
            "<p><a href=\"{}\" style=\"background:#0b5ed7;color:#fff;padding:10px 16px;\
             border-radius:4px;text-decoration:none\">{}</a></p>",
            html_escape(href),
            html_escape(label)
        ));
    }
    format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body style=\"font-family:sans-serif\"><h2>{t}</h2>{body}\
         <p style=\"color:#666\">Email ini dikirim otomatis oleh Loket. Jangan membalas email ini.</p>\
         </body></html>",
        t = html_escape(title)
    )
}

/// An email with `subject` whose body is `lines` (as plain text and as HTML, with an
/// optional button).
fn rendered(subject: String, lines: Vec<String>, button: Option<(&str, &str)>) -> Rendered {
    Rendered {
        html: layout(&subject, &lines, button),
        text: lines.join("\n\n"),
        subject,
    }
}

impl EmailTemplate {
    pub fn name(&self) -> &'static str {
        match self {
            Self::RegistrationCode { .. } => "registration_code",
            Self::AccountActivation { .. } => "account_activation",
            Self::OfficerInvitation { .. } => "officer_invitation",
            Self::PasswordResetPin { .. } => "password_reset_pin",
            Self::PasswordChanged { .. } => "password_changed",
            Self::VendorStatusChanged { .. } => "vendor_status_changed",
            Self::ProductStatusChanged { .. } => "product_status_changed",
            Self::OrderStatusChanged { .. } => "order_status_changed",
            Self::ChatMessage { .. } => "chat_message",
            Self::ApplicationStatus { .. } => "application_status",
            Self::SurveyInvitation { .. } => "survey_invitation",
            Self::ComplaintStatus { .. } => "complaint_status",
            Self::TaskAssigned { .. } => "task_assigned",
            Self::TaskReminder { .. } => "task_reminder",
            Self::TaskEscalated { .. } => "task_escalated",
        }
    }

    pub fn render(&self) -> Rendered {
        let footer =
            "Jika Anda tidak merasa melakukan permintaan ini, abaikan email ini.".to_string();
        match self {
            Self::RegistrationCode { code, minutes } => {
                let subject = "Kode Verifikasi Pendaftaran Akun".to_string();
                let lines = vec![
                    format!("Kode verifikasi email Anda: {code}"),
                    format!("Masukkan kode ini pada kolom \"Kode dari Email\" di formulir pendaftaran. Kode berlaku {minutes} menit dan hanya dapat digunakan satu kali."),
                    footer,
                ];
                rendered(subject, lines, None)
            }
            Self::AccountActivation { name, link, hours } => {
                let subject = "Aktivasi Akun UMKM Anda".to_string();
                let lines = vec![
                    format!("Yth. {name},"),
                    "Terima kasih telah mendaftar sebagai UMKM. Klik tombol \"Aktifkan akun Saya!\" untuk mengaktifkan akun dan membuat password.".to_string(),
                    format!("Tautan berlaku {hours} jam: {link}"),
                    footer,
                ];
                rendered(subject, lines, Some(("Aktifkan akun Saya!", link)))
            }
            Self::OfficerInvitation {
                name,
                role,
                organisation,
                link,
                hours,
            } => {
                let subject = "Akun Petugas Loket Anda".to_string();
                let lines = vec![
                    format!("Yth. {name},"),
                    format!("Administrator telah membuatkan akun untuk Anda sebagai {role} pada {organisation}."),
                    format!("Klik tautan berikut untuk membuat password dan mengaktifkan akun (berlaku {hours} jam): {link}"),
                    footer,
                ];
                rendered(subject, lines, Some(("Aktifkan akun Saya!", link)))
            }
            Self::PasswordResetPin { name, pin, minutes } => {
                let subject = "PIN Reset Password".to_string();
                let lines = vec![
                    format!("Yth. {name},"),
                    format!("PIN verifikasi untuk mengatur ulang password Anda: {pin}"),
                    format!("Masukkan PIN ini pada halaman \"Lupa Password? - Masukan Pin\". PIN berlaku {minutes} menit dan hanya dapat digunakan satu kali."),
                    footer,
                ];
                rendered(subject, lines, None)
            }
            Self::TaskReminder {
                name,
                stage,
                subject,
                days,
            } => {
                let subject_line = format!("Pengingat Tugas: {stage} - {subject}");
                let lines = vec![
                    format!("Yth. {name},"),
                    format!("Tugas {stage} untuk {subject} sudah menunggu keputusan selama {days} hari kerja."),
                    "Silakan buka daftar tugas Anda di aplikasi untuk memutuskannya.".to_string(),
                ];
                rendered(subject_line, lines, None)
            }
            Self::TaskEscalated {
                name,
                stage,
                subject,
                days,
            } => {
                let subject_line = format!("Eskalasi Tugas: {stage} - {subject}");
                let lines = vec![
                    format!("Yth. {name},"),
                    format!(
                        "Tugas {stage} untuk {subject} belum diputuskan setelah {days} hari kerja."
                    ),
                    "Mohon tindak lanjuti dengan petugas yang bertanggung jawab.".to_string(),
                ];
                rendered(subject_line, lines, None)
            }
            Self::TaskAssigned {
                name,
                stage,
                subject,
                link,
            } => {
                let subject_line = format!("Tugas Baru: {stage} - {subject}");
                let lines = vec![
                    format!("Yth. {name},"),
                    format!("Ada tugas baru yang menunggu keputusan Anda: {stage} untuk {subject}."),
                    format!("Buka tautan berikut untuk melihat data dan memutuskan (Anda akan diminta masuk terlebih dahulu bila belum): {link}"),
                    "Tugas ini juga tampil pada daftar tugas Anda di aplikasi.".to_string(),
                ];
                rendered(subject_line, lines, Some(("Buka Tugas", link)))
            }
            Self::VendorStatusChanged { name, status, note } => {
                let subject = format!("Status Pendaftaran UMKM: {status}");
                let mut lines = vec![
                    format!("Yth. {name},"),
                    format!("Status pendaftaran UMKM Anda sekarang: {status}."),
                ];
                if let Some(note) = note {
                    lines.push(format!("Catatan petugas: {note}"));
                    lines.push("Silakan perbaiki data Anda pada menu Dataku > Profil, lalu klik Confirm untuk mengajukan kembali.".to_string());
                }
                rendered(subject, lines, None)
            }
            Self::ProductStatusChanged {
                name,
                product,
                status,
                note,
            } => {
                let subject = format!("Status Produk: {product} - {status}");
                let mut lines = vec![
                    format!("Yth. {name},"),
                    format!("Status produk \"{product}\" sekarang: {status}."),
                ];
                if let Some(note) = note {
                    lines.push(format!("Alasan penolakan: {note}"));
                    lines.push("Silakan perbaiki produk pada menu Dataku > Registrasi Produk, lalu klik Confirm untuk mengajukan kembali.".to_string());
                }
                rendered(subject, lines, None)
            }
            Self::OrderStatusChanged {
                name,
                number,
                vendor,
                status,
                note,
            } => {
                let subject = format!("Status Pesanan {number}: {status}");
                let mut lines = vec![
                    format!("Yth. {name},"),
                    format!("Pesanan {number} ({vendor}) sekarang berstatus: {status}."),
                ];
                if let Some(note) = note {
                    lines.push(format!("Alasan: {note}"));
                }
                lines.push("Lihat rincian pesanan pada menu Pesananku.".to_string());
                rendered(subject, lines, None)
            }
            Self::ComplaintStatus {
                name,
                number,
                status,
                reply,
            } => {
                let subject = format!("Pengaduan {number}: {status}");
                let mut lines = vec![
                    format!("Yth. {name},"),
                    format!("Pengaduan Anda dengan nomor {number} sekarang berstatus: {status}."),
                ];
                match reply {
                    Some(r) => lines.push(format!("Balasan petugas: {r}")),
                    None => lines.push("Pengaduan Anda diterima dan akan ditanggapi petugas dalam 1 sampai 3 hari kerja.".into()),
                }
                lines.push("Pantau pengaduan Anda pada menu Pengaduan atau Inbox.".into());
                rendered(subject, lines, None)
            }
            Self::SurveyInvitation { name, resi, permit } => {
                let subject = format!("Undangan Survey Kepuasan Masyarakat - resi {resi}");
                let lines = vec![
                    format!("Yth. {name},"),
                    format!("Permohonan {permit} dengan nomor resi {resi} telah selesai. Bantu kami meningkatkan kualitas pelayanan perizinan dengan mengisi Survey IKM (sembilan pertanyaan, nilai 1 sampai 4)."),
                    format!("Buka menu Survey IKM, masukkan nomor resi {resi}, isi penilaian dan klik \"Kirim Survey\"."),
                ];
                rendered(subject, lines, None)
            }
            Self::ApplicationStatus {
                name,
                resi,
                permit,
                status,
                note,
            } => {
                let subject_line = format!("Permohonan {resi} ({permit}): {status}");
                let mut lines = vec![
                    format!("Yth. {name},"),
                    format!("Permohonan {permit} dengan nomor resi {resi} sekarang berstatus: {status}."),
                ];
                if let Some(note) = note {
                    lines.push(note.clone());
                }
                lines.push("Pantau permohonan Anda pada menu Permohonan Saya atau Monitoring dengan nomor resi.".to_string());
                rendered(subject_line, lines, None)
            }
            Self::ChatMessage {
                name,
                from,
                subject,
                preview,
            } => {
                let subject_line = format!("Pesan Baru dari {from}: {subject}");
                let lines = vec![
                    format!("Yth. {name},"),
                    format!("{from} mengirim pesan tentang {subject}:"),
                    format!("\"{preview}\""),
                    "Buka menu Pesan di aplikasi untuk membaca dan membalasnya. Email berikutnya dikirim setelah Anda membaca percakapan ini.".to_string(),
                ];
                rendered(subject_line, lines, None)
            }
            Self::PasswordChanged { name } => {
                let subject = "Password Anda Telah Diubah".to_string();
                let lines = vec![
                    format!("Yth. {name},"),
                    "Password akun Anda baru saja diubah dan semua sesi login sebelumnya telah diakhiri.".to_string(),
                    "Jika bukan Anda yang melakukannya, segera gunakan fitur \"Lupa Password\" dan hubungi helpdesk.".to_string(),
                ];
                rendered(subject, lines, None)
            }
        }
    }
}

/// An email waiting in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEmail {
    pub id: String,
    pub to: String,
    pub template: EmailTemplate,
}

pub const OUTBOX_PREFIX: &str = "OUTBOX#";
pub const OUTBOX_SK: &str = "EMAIL";

impl OutboxEmail {
    /// The outbox item: parameters sealed, kept 7 days for diagnosis then expired.
    pub fn to_item(&self, sealer: &Sealer, now: i64) -> ApiResult<Item> {
        let params = serde_json::to_string(&self.template).map_err(ApiError::internal)?;
        let mut item = key(format!("{OUTBOX_PREFIX}{}", self.id), OUTBOX_SK);
        item.insert("to".into(), s(&self.to));
        item.insert("template".into(), s(self.template.name()));
        item.insert("sealed".into(), s(sealer.seal(&params)?));
        item.insert("status".into(), s("pending"));
        // On the pending-outbox index until sent (the sweeper's work list).
        item.insert("GSI1PK".into(), s(crate::schema::PENDING_OUTBOX));
        item.insert(
            "GSI1SK".into(),
            s(crate::schema::pending_since(now, &self.id)),
        );
        item.insert("created_at".into(), n(now));
        item.insert("expires_at".into(), n(now + 7 * 24 * 3600));
        item.insert("version".into(), n(1));
        Ok(item)
    }

    pub fn from_item(item: &Item, sealer: &Sealer) -> ApiResult<Self> {
        let pk = crate::store::get_s(item, "PK").unwrap_or_default();
        let id = pk
            .strip_prefix(OUTBOX_PREFIX)
            .ok_or_else(|| ApiError::internal("not an outbox item"))?;
        let to = crate::store::get_s(item, "to").ok_or_else(|| ApiError::internal("no to"))?;
        let sealed =
            crate::store::get_s(item, "sealed").ok_or_else(|| ApiError::internal("no params"))?;
        let template = serde_json::from_str(&sealer.open(sealed)?).map_err(ApiError::internal)?;
        Ok(Self {
            id: id.to_string(),
            to: to.to_string(),
            template,
        })
    }
}

/// Sends rendered emails through SES v2.
#[derive(Clone)]
pub struct Mailer {
    client: aws_sdk_sesv2::Client,
    from: String,
}

impl Mailer {
    pub fn new(client: aws_sdk_sesv2::Client, from: impl Into<String>) -> Self {
        Self {
            client,
            from: from.into(),
        }
    }

    pub async fn send(&self, to: &str, r: &Rendered) -> ApiResult<String> {
        let utf8 = |v: &str| {
            Content::builder()
                .data(v)
                .charset("UTF-8")
                .build()
                .map_err(ApiError::internal)
        };
        let msg = Message::builder()
            .subject(utf8(&r.subject)?)
            .body(
                Body::builder()
                    .text(utf8(&r.text)?)
                    .html(utf8(&r.html)?)
                    .build(),
            )
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(msg).build())
            .send()
            .await
            .map_err(|e| ApiError::unavailable(aws_sdk_sesv2::error::DisplayErrorContext(e)))?;
        crate::meter::email_sent();
        Ok(out.message_id.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::STANDARD as B64, Engine};

    #[test]
    fn outbox_item_seals_the_code_and_roundtrips() {
        let sealer = Sealer::from_base64(&B64.encode([3u8; 32])).unwrap();
        let mail = OutboxEmail {
            id: "01X".into(),
            to: "a@b.id".into(),
            template: EmailTemplate::RegistrationCode {
                code: "123456".into(),
                minutes: 10,
            },
        };
        let item = mail.to_item(&sealer, 1000).unwrap();
        let dump = format!("{item:?}");
        assert!(
            !dump.contains("123456"),
            "the code must not be stored in the clear"
        );
        assert_eq!(OutboxEmail::from_item(&item, &sealer).unwrap(), mail);
    }

    #[test]
    fn templates_are_indonesian_and_escape_html() {
        let r = EmailTemplate::AccountActivation {
            name: "<b>Indah</b>".into(),
            link: "http://x/aktivasi?token=a&b".into(),
            hours: 72,
        }
        .render();
        assert!(r.html.contains("Aktifkan akun Saya!"));
        assert!(r.html.contains("&lt;b&gt;Indah"));
        assert!(r.text.contains("http://x/aktivasi?token=a&b"));
    }
}
