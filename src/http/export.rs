//! Exports for Excel: what every download (CSV or `.xlsx`) shares. A handler opens its door,
//! writes its audit row, and hands this module a `Sheet` (the column headings in the reader's
//! words, the file's name) and a `Pages` source that reads the rows a batch at a time through
//! the same scoped queries as the page; this module writes the cells, the file and the headers.
//!
//! - CSV: UTF-8 with a BOM (Excel reads UTF-8 only with it), CRLF, dates `2026/04/01`, times
//!   `2026/04/01 09:30` in Tokyo; a phone number is written `="0312345678"` so that Excel keeps
//!   it as text (leading zero and all); a text cell that starts like a formula (`=`, `+`, `-`,
//!   `@`) gets a leading `'` so that opening the file never runs one. The rows stream: one batch
//!   is read on the export's own connection while the previous one is being sent.
//! - XLSX (rust_xlsxwriter in constant-memory mode): each row goes to the worksheet's temporary
//!   file as it comes, so memory holds one batch; a zip file cannot be sent before its directory
//!   is written, so the workbook is assembled in an anonymous temporary file and then streamed
//!   from disk. It is bounded by Excel's own limit (1,048,576 rows): rows past it are left out
//!   and a last row says so.
//! - The file name is in the reader's language (a Japanese name percent-encoded as RFC 6266 /
//!   RFC 5987 `filename*`), with an ASCII name for clients that do not read `filename*`.

use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Asia::Tokyo;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres};
use std::future::Future;
use std::io::{Read, Seek, SeekFrom};

/// Rows read from the database in one batch.
pub const BATCH: i64 = 200;
/// Excel's last row is 1,048,576: the heading, the data, and one row saying the rest was left out.
pub const XLSX_MAX_DATA_ROWS: u32 = 1_048_574;
/// The longest text Excel keeps in one cell.
const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// The two kinds of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// One cell, typed so that each file writes it the way Excel reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(Option<NaiveDate>),
    /// an instant, shown as its Tokyo date and time
    At(Option<DateTime<Utc>>),
    /// a phone number: always text, never a number
    Phone(Option<String>),
    Number(i64),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// Safe HTML (a sanitised body) as plain text, its paragraphs and line breaks as new lines.
    pub fn html(html: &str) -> Cell {
        Cell::Text(html_to_text(html))
    }

    /// The cell as a CSV field.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(s) => neutral(s),
            Cell::Date(d) => d.map(crate::domain::dates::slash).unwrap_or_default(),
            Cell::At(t) => t
                .map(crate::domain::dates::tokyo_datetime)
                .unwrap_or_default(),
            Cell::Phone(None) => String::new(),
            Cell::Phone(Some(p)) if p.trim().is_empty() => String::new(),
            Cell::Phone(Some(p)) if is_phone_like(p) => format!("=\"{}\"", p.trim()),
            Cell::Phone(Some(p)) => neutral(p),
            Cell::Number(n) => n.to_string(),
        }
    }
}

/// A phone number that Excel would otherwise read as a number or a date: digits with the
/// usual separators only (so the `="…"` form can carry it without escaping).
fn is_phone_like(p: &str) -> bool {
    let p = p.trim();
    !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '(' | ')' | ' '))
}

