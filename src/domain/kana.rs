//! フリガナ: what users type (hiragana, half-width katakana, full-width spaces) becomes
//! full-width katakana; anything else is refused.

use super::text::nfkc;

/// NFKC (half-width → full-width katakana), hiragana → katakana, spaces collapsed.
pub fn to_katakana(input: &str) -> String {
    let converted: String = nfkc(input)
        .chars()
        .map(|c| match c {
            // ぁ..ゖ and ゝゞ map to ァ..ヶ and ヽヾ
            '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309E}' => {
                char::from_u32(c as u32 + 0x60).unwrap_or(c)
            }
            _ => c,
        })
        .collect();
    converted.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Katakana, the long-vowel mark, the middle dot and single spaces only.
pub fn is_katakana(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | '・' | 'ヽ' | 'ヾ' | ' '))
}

/// A case-list search as the list reads it (the page's search box, the API's `?q=`): the name
/// key (NFKC, spaces removed) and, when the search is kana, the katakana key (else empty).
pub fn case_search_keys(raw: &str) -> (String, String) {
    let search = nfkc(raw);
    let name_key: String = search.split_whitespace().collect();
    let kana_key: String = to_katakana(&search).split_whitespace().collect();
    let kana_key = if is_katakana(&kana_key) {
        kana_key
    } else {
        String::new()
    };
    (name_key, kana_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kana_table() {
        let cases = [
            ("やまだ", "ヤマダ"),
            ("ﾔﾏﾀﾞ", "ヤマダ"),
            ("ヤマダ", "ヤマダ"),
            ("  すずき　いちろう ", "スズキ イチロウ"),
            ("ゔぃーな", "ヴィーナ"),
        ];
        for (input, want) in cases {
            assert_eq!(to_katakana(input), want, "{input}");
            assert!(is_katakana(&to_katakana(input)), "{input}");
        }
        for bad in ["山田", "yamada", "ヤマダ1", ""] {
            assert!(!is_katakana(&to_katakana(bad)), "{bad}");
        }
    }

    #[test]
    fn a_search_is_a_name_key_and_a_kana_key_when_it_is_kana() {
        assert_eq!(
            super::case_search_keys(" すずき　いちろう "),
            ("すずきいちろう".to_string(), "スズキイチロウ".to_string())
        );
        assert_eq!(super::case_search_keys("ｽｽﾞｷ").1, "スズキ");
        assert_eq!(
            super::case_search_keys("鈴木 一郎"),
            ("鈴木一郎".to_string(), String::new())
        );
    }
}
