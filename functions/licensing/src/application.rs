//! A permit application (seed 004 §3.2.1) and its pure rules: what each step of the
//! wizard holds, what submitting still misses (in the seed's words), and the resi.
//!
//! The wizard's five steps: 1. agency, permit type and application kind (the
//! requirements are copied from the permit type, so a later change of the type never
//! changes a submitted application); 2. Data Pemohon, copied from the profile (phone,
//! postal code and email editable; NIK and name not); 3. Data Perusahaan, optional for
//! individuals; 4. Lokasi Izin; 5. one document per requirement and the declaration.
//! The draft is saved at every step and resumed at `step`.

use loket_reference::permits::{ApplicationKind, Requirement};
use loket_reference::regions::RegionPath;
use loket_shared::schema;
use serde::{Deserialize, Serialize};

/// Where an application stands. The applicant sees the four statuses of seed 004
/// §3.2.2 ([`ApplicationStatus::label`]: Dalam Proses, Revisi, Ditolak, Selesai); the
/// timeline and the officers see the stage ([`ApplicationStatus::stage_label`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Being filled in by the applicant.
    Draft,
    /// Submitted with its resi: the front office checks it is complete.
    Submitted,
    /// Complete (the receipt can be printed): the agency's verifier checks it.
    Verification,
    /// Sent back to the applicant with the verifier's note.
    Revision,
    /// Verified: the agency head signs it.
    Signing,
    /// Signed: the permit number is issued and the permit generated.
    Issuing,
    /// The permit is issued ("Cetak Izin").
    Completed,
    /// Refused, with its reason.
    Rejected,
    /// The revision was not resubmitted in time.
    Lapsed,
}

impl ApplicationStatus {
    pub fn label(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "Draf",
            ApplicationStatus::Submitted
            | ApplicationStatus::Verification
            | ApplicationStatus::Signing
            | ApplicationStatus::Issuing => "Dalam Proses",
            ApplicationStatus::Revision => "Revisi",
            ApplicationStatus::Completed => "Selesai",
            ApplicationStatus::Rejected => "Ditolak",
            ApplicationStatus::Lapsed => "Kedaluwarsa",
        }
    }

    /// The stage, as the timeline names it.
    pub fn stage_label(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "Draf",
            ApplicationStatus::Submitted => "Pemeriksaan Kelengkapan",
            ApplicationStatus::Verification => "Verifikasi Berkas",
            ApplicationStatus::Revision => "Revisi oleh Pemohon",
            ApplicationStatus::Signing => "Penandatanganan (TTE)",
            ApplicationStatus::Issuing => "Penerbitan Izin",
            ApplicationStatus::Completed => "Selesai",
            ApplicationStatus::Rejected => "Ditolak",
            ApplicationStatus::Lapsed => "Kedaluwarsa",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Verification => "verification",
            ApplicationStatus::Revision => "revision",
            ApplicationStatus::Signing => "signing",
            ApplicationStatus::Issuing => "issuing",
            ApplicationStatus::Completed => "completed",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Lapsed => "lapsed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(code.into())).ok()
    }

    /// Whether the applicant may change the application now: a draft, or a revision.
    pub fn editable(self) -> bool {
        matches!(self, ApplicationStatus::Draft | ApplicationStatus::Revision)
    }

    /// Whether the receipt ("Cetak Resi") exists: once the front office found the
    /// application complete.
    pub fn has_receipt(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Verification
                | ApplicationStatus::Revision
                | ApplicationStatus::Signing
                | ApplicationStatus::Issuing
                | ApplicationStatus::Completed
        )
    }
}

/// Who signed the permit (TTE), as the permit names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub officer_id: String,
    pub name: String,
    pub position: String,
    pub at: i64,
}

/// The issued permit, as the application refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedPermit {
    /// The public verification id (`/verifikasi/<id>`).
    pub id: String,
    /// e.g. `503/0007/SIPA/DPMPTSP/2026`.
    pub number: String,
    pub valid_until: String,
}

