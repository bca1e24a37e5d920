//! Checklists as data: an instrument has domains and items, a scale and a scoring rule; one
//! generic renderer and scorer serves them all (the readiness checklist, the retention check).

use std::collections::HashMap;

/// The instruments (checklists as data, seeded by migrations).
pub const READINESS: &str = "readiness";
pub const RETENTION: &str = "retention";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// met / not yet / unknown
    Met3,
    /// 1 (not at all) .. 5 (fully)
    Likert5,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "met3" => Some(Scale::Met3),
            "likert5" => Some(Scale::Likert5),
            _ => None,
        }
    }

    pub fn values(self) -> &'static [&'static str] {
        match self {
            Scale::Met3 => &["met", "not_yet", "unknown"],
            Scale::Likert5 => &["1", "2", "3", "4", "5"],
        }
    }
}

#[derive(Debug, Clone)]
pub struct Domain {
    pub position: i32,
    pub name_ja: String,
    pub name_en: String,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub code: String,
    pub domain_position: i32,
    pub position: i32,
    pub text_ja: String,
    pub text_en: String,
}

#[derive(Debug, Clone)]
pub struct Instrument {
    pub id: String,
    pub name_ja: String,
    pub name_en: String,
    pub scale: Scale,
    pub domains: Vec<Domain>,
    pub items: Vec<Item>,
}

/// item code → (value, note)
pub type Answers = HashMap<String, (String, String)>;

/// The result of the readiness rule: ready only when every item is met.
#[derive(Debug, Clone, PartialEq)]
pub struct AllMet {
    pub met: usize,
    pub total: usize,
    /// codes of the items not (yet) met, in the instrument's order
    pub missing: Vec<String>,
}

impl AllMet {
    pub fn ready(&self) -> bool {
        self.met == self.total
    }
}

impl Instrument {
    /// Items without a valid answer (left blank or out of the scale), in order.
    pub fn unanswered(&self, answers: &Answers) -> Vec<String> {
        self.items
            .iter()
            .filter(|i| {
                answers
                    .get(&i.code)
                    .is_none_or(|(v, _)| !self.scale.values().contains(&v.as_str()))
            })
            .map(|i| i.code.clone())
            .collect()
    }

    pub fn all_met(&self, answers: &Answers) -> AllMet {
        let missing: Vec<String> = self
            .items
            .iter()
            .filter(|i| answers.get(&i.code).is_none_or(|(v, _)| v != "met"))
            .map(|i| i.code.clone())
            .collect();
        AllMet {
            met: self.items.len() - missing.len(),
            total: self.items.len(),
            missing,
        }
    }

    /// Mean of each domain's items, to one decimal (for likert scales).
    pub fn domain_means(&self, answers: &Answers) -> Vec<(i32, f64)> {
        self.domains
            .iter()
            .map(|d| {
                let scores: Vec<f64> = self
                    .items
                    .iter()
                    .filter(|i| i.domain_position == d.position)
                    .filter_map(|i| answers.get(&i.code)?.0.parse::<f64>().ok())
                    .collect();
                let mean = if scores.is_empty() {
                    0.0
                } else {
                    scores.iter().sum::<f64>() / scores.len() as f64
                };
                (d.position, (mean * 10.0).round() / 10.0)
            })
            .collect()
    }

    /// Items whose value differs from the previous assessment: (code, before, now).
    pub fn changes(&self, before: &Answers, now: &Answers) -> Vec<(String, String, String)> {
        self.items
            .iter()
            .filter_map(|i| {
                let b = before
                    .get(&i.code)
                    .map(|(v, _)| v.clone())
                    .unwrap_or_default();
                let n = now.get(&i.code).map(|(v, _)| v.clone()).unwrap_or_default();
                (b != n).then(|| (i.code.clone(), b, n))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readiness() -> Instrument {
        Instrument {
            id: "readiness".into(),
            name_ja: "準備".into(),
            name_en: "Readiness".into(),
            scale: Scale::Met3,
            domains: vec![Domain {
                position: 1,
                name_ja: "d".into(),
                name_en: "d".into(),
            }],
            items: [
                "near",
                "attendance",
                "stamina",
                "awareness",
                "experiential",
                "openness",
            ]
            .iter()
            .enumerate()
            .map(|(n, c)| Item {
                code: c.to_string(),
                domain_position: 1,
                position: n as i32 + 1,
                text_ja: c.to_string(),
                text_en: c.to_string(),
            })
            .collect(),
        }
    }

    fn answers(values: &[(&str, &str)]) -> Answers {
        values
            .iter()
            .map(|(c, v)| (c.to_string(), (v.to_string(), String::new())))
            .collect()
    }

    #[test]
    fn ready_only_when_all_six_are_met() {
        let i = readiness();
        let all = answers(&[
            ("near", "met"),
            ("attendance", "met"),
            ("stamina", "met"),
            ("awareness", "met"),
            ("experiential", "met"),
            ("openness", "met"),
        ]);
        assert!(i.all_met(&all).ready());
        let four = answers(&[
            ("near", "met"),
            ("attendance", "met"),
            ("stamina", "not_yet"),
            ("awareness", "met"),
            ("experiential", "unknown"),
            ("openness", "met"),
        ]);
        let r = i.all_met(&four);
        assert_eq!((r.met, r.total, r.ready()), (4, 6, false));
        assert_eq!(r.missing, vec!["stamina", "experiential"]);
        assert!(i.unanswered(&four).is_empty());
        let blank = answers(&[("near", "met"), ("attendance", "yes")]);
        assert_eq!(i.unanswered(&blank).len(), 5, "4 blank, 1 out of the scale");
        assert_eq!(
            i.changes(&four, &all),
            vec![
                (
                    "stamina".to_string(),
                    "not_yet".to_string(),
                    "met".to_string()
                ),
                (
                    "experiential".to_string(),
                    "unknown".to_string(),
                    "met".to_string()
                )
            ]
        );
    }

    #[test]
    fn domain_means_to_one_decimal() {
        let mut i = readiness();
        i.scale = Scale::Likert5;
        i.domains.push(Domain {
            position: 2,
            name_ja: "e".into(),
            name_en: "e".into(),
        });
        i.items[3].domain_position = 2;
        i.items[4].domain_position = 2;
        i.items[5].domain_position = 2;
        let a = answers(&[
            ("near", "2"),
            ("attendance", "2"),
            ("stamina", "3"),
            ("awareness", "5"),
            ("experiential", "4"),
            ("openness", "4"),
        ]);
        assert_eq!(i.domain_means(&a), vec![(1, 2.3), (2, 4.3)]);
    }
}
