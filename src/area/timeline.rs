//! The timeline as a page shows it: one page of a case's entries with their replies, for the
//! scope that opened the case, and what of it the reader had not read (marked read by the
//! page's view record).

use crate::access::CaseScope;
use crate::db::{
    self,
    entries::{TimeCursor, TimelineFilter},
};
use crate::domain::dates::parse_date;
use crate::domain::entry::{EntryFields, EntryKind};
use crate::domain::text;
use crate::i18n::Tr;
use crate::views::timeline::{EntryView, FilterForm, Timeline};
use crate::views::Choice;
use chrono::DateTime;
use serde::Deserialize;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

pub const PER_PAGE: i64 = 50;

/// The query string of a timeline page: filters and where the page starts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TimelineQuery {
    kind: String,
    agency: String,
    from: String,
    to: String,
    q: String,
    /// microseconds since the epoch and id of the last entry of the previous page
    before_at: Option<i64>,
    before_id: Option<Uuid>,
}

impl TimelineQuery {
    pub fn form(&self) -> FilterForm {
        FilterForm {
            kind: self.kind.clone(),
            agency: self.agency.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            q: self.q.clone(),
        }
    }

    /// Filters that do not parse are ignored (the form shows what was typed).
    fn filter(&self) -> TimelineFilter {
        TimelineFilter {
            kind: EntryKind::parse(&self.kind).map(|k| k.as_str().to_string()),
            agency: Uuid::parse_str(&self.agency).ok(),
            from: parse_date(&self.from).map(crate::domain::dates::tokyo_midnight),
            to: parse_date(&self.to)
                .and_then(|d| d.succ_opt())
                .map(crate::domain::dates::tokyo_midnight),
            text: text::nfkc(&self.q),
        }
    }

    fn cursor(&self) -> Option<TimeCursor> {
        // a cursor outside the dates Renkei keeps is no cursor (the first page)
        let at = DateTime::from_timestamp_micros(self.before_at?)
            .filter(|t| crate::domain::dates::in_range(t.date_naive()))?;
        Some(TimeCursor {
            occurred_at: at,
            id: self.before_id?,
        })
    }
}

fn older_link(form: &FilterForm, last: &EntryView) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "kind={}&agency={}&from={}&to={}&q={}&before_at={}&before_id={}",
        enc(&form.kind),
        enc(&form.agency),
        enc(&form.from),
        enc(&form.to),
        enc(&form.q),
        last.row.occurred_at.timestamp_micros(),
        last.row.id
    )
}

fn kind_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    EntryKind::ALL
        .iter()
        .map(|k| Choice::new(k.as_str(), tr.t(k.label_key()), selected))
        .collect()
}

/// A timeline page as read: the case's header and team, the page, and the ids of what it shows
/// that the reader had not read — the caller marks them read with the view's audit row
/// (`Who::viewed`).
pub struct TimelineRead {
    pub header: db::cases::CaseHeader,
    pub team: Vec<db::cases::TeamRow>,
    pub timeline: Timeline,
    pub unread: Vec<Uuid>,
}

/// One page of the timeline with the replies to its entries and the case's header and team, in
/// one statement. None for an agency that was never on the team.
pub async fn load_timeline(
    conn: &mut PgConnection,
    tr: Tr,
    case: &CaseScope,
    query: &TimelineQuery,
) -> sqlx::Result<Option<TimelineRead>> {
    let Some(read) =
        db::entries::page(conn, case, &query.filter(), query.cursor(), PER_PAGE + 1).await?
    else {
        return Ok(None);
    };
    let (header, team, mut rows, mut replies) =
        (read.header, read.team, read.entries, read.replies);
    let more = rows.len() as i64 > PER_PAGE;
    rows.truncate(PER_PAGE as usize);
    // the one row past the page only says there is more: its replies are not shown
    replies.retain(|r| r.reply_to.is_some_and(|p| rows.iter().any(|e| e.id == p)));
    let unread = unread(&rows, &replies);
    let entries = group_replies(case, &team, rows, replies);
    let form = query.form();
    let older = if more {
        entries.last().map(|last| older_link(&form, last))
    } else {
        None
    };
    let timeline = Timeline {
        case_id: case.case_id(),
        entries,
        older,
        kinds: kind_choices(tr, &form.kind),
        agencies: team
            .iter()
            .map(|m| Choice::new(&m.agency_id.to_string(), m.name.clone(), &form.agency))
            .collect(),
        filter: form,
        can_write: case.access().can_write(),
        writable: EntryKind::WRITABLE
            .iter()
            .map(|k| (k.as_str(), tr.t(format!("entry-write-{}", k.as_str()))))
            .collect(),
    };
    Ok(Some(TimelineRead {
        header,
        team,
        timeline,
        unread,
    }))
}

pub fn entry_view(case: &CaseScope, row: db::entries::EntryRow) -> EntryView {
    let fields = EntryFields::from_json(&row.fields);
    let writable = case.access().can_write();
    EntryView {
        // the author, acting as the agency they wrote as
        can_edit: writable
            && row.author_user_id == case.user_id()
            && row.author_agency_id == case.actor().agency_id()
            && row.reply_to.is_none(),
        can_reply: writable
            && row.kind == EntryKind::Observation.as_str()
            && row.reply_to.is_none()
            && row.author_agency_id != case.actor().agency_id(),
        fields,
        replies: vec![],
        row,
    }
}

/// The shown entries and replies not read yet: only they are marked, so a page seen before
/// writes nothing.
pub fn unread(rows: &[db::entries::EntryRow], replies: &[db::entries::EntryRow]) -> Vec<Uuid> {
    rows.iter()
        .chain(replies)
        .filter(|r| !r.read)
        .map(|r| r.id)
        .collect()
}

/// Puts the names of the agencies an entry is shared with on it, from the case's team (every
/// agency an entry can be shared with is or was on the team), sorted as the team list is not.
fn name_shares(row: &mut db::entries::EntryRow, team: &[db::cases::TeamRow]) {
    row.shared_names = team
        .iter()
        .filter(|m| row.shared_with.contains(&m.agency_id))
        .map(|m| m.name.clone())
        .collect();
    row.shared_names.sort();
}

pub fn group_replies(
    case: &CaseScope,
    team: &[db::cases::TeamRow],
    mut rows: Vec<db::entries::EntryRow>,
    replies: Vec<db::entries::EntryRow>,
) -> Vec<EntryView> {
    for row in rows.iter_mut() {
        name_shares(row, team);
    }
    let mut by_parent: HashMap<Uuid, Vec<_>> = HashMap::new();
    for mut r in replies {
        name_shares(&mut r, team);
        if let Some(parent) = r.reply_to {
            let fields = EntryFields::from_json(&r.fields);
            by_parent.entry(parent).or_default().push((r, fields));
        }
    }
    rows.into_iter()
        .map(|row| {
            let id = row.id;
            let mut view = entry_view(case, row);
            view.replies = by_parent.remove(&id).unwrap_or_default();
            view
        })
        .collect()
}
