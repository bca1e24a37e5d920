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

/// Text that looks like HTML markup: `<` followed by a letter, `/`, `!` or `?`. Profile text is
/// plain text; a `<` in "<3" or "1<2" is fine.
pub fn has_markup(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?')))
}

/// Percent-encodes a query value (UTF-8 bytes outside the unreserved set).
pub fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A list typed as "みどり市、みなと市" or "a, b": split on commas (full- or half-width) and
/// 、, normalised, blanks and repeats dropped.
pub fn split_list(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in nfkc(s).split([',', '、', '，', '\n']) {
        let part = part.trim().to_string();
        if !part.is_empty() && !out.contains(&part) {
            out.push(part);
        }
    }
    out
}

/// Length in characters (what users count), not bytes.
/// Text typed by users placed into Markdown that Renkei writes: its Markdown punctuation is
/// escaped so it shows as typed (the HTML is sanitised afterwards in any case).
pub fn markdown_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_{}[]()<>#+-.!|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_told_from_comparisons() {
        assert!(has_markup("<script>alert(1)</script>"));
        assert!(has_markup("見学<b>歓迎</b>"));
        assert!(has_markup("<!-- x -->"));
        assert!(!has_markup("1<2 かつ 3>2"));
        assert!(!has_markup("定員 < 20名"));
    }

    #[test]
    fn lists_split_on_japanese_and_ascii_commas() {
        assert_eq!(
            split_list("みどり市、みなと市,県央市，みどり市、 "),
            vec!["みどり市", "みなと市", "県央市"]
        );
        assert_eq!(query_escape("み 1"), "%E3%81%BF%201");
    }

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
