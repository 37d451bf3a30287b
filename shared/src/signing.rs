//! Signatures of issued documents with the managed signing key (KMS, an
//! `ECC_NIST_P256` key of usage `SIGN_VERIFY`; the local stack's emulator provides
//! one). The private key never leaves KMS: Loket asks it to sign a message and to
//! verify a signature. A permit's message is its canonical data with the SHA-256 of
//! its PDF (see the licensing context's `issuance`), so the signature covers both.

use crate::error::{ApiError, ApiResult};
use crate::App;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use base64::{engine::general_purpose::STANDARD as B64, Engine};

/// The algorithm every signature uses.
const ALGORITHM: SigningAlgorithmSpec = SigningAlgorithmSpec::EcdsaSha256;

/// A signature: the key that made it (its ARN, as KMS answers) and the signature
/// itself (DER, base64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub key_id: String,
    pub signature: String,
}

fn key(app: &App) -> ApiResult<&str> {
    app.cfg
        .licensing
        .signing_key
        .as_deref()
        .ok_or_else(|| ApiError::internal("LOKET_PERMIT_SIGNING_KEY is not set"))
}

/// Signs `message` with the deployment's signing key.
pub async fn sign(app: &App, message: &[u8]) -> ApiResult<Signed> {
    let out = app
        .kms()?
        .sign()
        .key_id(key(app)?)
        .message(Blob::new(message))
        .message_type(MessageType::Raw)
        .signing_algorithm(ALGORITHM)
        .send()
        .await
        .map_err(|e| ApiError::unavailable(aws_sdk_kms::error::DisplayErrorContext(e)))?;
    let signature = out
        .signature
        .ok_or_else(|| ApiError::internal("KMS answered a signature without its bytes"))?;
    crate::meter::kms_call();
    Ok(Signed {
        key_id: out
            .key_id
            .unwrap_or_else(|| key(app).unwrap_or_default().to_string()),
        signature: B64.encode(signature.as_ref()),
    })
}

/// Whether `signed` is a valid signature of `message` by its key. A signature that
/// is not even well-formed, or a key that does not exist, is simply not valid.
pub async fn verify(app: &App, message: &[u8], signed: &Signed) -> ApiResult<bool> {
    let Ok(signature) = B64.decode(&signed.signature) else {
        return Ok(false);
    };
    let res = app
        .kms()?
        .verify()
        .key_id(&signed.key_id)
        .message(Blob::new(message))
        .message_type(MessageType::Raw)
        .signature(Blob::new(signature))
        .signing_algorithm(ALGORITHM)
        .send()
        .await;
    crate::meter::kms_call();
    match res {
        Ok(out) => Ok(out.signature_valid),
        Err(aws_sdk_kms::error::SdkError::ServiceError(ctx))
            if ctx.err().is_kms_invalid_signature_exception()
                || ctx.err().is_not_found_exception()
                || ctx.err().is_invalid_key_usage_exception() =>
        {
            Ok(false)
        }
        Err(e) => Err(ApiError::unavailable(
            aws_sdk_kms::error::DisplayErrorContext(e),
        )),
    }
}
