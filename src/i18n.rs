//! The message catalog (`locales/ja`, `locales/en`, Fluent) and the language of a request.
//! Japanese is the default and the fallback; the language is chosen per request, never global.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, Loader};
use std::{borrow::Cow, collections::HashMap};
use unic_langid::{langid, LanguageIdentifier};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ja",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static JA: LanguageIdentifier = langid!("ja");
static EN: LanguageIdentifier = langid!("en");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The user's choice (cookie) wins; then the browser's Accept-Language, first of ja/en by
    /// quality; then Japanese.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(l) = cookie.and_then(Lang::parse) {
            return l;
        }
        let Some(header) = accept_language else {
            return Lang::Ja;
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("ja") => Lang::Ja,
                Some("en") => Lang::En,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::Ja)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Ja => &JA,
            Lang::En => &EN,
        }
    }
}

/// The translator handed to every template: `{{ tr.t("key") }}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    pub fn t(&self, key: impl AsRef<str>) -> String {
        LOCALES.lookup(self.lang.id(), key.as_ref())
    }

    /// A message with one argument: `{{ tr.t1("key", "name", value) }}`.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(
            Cow::Owned(name.to_string()),
            FluentValue::from(value.to_string()),
        );
        LOCALES.lookup_with_args(self.lang.id(), key, &args)
    }

    /// A message with named arguments.
    pub fn targs(&self, key: &str, pairs: &[(&str, &dyn std::fmt::Display)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = pairs
            .iter()
            .map(|(name, value)| {
                (
                    Cow::Owned(name.to_string()),
                    FluentValue::from(value.to_string()),
                )
            })
            .collect();
        LOCALES.lookup_with_args(self.lang.id(), key, &args)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

impl Tr {
    /// An instant as 2026/04/01 09:30 (Tokyo).
    pub fn datetime(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        crate::domain::dates::tokyo_datetime(*at)
    }

    /// The time of day in Tokyo, 14:30.
    pub fn time(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&chrono_tz::Asia::Tokyo)
            .format("%H:%M")
            .to_string()
    }

    /// A calendar day as 2026/04/01.
    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        crate::domain::dates::slash(*d)
    }

    /// A day in a sentence: 2026年4月1日(水) in Japanese, Wed 1 Apr 2026 in English.
    pub fn long_date(&self, d: &chrono::NaiveDate) -> String {
        match self.lang {
            Lang::Ja => crate::domain::dates::long_ja(*d),
            Lang::En => crate::domain::dates::long_en(*d),
        }
    }

    /// An instant in a sentence, Tokyo time: 2026/04/01 09:30 in Japanese, Wed 1 Apr 2026
    /// 09:30 in English.
    pub fn long_datetime(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        match self.lang {
            Lang::Ja => crate::domain::dates::tokyo_minutes(*at),
            Lang::En => {
                let local = at.with_timezone(&chrono_tz::Asia::Tokyo);
                format!(
                    "{} {}",
                    crate::domain::dates::long_en(local.date_naive()),
                    local.format("%H:%M")
                )
            }
        }
    }

    /// A date of birth: 昭和55年(1980年)4月1日 in Japanese, 1980/04/01 in English.
    pub fn birth_date(&self, d: &chrono::NaiveDate) -> String {
        match self.lang {
            Lang::Ja => crate::domain::dates::wareki(*d),
            Lang::En => crate::domain::dates::slash(*d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(file: &str) -> BTreeSet<String> {
        file.lines()
            .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains('='))
            .map(|l| l.split('=').next().unwrap().trim().to_string())
            .collect()
    }

    #[test]
    fn every_key_exists_in_both_languages() {
        let ja = keys(include_str!("../locales/ja/main.ftl"));
        let en = keys(include_str!("../locales/en/main.ftl"));
        let only_ja: Vec<_> = ja.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&ja).collect();
        assert!(only_ja.is_empty(), "missing in en: {only_ja:?}");
        assert!(only_en.is_empty(), "missing in ja: {only_en:?}");
    }

    /// Every literal key passed to `t`/`t1` in the code and templates exists in the catalog, so
    /// no page ever shows a raw key.
    #[test]
    fn every_key_used_is_in_the_catalog() {
        let ja = keys(include_str!("../locales/ja/main.ftl"));
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = vec![];
        let mut stack = vec![root.join("src"), root.join("templates")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for call in [".t(\"", ".t1(\""] {
                    for piece in text.split(call).skip(1) {
                        let key = &piece[..piece.find('"').unwrap_or(0)];
                        let is_key = !key.is_empty()
                            && key
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit());
                        if is_key && key.contains('-') && !ja.contains(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalog: {missing:#?}"
        );
    }

    #[test]
    fn negotiation() {
        assert_eq!(Lang::negotiate(None, None), Lang::Ja);
        assert_eq!(Lang::negotiate(Some("en"), Some("ja")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("en;q=0.5,ja;q=0.8")), Lang::Ja);
        assert_eq!(Lang::negotiate(None, Some("fr,de")), Lang::Ja);
        assert_eq!(Lang::negotiate(Some("xx"), Some("en")), Lang::En);
    }

    #[test]
    fn lookups_translate() {
        assert_eq!(Tr::new(Lang::Ja).t("app-name"), "連携");
        assert_eq!(Tr::new(Lang::En).t("app-name"), "Renkei");
    }
}