/// A text that Excel would take for a formula gets a leading apostrophe (OWASP's advice on
/// CSV injection); every other text is as it is.
fn neutral(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// The words of sanitised HTML: tags dropped, `<br>` and the ends of blocks as new lines,
/// the entities ammonia writes decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = &rest[open..];
            break;
        };
        let tag = rest[open + 1..open + close].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let block = matches!(
            name.as_str(),
            "br" | "p"
                | "li"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "tr"
                | "blockquote"
                | "pre"
                | "ul"
                | "ol"
                | "table"
        );
        if block && (name == "br" || tag.starts_with('/')) && !out.ends_with('\n') {
            out.push('\n');
        } else if name == "li" && !tag.starts_with('/') {
            out.push('・');
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    decode_entities(out.trim_end_matches('\n'))
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The file: its name's words, and the column headings, in the reader's language.
pub struct Sheet {
    /// the file name without date and extension, in the reader's words (`タイムライン_鈴木一郎`)
    pub name: String,
    /// the same in ASCII, for clients that do not read `filename*` (`timeline`)
    pub ascii_name: String,
    /// the worksheet's tab (at most 31 characters, none of `[]:*?/\`)
    pub tab: String,
    pub columns: Vec<String>,
    /// the last row's words when an XLSX reached Excel's limit
    pub cut_note: String,
}

impl Sheet {
    pub fn new(tr: Tr, kind: &str, ascii_name: impl Into<String>, subject: Option<&str>) -> Sheet {
        let words = tr.t(format!("export-file-{kind}"));
        let name = match subject {
            Some(s) => format!("{words}_{}", s.split_whitespace().collect::<String>()),
            None => words.clone(),
        };
        Sheet {
            name,
            ascii_name: ascii_name.into(),
            tab: words,
            columns: vec![],
            cut_note: tr.t("export-cut"),
        }
    }

    pub fn columns(mut self, tr: Tr, keys: &[&str]) -> Sheet {
        self.columns = keys.iter().map(|k| tr.t(k)).collect();
        self
    }
}

/// `attr-char` of RFC 5987: what `filename*` may carry unencoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `name_2026-04-01.csv`: the export's name and the day it was made (Tokyo).
pub fn file_name(name: &str, today: NaiveDate, format: Format) -> String {
    let clean: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    format!("{clean}_{}.{}", today.format("%Y-%m-%d"), format.ext())
}

/// The Content-Disposition of a download: the ASCII name, then the name in the reader's words.
pub fn disposition(sheet: &Sheet, today: NaiveDate, format: Format) -> String {
    let ascii = file_name(&sheet.ascii_name, today, format);
    let full = file_name(&sheet.name, today, format);
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(&full, ATTR_CHAR)
    )
}

/// Rows read a batch at a time, on the export's own connection, through the page's scoped
/// queries. `None` when there are no more.
pub trait Pages: Send + 'static {
    fn next(
        &mut self,
        conn: &mut PgConnection,
    ) -> impl Future<Output = sqlx::Result<Option<Vec<Vec<Cell>>>>> + Send;
}

/// Rows that are all read in one query (a list that the page shows whole).
pub struct Once(pub Option<Vec<Vec<Cell>>>);

impl Pages for Once {
    async fn next(&mut self, _: &mut PgConnection) -> sqlx::Result<Option<Vec<Vec<Cell>>>> {
        Ok(self.0.take())
    }
}

/// The header row and a batch of rows as CSV lines (CRLF).
pub fn csv_lines(rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(vec![]);
    for row in rows {
        // writing to memory cannot fail
        let _ = w.write_record(row);
    }
    w.into_inner().unwrap_or_default()
}

/// The BOM and the heading row.
pub fn csv_head(columns: &[String]) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(csv_lines(&[columns.to_vec()]));
    out
}

pub fn csv_rows(rows: &[Vec<Cell>]) -> Vec<u8> {
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(Cell::csv).collect())
        .collect();
    csv_lines(&lines)
}

