//! The second factor's rules: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of
//! skew either way) through `totp-rs`, the QR code of the `otpauth://` URL through `qrcode`,
//! and the one-time recovery codes. No I/O.

use base64::Engine;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECONDS: u64 = 30;
pub const DIGITS: usize = 6;
/// Steps accepted either side of now (a phone's clock a little off).
pub const SKEW_STEPS: i64 = 1;
pub const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Renkei";

/// A fresh 160-bit secret (RFC 4226's recommended length).
pub fn new_secret() -> Vec<u8> {
    let bytes: [u8; SECRET_BYTES] = rand::random();
    bytes.to_vec()
}

/// The secret in base32, grouped by four for typing into an app by hand.
pub fn secret_text(secret: &[u8]) -> String {
    let b32 = Secret::Raw(secret.to_vec()).to_encoded().to_string();
    b32.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The secret from its base32 text (spaces and case ignored).
pub fn secret_from_text(text: &str) -> Option<Vec<u8>> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    Secret::Encoded(clean).to_bytes().ok()
}

fn totp(secret: &[u8], account: &str) -> Option<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS,
        secret.to_vec(),
        Some(ISSUER.to_string()),
        account.to_string(),
    )
    .ok()
}

/// The code of a given 30-second step (for tests and the demo's instructions).
pub fn code_at(secret: &[u8], unix_seconds: u64) -> String {
    totp(secret, "x")
        .map(|t| t.generate(unix_seconds))
        .unwrap_or_default()
}

/// The step a typed code belongs to, if it is the code of now or one step either side and that
/// step comes after `last_step` (a code once accepted is never accepted again).
pub fn matching_step(secret: &[u8], code: &str, unix_seconds: u64, last_step: i64) -> Option<i64> {
    let code = normalise_code(code);
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret, "x")?;
    let now = (unix_seconds / STEP_SECONDS) as i64;
    (now - SKEW_STEPS..=now + SKEW_STEPS)
        .filter(|step| *step > last_step && *step >= 0)
        .find(|step| t.check(&code, *step as u64 * STEP_SECONDS))
}

/// A typed code without spaces and hyphens, lower-cased (full-width digits become ASCII).
pub fn normalise_code(code: &str) -> String {
    crate::domain::text::nfkc(code)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_lowercase()
}

/// Whether a typed code looks like a TOTP code (six digits) rather than a recovery code.
pub fn is_totp_shape(code: &str) -> bool {
    let c = normalise_code(code);
    c.len() == DIGITS && c.chars().all(|c| c.is_ascii_digit())
}

/// The `otpauth://` URL an authenticator app reads from the QR code.
pub fn otpauth_url(secret: &[u8], account: &str) -> String {
    totp(secret, &account.replace(':', ""))
        .map(|t| t.get_url())
        .unwrap_or_default()
}

/// The QR code of the URL as an SVG `data:` URL for an `<img>` (the CSP allows `img-src
/// data:`; nothing inline runs or styles the page).
pub fn qr_data_url(url: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// Letters and digits that cannot be mistaken for each other (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const RECOVERY_CHARS: usize = 16;

/// Ten recovery codes of 16 characters from a 31-letter alphabet (about 79 bits each), shown
/// as four groups of four.
pub fn new_recovery_codes() -> Vec<String> {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..RECOVERY_CHARS)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// What is stored of a recovery code: the SHA-256 of its normalised form. A code has ~79
/// random bits, so no dictionary or brute force reaches it from the hash, and a slow hash
/// (as for passwords) would add nothing.
pub fn recovery_hash(code: &str) -> Vec<u8> {
    Sha256::digest(normalise_code(code).as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 (its 8-digit values, last six digits).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, want) in [
            (59u64, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
        ] {
            assert_eq!(code_at(secret, t), want[2..], "t = {t}");
        }
    }

    #[test]
    fn skew_of_one_step_and_no_reuse() {
        let secret = new_secret();
        let now = 1_800_000_000u64;
        let step = (now / 30) as i64;
        let code = code_at(&secret, now);
        assert_eq!(matching_step(&secret, &code, now, 0), Some(step));
        // the previous and the next step are accepted, two steps away is not
        assert_eq!(
            matching_step(&secret, &code_at(&secret, now - 30), now, 0),
            Some(step - 1)
        );
        assert_eq!(
            matching_step(&secret, &code_at(&secret, now + 30), now, 0),
            Some(step + 1)
        );
        assert_eq!(
            matching_step(&secret, &code_at(&secret, now - 60), now, 0),
            None
        );
        // once step is used, the same code is refused
        assert_eq!(matching_step(&secret, &code, now, step), None);
        // spaces and full-width digits are read as typed
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(&secret, &spaced, now, 0), Some(step));
        assert_eq!(matching_step(&secret, "12345", now, 0), None);
        assert_eq!(matching_step(&secret, "abcdef", now, 0), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hashed_as_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 19));
        let c = &codes[0];
        assert_eq!(
            recovery_hash(c),
            recovery_hash(&c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(c), recovery_hash(&codes[1]));
        assert!(!is_totp_shape(c));
        assert!(is_totp_shape("123 456"));
    }

    #[test]
    fn secret_text_round_trips_and_qr_is_an_svg() {
        let s = new_secret();
        assert_eq!(secret_from_text(&secret_text(&s)), Some(s.clone()));
        let url = otpauth_url(&s, "a@b.example");
        assert!(
            url.starts_with("otpauth://totp/Renkei:a%40b.example?"),
            "{url}"
        );
        assert!(qr_data_url(&url).starts_with("data:image/svg+xml;base64,"));
    }
}
