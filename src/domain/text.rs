//! Normalisation of what users type: NFKC on names, kana, phone, postal code, email and search
//! keys (never on free text).

use unicode_normalization::UnicodeNormalization;

/// NFKC and trimmed: full-width letters and digits become ASCII, half-width kana full-width.
pub fn nfkc(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_string()
}

/// The login key: NFKC, trimmed, lower-case.
pub fn email_key(s: &str) -> String {
    nfkc(s).to_lowercase()
}

/// A plausible email address: one @, something on both sides, a dot in the domain, no spaces.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && s.len() <= 254
}

/// Length in characters (what users count), not bytes.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_key_folds_width_and_case() {
        assert_eq!(email_key(" ＯＴ＠Sakura.Example "), "ot@sakura.example");
    }

    #[test]
    fn email_shapes() {
        for ok in ["a@b.jp", "ot@sakura.example", "x.y+z@mail.co.jp"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.jp", "a@.jp", "a b@c.jp", "a@b.jp.", "a@b@c.jp",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn nfkc_makes_half_width_kana_full_width() {
        assert_eq!(nfkc("ﾔﾏﾀﾞ"), "ヤマダ");
        assert_eq!(nfkc("０９０－１２３４"), "090-1234");
    }
}