/// Step 2, "Data Pemohon".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantData {
    pub name: String,
    pub nik_masked: String,
    pub phone: String,
    pub postal_code: String,
    pub email: String,
}

/// Step 3, "Data Perusahaan".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyData {
    /// 13 digits.
    pub nib: String,
    /// Normalized (15 or 16 digits, checked).
    pub npwp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npwpd: Option<String>,
    pub name: String,
    pub address: String,
    pub region: RegionPath,
    /// PT, CV, Koperasi, …
    pub form: String,
    /// Pusat or Cabang.
    pub status: String,
    pub phone: String,
    pub postal_code: String,
}

/// Step 4, "Lokasi Izin".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationData {
    /// Jalan, No, RT, RW as one line.
    pub address: String,
    pub region: RegionPath,
    pub latitude: f64,
    pub longitude: f64,
}

/// Step 5: the document uploaded for one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub requirement_code: String,
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    /// Private S3 key (`applications/<application>/<id>`); never leaves the server.
    pub key: String,
    /// Set once the upload is checked (size and magic bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// The applicant's applications ("Permohonan Saya"), newest first.
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub id: String,
    pub applicant_id: String,
    pub agency_code: String,
    pub agency_name: String,
    pub permit_type_code: String,
    pub permit_name: String,
    pub kind: ApplicationKind,
    pub service_days: u32,
    pub fee: i64,
    pub requirements: Vec<Requirement>,
    pub status: ApplicationStatus,
    /// The furthest wizard step saved (1 to 5): where a resumed draft opens.
    pub step: u8,
    pub applicant: ApplicantData,
    /// Applying as an individual: no company data.
    #[serde(default)]
    pub individual: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<CompanyData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationData>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub declaration: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<i64>,
    /// The verifier's note of the revision asked for (while in `Revision`, and kept
    /// after as the last one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_note: Option<String>,
    /// How many times it was sent back for revision (names each resubmission).
    #[serde(default)]
    pub revisions: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit: Option<IssuedPermit>,
    /// What "Permohonan Saya" searches (resi and permit type, lower case).
    #[serde(default)]
    pub search_text: String,
    pub created_at: i64,
    pub version: i64,
    pub updated_at: i64,
}

loket_shared::versioned!(Application);

/// The declaration of step 5 (seed 004 §3.2.1).
pub const DECLARATION: &str = "Dengan ini saya menyatakan bahwa data yang saya kirim adalah benar dan valid. Saya bersedia menerima sanksi sesuai dengan ketentuan peraturan perundang-undangan yang berlaku jika data yang saya kirim tidak benar dan tidak valid.";

impl Application {
    /// The text "Permohonan Saya" searches: the resi and the permit type's name.
    pub fn indexed(mut self) -> Self {
        self.search_text = format!(
            "{} {}",
            self.resi.as_deref().unwrap_or_default(),
            self.permit_name
        )
        .to_lowercase();
        self
    }

    pub fn key_of(id: &str) -> (String, &'static str) {
        (schema::application(id), schema::APPLICATION_SK)
    }

    /// The attachment of requirement `code`, uploaded and checked.
    pub fn attached(&self, code: &str) -> Option<&Attachment> {
        self.attachments
            .iter()
            .find(|a| a.requirement_code == code && a.size.is_some())
    }

    /// What submitting still misses, in the form's words, in the form's order: empty
    /// when the application can be submitted.
    pub fn missing(&self) -> Vec<String> {
        let mut out = Vec::new();
        let a = &self.applicant;
        if a.phone.is_empty() {
            out.push("Telp pemohon wajib diisi".into());
        }
        if a.postal_code.is_empty() {
            out.push("Kode Pos pemohon wajib diisi".into());
        }
        if a.email.is_empty() {
            out.push("Email pemohon wajib diisi".into());
        }
        if !self.individual && self.company.is_none() {
            out.push(
                "Data Perusahaan wajib diisi, atau pilih pengajuan sebagai perseorangan".into(),
            );
        }
        if self.location.is_none() {
            out.push("Lokasi Izin wajib diisi (alamat, wilayah dan titik koordinat)".into());
        }
        for r in self.requirements.iter().filter(|r| r.mandatory) {
            if self.attached(&r.code).is_none() {
                out.push(format!("Dokumen \"{}\" wajib diunggah", r.name));
            }
        }
        if !self.declaration {
            out.push("Centang pernyataan kebenaran data sebelum mengirim permohonan".into());
        }
        out
    }
}

