//! Entry bodies: Markdown rendered with pulldown-cmark (a line break stays a line break, as
//! people write notes) and sanitised by ammonia, so no script, event handler, `javascript:`
//! link or raw HTML survives. Images are not rendered (their description stays as text): an
//! image pointing at one of Renkei's own pages would make every reader's browser request it.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::SoftBreak => Event::HardBreak,
        // raw HTML is shown as text, not interpreted
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        // an image is only its description: no browser fetches anything for a reader
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => Event::Text("".into()),
        other => other,
    });
    let mut unsafe_html = String::new();
    html::push_html(&mut unsafe_html, events);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .rm_tags(["img"])
        .clean(&unsafe_html)
        .to_string()
}

/// The words of a Markdown text without its marks (`**`, `- `, `#`, links' addresses), on one
/// line, cut at `max_chars` characters with an ellipsis: for previews such as the inbox.
pub fn to_plain_text(markdown: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let push_space = |out: &mut String| {
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    };
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item)
            | Event::End(TagEnd::Heading(_))
            | Event::End(TagEnd::TableCell) => push_space(&mut out),
            _ => {}
        }
    }
    let text: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > max_chars {
        let mut cut: String = text.chars().take(max_chars).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

/// Safe HTML (from `to_safe_html`) with each third-level heading and what follows it, up to
/// the next heading, in a `<section class="keep">`, so a printed agenda item starts on the
/// page where its content is; a heading directly followed by another goes into the same
/// section.
pub fn keep_headings_with_content(safe_html: &str) -> String {
    let starts: Vec<usize> = safe_html
        .match_indices("<h")
        .map(|(i, _)| i)
        .filter(|i| {
            let rest = &safe_html[*i..];
            rest.starts_with("<h2>") || rest.starts_with("<h3>")
        })
        .collect();
    if starts.is_empty() {
        return safe_html.to_string();
    }
    let mut out = String::from(&safe_html[..starts[0]]);
    let mut pending = String::new();
    for (n, start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(safe_html.len());
        let segment = &safe_html[*start..end];
        let close = if segment.starts_with("<h2>") {
            "</h2>"
        } else {
            "</h3>"
        };
        let heading_only = segment
            .find(close)
            .is_some_and(|c| segment[c + close.len()..].trim().is_empty());
        pending.push_str(segment);
        if heading_only && n + 1 < starts.len() {
            continue;
        }
        if pending.contains("<h3>") {
            out.push_str(&format!("<section class=\"keep\">{pending}</section>"));
        } else {
            out.push_str(&pending);
        }
        pending.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agenda_headings_are_kept_with_their_content() {
        let html = to_safe_html(
            "## 話し合うこと\n\n### 連絡方法\n\n- 電話\n\n### 訪問\n\n- \n\n## 他\n\n本文",
        );
        let kept = keep_headings_with_content(&html);
        assert_eq!(
            kept.matches("<section class=\"keep\">").count(),
            2,
            "{kept}"
        );
        // the section heading goes with the first item, the item with its bullet
        assert!(
            kept.starts_with("<section class=\"keep\"><h2>話し合うこと</h2>\n<h3>連絡方法</h3>"),
            "{kept}"
        );
        assert!(kept.contains("<h2>他</h2>\n<p>本文</p>"), "{kept}");
        assert!(!kept.contains("<section class=\"keep\"><h2>他"), "{kept}");
        assert_eq!(keep_headings_with_content("<p>x</p>"), "<p>x</p>");
    }

    #[test]
    fn plain_text_has_no_marks() {
        assert_eq!(
            to_plain_text(
                "**大事**なこと\n- 一つ目\n- 二つ目\n\n[資料](https://x.example)",
                100
            ),
            "大事なこと 一つ目 二つ目 資料"
        );
        assert_eq!(to_plain_text("あいうえお", 3), "あいう…");
        assert_eq!(to_plain_text("# 見出し\n本文", 100), "見出し 本文");
    }

    #[test]
    fn line_breaks_are_kept() {
        assert_eq!(
            to_safe_html("一行目\n二行目"),
            "<p>一行目<br>\n二行目</p>\n"
        );
    }

    #[test]
    fn nothing_executable_survives() {
        let cases = [
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "[x](JaVaScRiPt:alert(1))",
            "![x](javascript:alert(1))",
            "<iframe src=\"https://evil.example\"></iframe>",
        ];
        for md in cases {
            let html = to_safe_html(md).to_lowercase();
            // what is inside tags: raw HTML typed by the user ends up as escaped text
            let tags: Vec<&str> = html
                .split('<')
                .skip(1)
                .map(|t| &t[..t.find('>').unwrap_or(t.len())])
                .collect();
            for tag in tags {
                assert!(!tag.starts_with("script"), "{md} → {html}");
                assert!(!tag.starts_with("iframe"), "{md} → {html}");
                assert!(!tag.contains("javascript:"), "{md} → {html}");
                assert!(!tag.contains("onerror"), "{md} → {html}");
            }
        }
    }

    #[test]
    fn images_are_only_their_description() {
        for md in [
            "![受診の記録](/inbox/read-all)",
            "![x](https://renkei.example/cases/1)",
            "<img src=\"/logout\">",
        ] {
            let html = to_safe_html(md);
            // no image element (typed HTML stays escaped text)
            assert!(!html.contains("<img"), "{md} → {html}");
        }
        assert!(to_safe_html("![受診の記録](/x)").contains("受診の記録"));
    }

    #[test]
    fn ordinary_markdown_renders() {
        let html = to_safe_html("**大事**\n- 一\n- 二\n\n[資料](https://example.jp)");
        assert!(html.contains("<strong>大事</strong>"));
        assert!(html.contains("<li>一</li>"));
        assert!(html.contains(r#"href="https://example.jp""#));
        assert!(html.contains("noopener"));
    }
}
