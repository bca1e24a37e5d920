//! Password policy (NIST SP 800-63B-4 for password-only accounts) and Argon2id hashing.
//! Hashing is CPU-heavy: callers on the async runtime wrap these in `spawn_blocking`.

use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use std::collections::HashSet;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

pub const MIN_LEN: usize = 15;
/// The minimum for an account with a second factor (NIST SP 800-63B-4, a password used as one
/// factor of a multi-factor authentication).
pub const MIN_LEN_WITH_SECOND_FACTOR: usize = 8;

/// The minimum length of a new password for an account with or without a second factor.
pub fn min_len(second_factor: bool) -> usize {
    if second_factor {
        MIN_LEN_WITH_SECOND_FACTOR
    } else {
        MIN_LEN
    }
}

/// The demo's password, published in the README: it signs in the demo users and is never
/// accepted as anyone's new password.
pub const DEMO_PASSWORD: &str = "renkei-demo-2026!";
pub const MAX_LEN: usize = 256;

/// Why a new password is refused; each maps to one catalog message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Common,
    ContainsIdentity,
    Mismatch,
}

impl PasswordProblem {
    pub fn message_key(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password-too-short",
            PasswordProblem::TooLong => "password-too-long",
            PasswordProblem::Common => "password-common",
            PasswordProblem::ContainsIdentity => "password-contains-identity",
            PasswordProblem::Mismatch => "password-mismatch",
        }
    }

    /// The message for an account with or without a second factor (the minimum differs).
    pub fn message_key_for(self, second_factor: bool) -> &'static str {
        match self {
            PasswordProblem::TooShort if second_factor => "password-too-short-second-factor",
            p => p.message_key(),
        }
    }
}

/// The shipped list of common passwords (see the header of `common_passwords.txt` for where it
/// comes from), normalised once: NFKC, then lowercase.
static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let file = include_str!("common_passwords.txt");
    // the header ends at the first empty line; entries may themselves begin with "#"
    let entries = file.split_once("\n\n").map_or(file, |(_, rest)| rest);
    entries
        .lines()
        .filter(|l| !l.is_empty())
        .map(normalise)
        .collect()
});

/// How a password is compared with the list: NFKC (full-width "ｐａｓｓｗｏｒｄ" is "password"),
/// then lowercase.
fn normalise(p: &str) -> String {
    p.nfkc().collect::<String>().to_lowercase()
}

/// On the common list, as it is or with digits and punctuation around a listed word
/// ("password1234567!", "qwertyuiop12345") — the first guesses of anyone who has the list.
pub fn is_common(password: &str) -> bool {
    let p = normalise(password);
    if COMMON.contains(&p) || is_repetition(&p) || p == DEMO_PASSWORD {
        return true;
    }
    let core = p.trim_matches(|c: char| !c.is_alphabetic());
    core.chars().count() >= 4 && core != p && COMMON.contains(core)
}

/// How many passwords the shipped list holds (after normalising).
pub fn common_list_len() -> usize {
    COMMON.len()
}

/// Checks a new password: length in characters, not on the common list, not the user's own
/// email or name. No composition rules.
pub fn check_new(password: &str, email: &str, name: &str) -> Result<(), PasswordProblem> {
    check_new_for(password, email, name, false)
}