/// A resi: 6 upper-case hexadecimal characters from `random` (e.g. `6F632D`).
pub fn resi(random: u32) -> String {
    format!("{:06X}", random & 0x00FF_FFFF)
}

/// Whether `text` is a resi's form.
pub fn is_resi(text: &str) -> bool {
    text.len() == 6
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn draft() -> Application {
        Application {
            pk: "APPLICATION#a1".into(),
            sk: "APPLICATION".into(),
            gsi1pk: "APPLICANT#u1".into(),
            gsi1sk: "1#a1".into(),
            id: "a1".into(),
            applicant_id: "u1".into(),
            agency_code: "DPMPTSP".into(),
            agency_name: "DPMPTSP".into(),
            permit_type_code: "SIPA".into(),
            permit_name: "Surat Izin Pengambilan Air Tanah".into(),
            kind: ApplicationKind::New,
            service_days: 14,
            fee: 0,
            requirements: vec![
                Requirement {
                    code: "R1".into(),
                    name: "Fotokopi KTP pemohon".into(),
                    mandatory: true,
                    formats: vec!["pdf".into()],
                },
                Requirement {
                    code: "R2".into(),
                    name: "Hasil uji kualitas air".into(),
                    mandatory: false,
                    formats: vec!["pdf".into()],
                },
            ],
            status: ApplicationStatus::Draft,
            step: 1,
            applicant: ApplicantData {
                name: "Siti".into(),
                nik_masked: "6472********0001".into(),
                phone: "081234567801".into(),
                postal_code: "75251".into(),
                email: "siti@contoh.id".into(),
            },
            individual: false,
            company: None,
            location: None,
            attachments: vec![],
            declaration: false,
            resi: None,
            submitted_at: None,
            revision_note: None,
            revisions: 0,
            rejection_reason: None,
            signature: None,
            permit: None,
            search_text: String::new(),
            created_at: 1,
            version: 1,
            updated_at: 1,
        }
    }

    #[test]
    fn submitting_lists_everything_still_missing_and_nothing_optional() {
        let mut a = draft();
        assert_eq!(
            a.missing(),
            [
                "Data Perusahaan wajib diisi, atau pilih pengajuan sebagai perseorangan",
                "Lokasi Izin wajib diisi (alamat, wilayah dan titik koordinat)",
                "Dokumen \"Fotokopi KTP pemohon\" wajib diunggah",
                "Centang pernyataan kebenaran data sebelum mengirim permohonan",
            ]
        );
        a.individual = true;
        a.location = Some(LocationData {
            address: "Jl. Juanda No. 1".into(),
            region: RegionPath::default(),
            latitude: -0.5,
            longitude: 117.1,
        });
        // Declared but not yet checked: still missing.
        a.attachments.push(Attachment {
            requirement_code: "R1".into(),
            id: "d1".into(),
            file_name: "ktp.pdf".into(),
            content_type: "application/pdf".into(),
            key: "applications/a1/d1".into(),
            size: None,
        });
        a.declaration = true;
        assert_eq!(
            a.missing(),
            ["Dokumen \"Fotokopi KTP pemohon\" wajib diunggah"]
        );
        a.attachments[0].size = Some(1200);
        assert!(a.missing().is_empty(), "{:?}", a.missing());
    }

    #[test]
    fn a_resi_is_six_upper_case_hexadecimal_characters() {
        assert_eq!(resi(0x6F632D), "6F632D");
        assert_eq!(resi(0xFF00_0001), "000001");
        assert!(is_resi("6F632D"));
        for bad in ["6f632d", "6F632", "6F632DA", "GHIJKL"] {
            assert!(!is_resi(bad), "{bad}");
        }
    }
}
