//! Case meetings (SPEC §6): why they are held, how invitees answer, the agenda of seed 002.

string_enum!(
    /// 支援体制の検討・利用開始・定着支援への引継ぎ・サービス終了の引継ぎ・職場不適応への対応・その他
    Purpose {
        SupportPlan = "support_plan",
        ServiceStart = "service_start",
        RetentionHandover = "retention_handover",
        ServiceEndHandover = "service_end_handover",
        Maladjustment = "maladjustment",
        Other = "other",
    }
);

string_enum!(
    /// 出席・欠席・未定 (and not yet answered)
    Rsvp {
        Pending = "pending",
        Attend = "attend",
        Decline = "decline",
        Tentative = "tentative",
    }
);

impl Purpose {
    pub fn label_key(self) -> String {
        format!("meeting-purpose-{}", self.as_str())
    }
}

/// The agenda items the guide names (seed 002), headings of every drafted material.
pub const AGENDA_JA: [&str; 5] = [
    "訪問の時期や頻度",
    "相談方法やタイミング",
    "連絡方法",
    "職場不適応を起こした場合の対応",
    "関係者間の調整方法",
];

/// Two time ranges [a, a_end) and [b, b_end) overlap.
pub fn overlaps<T: PartialOrd>(a: T, a_end: T, b: T, b_end: T) -> bool {
    a < b_end && b < a_end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_table() {
        // (a, a_end, b, b_end, overlaps)
        let cases = [
            (10, 11, 11, 12, false), // back to back
            (10, 12, 11, 13, true),
            (11, 13, 10, 12, true),
            (10, 14, 11, 12, true), // contains
            (10, 11, 12, 13, false),
        ];
        for (a, ae, b, be, want) in cases {
            assert_eq!(overlaps(a, ae, b, be), want, "{a}-{ae} vs {b}-{be}");
        }
    }
}