/// `check_new` for an account that has (`second_factor`) or has not a second factor on: the
/// only difference is the minimum length.
pub fn check_new_for(
    password: &str,
    email: &str,
    name: &str,
    second_factor: bool,
) -> Result<(), PasswordProblem> {
    let len = password.chars().count();
    if len > MAX_LEN {
        return Err(PasswordProblem::TooLong);
    }
    // a listed password is named as such even when it is also too short: the message by the
    // field says why it will never do, not only that it needs more characters
    if is_common(password) {
        return Err(PasswordProblem::Common);
    }
    if len < min_len(second_factor) {
        return Err(PasswordProblem::TooShort);
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    let name = name.replace([' ', '　'], "").to_lowercase();
    let identity_hit = |part: &str| part.chars().count() >= 4 && lower.contains(part);
    if lower == email.to_lowercase() || identity_hit(&local) || identity_hit(&name) {
        return Err(PasswordProblem::ContainsIdentity);
    }
    Ok(())
}

/// One character or one short block repeated ("aaaaaaaaaaaaaaa", "abcabcabcabcabc").
fn is_repetition(p: &str) -> bool {
    let chars: Vec<char> = p.chars().collect();
    (1..=4)
        .any(|n| chars.len() >= 2 * n && chars.iter().enumerate().all(|(i, c)| *c == chars[i % n]))
}

pub fn hash(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

/// Verifies against a stored PHC string. `None` (unknown user) verifies against a fixed dummy
/// hash so that the answer costs the same either way, then fails.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: LazyLock<String> = LazyLock::new(|| hash("renkei dummy password for timing"));
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (DUMMY.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_demo_password_is_refused() {
        assert_eq!(
            check_new(DEMO_PASSWORD, "a@b.jp", "名前"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new("RENKEI-DEMO-2026!", "a@b.jp", "名前"),
            Err(PasswordProblem::Common)
        );
    }

    #[test]
    fn policy_table() {
        let cases = [
            ("short-pass", Err(PasswordProblem::TooShort)),
            ("password", Err(PasswordProblem::Common)),
            ("PassWord", Err(PasswordProblem::Common)),
            ("ｐａｓｓｗｏｒｄ", Err(PasswordProblem::Common)),
            ("qwertyuiop12", Err(PasswordProblem::Common)),
            ("1q2w3e4r5t6y7u8i9o0p", Err(PasswordProblem::Common)),
            ("manchesterunited", Err(PasswordProblem::Common)),
            ("password1234567!", Err(PasswordProblem::Common)),
            ("2026-sunshine-2026", Err(PasswordProblem::Common)),
            ("123456789012", Err(PasswordProblem::TooShort)),
            ("correct horse battery staple", Err(PasswordProblem::Common)),
            ("hoshi-ga-kirei-na-yoru-ni-7", Ok(())),
            ("ちょうど十五文字のパスワードです", Ok(())),
            ("passwordpassword", Err(PasswordProblem::Common)),
            ("aaaaaaaaaaaaaaaa", Err(PasswordProblem::Common)),
            ("abcabcabcabcabcabc", Err(PasswordProblem::Common)),
            (
                "my-name-is-yamada-taro",
                Err(PasswordProblem::ContainsIdentity),
            ),
            ("tsukue-no-ue-ni-mikan-3", Ok(())),
        ];
        for (pw, want) in cases {
            assert_eq!(
                check_new(pw, "yamada@example.jp", "Yamada Taro"),
                want,
                "{pw}"
            );
        }
        assert_eq!(
            check_new(&"x1".repeat(200), "a@b.jp", "A"),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn the_shipped_list_has_its_real_size() {
        // 19,640 from Django's list (a few collapse under NFKC) and Renkei's own long ones
        let n = common_list_len();
        assert!(n > 19_500, "{n}");
        for listed in ["123456", "qwerty", "iloveyou", "#1pimp", "konnichiwa12345"] {
            assert!(is_common(listed), "{listed}");
        }
    }

    #[test]
    fn random_passphrases_are_not_common() {
        // words from a large dictionary, chosen at random once
        for pw in [
            "velvet-quarry-mosaic-thistle",
            "ambient lantern orchard 41",
            "みかん箱の上で三毛猫がまるくなってねむる",
        ] {
            assert!(!is_common(pw), "{pw}");
            assert_eq!(check_new(pw, "a@b.jp", "名前"), Ok(()), "{pw}");
        }
    }

    #[test]
    fn eight_characters_only_with_a_second_factor() {
        let pw = "kumo-3ka";
        assert_eq!(pw.chars().count(), 8);
        assert_eq!(
            check_new_for(pw, "a@b.jp", "A", false),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(check_new_for(pw, "a@b.jp", "A", true), Ok(()));
        assert_eq!(
            check_new_for("kumo-3k", "a@b.jp", "A", true),
            Err(PasswordProblem::TooShort)
        );
        // the other rules still hold
        assert_eq!(
            check_new_for("password", "a@b.jp", "A", true),
            Err(PasswordProblem::Common)
        );
    }

    #[test]
    fn hash_and_verify() {
        let h = hash("tsukue-no-ue-ni-mikan-3");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("tsukue-no-ue-ni-mikan-3", Some(&h)));
        assert!(!verify("tsukue-no-ue-ni-mikan-4", Some(&h)));
        assert!(!verify("renkei dummy password for timing", None));
    }
}