/// The download: the export's rows from `pages`, read on a connection of its own.
pub async fn respond<P: Pages>(
    pool: &PgPool,
    format: Format,
    sheet: Sheet,
    pages: P,
) -> AppResult<Response> {
    let today = crate::domain::dates::today_tokyo();
    let disposition = disposition(&sheet, today, format);
    let conn = pool.acquire().await?;
    let body = match format {
        Format::Csv => csv_body(conn, sheet, pages),
        Format::Xlsx => xlsx_body(conn, sheet, pages).await?,
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

struct CsvStream<P> {
    conn: PoolConnection<Postgres>,
    pages: P,
    head: Option<Vec<u8>>,
    done: bool,
}

fn csv_body<P: Pages>(conn: PoolConnection<Postgres>, sheet: Sheet, pages: P) -> Body {
    let start = CsvStream {
        conn,
        pages,
        head: Some(csv_head(&sheet.columns)),
        done: false,
    };
    let stream = futures_util::stream::unfold(start, |mut s| async move {
        if let Some(head) = s.head.take() {
            return Some((Ok::<Bytes, sqlx::Error>(Bytes::from(head)), s));
        }
        if s.done {
            return None;
        }
        loop {
            match s.pages.next(&mut s.conn).await {
                Ok(Some(rows)) if rows.is_empty() => continue,
                Ok(Some(rows)) => return Some((Ok(Bytes::from(csv_rows(&rows))), s)),
                Ok(None) => return None,
                Err(e) => {
                    // the response has begun: the error ends the body, and the client sees a
                    // download that did not complete
                    tracing::error!(error = %e, "export stopped");
                    s.done = true;
                    return Some((Err(e), s));
                }
            }
        }
    });
    Body::from_stream(stream)
}

/// Reads every batch into the workbook's writer (on a blocking thread: the workbook writes to
/// its temporary file), then streams the finished file.
async fn xlsx_body<P: Pages>(
    mut conn: PoolConnection<Postgres>,
    sheet: Sheet,
    mut pages: P,
) -> AppResult<Body> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<Vec<Cell>>>(2);
    let writer = tokio::task::spawn_blocking(move || write_xlsx(&sheet, rx));
    let read = async {
        while let Some(rows) = pages.next(&mut conn).await? {
            if tx.send(rows).await.is_err() {
                break;
            }
        }
        drop(tx);
        Ok::<(), sqlx::Error>(())
    };
    let read = read.await;
    let file = writer
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx: {e}")))?;
    read?;
    Ok(file_body(file))
}

/// The workbook, written row by row in constant-memory mode into an anonymous temporary file,
/// which is returned at its start.
pub fn write_xlsx(
    sheet: &Sheet,
    mut rx: tokio::sync::mpsc::Receiver<Vec<Vec<Cell>>>,
) -> anyhow::Result<std::fs::File> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let mut workbook = Workbook::new();
    let bold = XFormat::new().set_bold();
    let date = XFormat::new().set_num_format("yyyy/mm/dd");
    let at = XFormat::new().set_num_format("yyyy/mm/dd hh:mm");
    let text = XFormat::new().set_text_wrap();
    let ws = workbook.add_worksheet_with_constant_memory();
    ws.set_name(tab_name(&sheet.tab))?;
    for (c, _) in sheet.columns.iter().enumerate() {
        ws.set_column_width(c as u16, 16)?;
    }
    for (c, h) in sheet.columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut row: u32 = 1;
    let mut cut = false;
    while let Some(rows) = rx.blocking_recv() {
        for cells in rows {
            if row > XLSX_MAX_DATA_ROWS {
                cut = true;
                continue;
            }
            for (c, cell) in cells.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) if s.is_empty() => {}
                    Cell::Text(s) => {
                        let s: String = s.chars().take(XLSX_MAX_CELL_CHARS).collect();
                        if s.contains('\n') {
                            ws.write_string_with_format(row, c, s, &text)?;
                        } else {
                            ws.write_string(row, c, s)?;
                        }
                    }
                    Cell::Phone(Some(p)) if !p.trim().is_empty() => {
                        ws.write_string(row, c, p.trim())?;
                    }
                    Cell::Phone(_) | Cell::Date(None) | Cell::At(None) => {}
                    Cell::Date(Some(d)) => {
                        ws.write_datetime_with_format(row, c, excel_date(*d)?, &date)?;
                    }
                    Cell::At(Some(t)) => {
                        let local = t.with_timezone(&Tokyo);
                        let d = excel_date(local.date_naive())?.and_hms(
                            local.hour() as u16,
                            local.minute() as u8,
                            0,
                        )?;
                        ws.write_datetime_with_format(row, c, d, &at)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number(row, c, *n as f64)?;
                    }
                }
            }
            row += 1;
        }
    }
    if cut {
        ws.write_string(row, 0, &sheet.cut_note)?;
    }
    let mut file = tempfile::tempfile()?;
    workbook.save_to_writer(&mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

fn excel_date(d: NaiveDate) -> anyhow::Result<rust_xlsxwriter::ExcelDateTime> {
    Ok(rust_xlsxwriter::ExcelDateTime::from_ymd(
        d.year() as u16,
        d.month() as u8,
        d.day() as u8,
    )?)
}

/// A worksheet's name: at most 31 characters, none of those Excel refuses.
fn tab_name(words: &str) -> String {
    let clean: String = words
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    let clean = clean.trim_matches('\'').to_string();
    if clean.is_empty() {
        "Sheet1".to_string()
    } else {
        clean
    }
}

/// A finished file, sent 64 KiB at a time (read on the blocking pool).
fn file_body(file: std::fs::File) -> Body {
    let stream = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((buf, file))
        })
        .await
        .map_err(std::io::Error::other);
        match read {
            Ok(Ok((buf, _))) if buf.is_empty() => None,
            Ok(Ok((buf, file))) => {
                Some((Ok::<Bytes, std::io::Error>(Bytes::from(buf)), Some(file)))
            }
            Ok(Err(e)) | Err(e) => Some((Err(e), None)),
        }
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_keep_phones_as_text_and_dates_with_slashes() {
        assert_eq!(
            Cell::Phone(Some("0312345678".into())).csv(),
            "=\"0312345678\""
        );
        assert_eq!(
            Cell::Phone(Some("090-1234-5678".into())).csv(),
            "=\"090-1234-5678\""
        );
        assert_eq!(Cell::Phone(None).csv(), "");
        // not a number: no formula form, but no formula either
        assert_eq!(Cell::Phone(Some("=1+1\"".into())).csv(), "'=1+1\"");
        assert_eq!(
            Cell::Date(NaiveDate::from_ymd_opt(2026, 4, 1)).csv(),
            "2026/04/01"
        );
        let at = "2026-04-01T00:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(Cell::At(Some(at)).csv(), "2026/04/01 09:30");
    }

    #[test]
    fn text_that_looks_like_a_formula_is_neutralised() {
        for s in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)"] {
            assert_eq!(Cell::text(s).csv(), format!("'{s}"));
        }
        assert_eq!(Cell::text("作業 -2").csv(), "作業 -2");
    }

    #[test]
    fn the_head_has_a_bom_and_lines_end_in_crlf() {
        let head = csv_head(&["氏名".into(), "電話".into()]);
        assert!(head.starts_with(&[0xEF, 0xBB, 0xBF]));
        assert!(head.ends_with(b"\r\n"));
        let rows = csv_rows(&[vec![Cell::text("a,b"), Cell::text("改行\nあり")]]);
        assert_eq!(
            String::from_utf8(rows).unwrap(),
            "\"a,b\",\"改行\nあり\"\r\n"
        );
    }

    #[test]
    fn html_becomes_lines_of_words() {
        assert_eq!(
            html_to_text("<p>一行目<br>二行目</p>\n<ul><li>a &amp; b</li><li>&lt;c&gt;</li></ul>"),
            "一行目\n二行目\n\n・a & b\n・<c>"
        );
    }

    #[test]
    fn a_japanese_file_name_is_percent_encoded_beside_an_ascii_one() {
        let sheet = Sheet {
            name: "タイムライン_鈴木一郎".into(),
            ascii_name: "timeline".into(),
            tab: "タイムライン".into(),
            columns: vec![],
            cut_note: String::new(),
        };
        let d = disposition(
            &sheet,
            NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
            Format::Csv,
        );
        assert!(
            d.starts_with("attachment; filename=\"timeline_2026-04-01.csv\"; filename*=UTF-8''")
        );
        let encoded = d.split("UTF-8''").nth(1).unwrap();
        assert!(encoded.is_ascii());
        let decoded = percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .unwrap();
        assert_eq!(decoded, "タイムライン_鈴木一郎_2026-04-01.csv");
        assert_eq!(
            file_name(
                "a/b:c",
                NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
                Format::Xlsx
            ),
            "a_b_c_2026-04-01.xlsx"
        );
    }

    #[test]
    fn tab_names_fit_excel() {
        assert_eq!(tab_name("a[b]:c*?/\\"), "abc");
        assert_eq!(tab_name(&"あ".repeat(40)).chars().count(), 31);
        assert_eq!(tab_name("'"), "Sheet1");
    }
}
