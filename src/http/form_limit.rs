//! How much of a form body is read, and what is kept of one that is longer.
//!
//! Every text field is checked against its own maximum by its form (the longest, the meeting
//! material, is `LONGEST_FIELD` characters), and the form comes back with the text and a
//! message by the field. So the limit on reading is set above the longest field encoded in
//! the worst case (a 4-byte character is 12 bytes as `%XX%XX%XX%XX`), with room for the other
//! fields, and a body over it is not thrown away: its first `BODY_LIMIT` bytes are kept when
//! the field they end in is long enough to be over every field's maximum — then the form's
//! own check answers for it. A body that is long because of many or repeated fields is no
//! one's text and gets the "too large" page.
//!
//! Written by hand: tower-http's limit layer only refuses, and the form must see the text.

use super::BODY_LIMIT;
use axum::body::Body;
use http_body_util::BodyExt;

/// The most characters any text field allows (`meetings::material`).
pub const LONGEST_FIELD: usize = 50_000;

/// Bytes of a character at worst, percent-encoded: four UTF-8 bytes as `%XX` each.
pub const ENCODED_CHAR: usize = 12;

/// The rest of a body over the limit is read and dropped up to this size, so that the browser
/// gets the answer instead of a reset connection; beyond it the connection is closed.
pub const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// A cut-off field is kept when it is at least this long: past any field's maximum even in
/// the worst encoding, so no form can accept it.
const LONG_FIELD_BYTES: usize = BODY_LIMIT / 2;

const _: () = assert!(LONG_FIELD_BYTES > (LONGEST_FIELD + 1) * ENCODED_CHAR + 256);

pub enum Received {
    Whole(Vec<u8>),
    /// The first `BODY_LIMIT` bytes of a longer body.
    Cut(Vec<u8>),
}

/// The connection failed while the body was read.
pub struct Unreadable;

/// Reads a body, keeping at most `BODY_LIMIT` bytes of it.
pub async fn read(mut body: Body) -> Result<Received, Unreadable> {
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| Unreadable)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        let room = BODY_LIMIT.saturating_sub(kept.len());
        kept.extend_from_slice(&data[..data.len().min(room)]);
        if seen > DRAIN_LIMIT {
            break;
        }
    }
    Ok(if seen > BODY_LIMIT {
        Received::Cut(kept)
    } else {
        Received::Whole(kept)
    })
}

/// What of a cut body is passed on to the form: everything received, up to the last whole
/// character, when the last field is a long one; None otherwise.
pub fn keep_text(cut: &[u8]) -> Option<Vec<u8>> {
    let last = cut.iter().rposition(|&b| b == b'&').map_or(0, |i| i + 1);
    if cut.len() - last < LONG_FIELD_BYTES {
        return None;
    }
    Some(cut[..whole_chars(cut)].to_vec())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The length of `b` without a percent-escape or a character cut in half at its end.
fn whole_chars(b: &[u8]) -> usize {
    let mut end = b.len();
    if end >= 1 && b[end - 1] == b'%' {
        end -= 1;
    } else if end >= 2 && b[end - 2] == b'%' {
        end -= 2;
    }
    // the run of escapes at the end, decoded
    let mut start = end;
    let mut decoded = vec![];
    while start >= 3 && b[start - 3] == b'%' {
        match (hex(b[start - 2]), hex(b[start - 1])) {
            (Some(h), Some(l)) => decoded.push(h * 16 + l),
            _ => break,
        }
        start -= 3;
    }
    decoded.reverse();
    if !decoded.is_empty() {
        return match std::str::from_utf8(&decoded) {
            Err(e) if e.error_len().is_none() => start + 3 * e.valid_up_to(),
            _ => end,
        };
    }
    // raw UTF-8 (clients that do not encode)
    let tail = &b[end.saturating_sub(4)..end];
    match std::str::from_utf8(tail) {
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => {
            end - tail.len() + e.valid_up_to()
        }
        Err(e) if e.error_len().is_none() => {
            // the tail starts mid-character: cut at the last lead byte
            match tail.iter().rposition(|&c| c & 0xC0 != 0x80) {
                Some(i) if tail[i] >= 0xC0 => end - tail.len() + i,
                _ => end,
            }
        }
        _ => end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_escape_or_character_is_dropped() {
        // あ = %E3%81%82
        assert_eq!(whole_chars(b"body=%E3%81%82%E3%81"), 14);
        assert_eq!(whole_chars(b"body=%E3%81%82%E3%8"), 14);
        assert_eq!(whole_chars(b"body=%E3%81%82%"), 14);
        assert_eq!(whole_chars(b"body=%E3%81%82"), 14);
        assert_eq!(whole_chars(b"body=abc"), 8);
        assert_eq!(whole_chars("body=あ".as_bytes()), 8);
        assert_eq!(whole_chars(&"body=あ".as_bytes()[..7]), 5);
    }

    #[test]
    fn only_a_long_last_field_is_kept() {
        let mut long = b"kind=progress&body=".to_vec();
        long.extend(std::iter::repeat_n(b'a', BODY_LIMIT - long.len()));
        assert!(keep_text(&long).is_some());
        let many: Vec<u8> = b"share=x&".repeat(BODY_LIMIT / 8);
        assert!(keep_text(&many[..BODY_LIMIT]).is_none());
    }
}
