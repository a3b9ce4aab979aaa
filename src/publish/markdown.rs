//! The about page's text, written by the publication in `about.md` (CommonMark, with
//! tables). Rendered to HTML with every raw HTML block or tag shown as text (escaped),
//! and links or images whose scheme is not http, https or mailto made harmless, so the
//! file can hold no script. A first `# Heading` becomes the page's title.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// The rendered page.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    /// The text of a leading `# Heading`, if the file starts with one.
    pub title: Option<String>,
    /// The rest, as HTML.
    pub html: String,
    /// The words of its paragraphs, as plain text (for a description): no raw HTML, no
    /// headings or tables, one space between words and none before punctuation.
    pub text: String,
}

/// The plain text of the paragraphs of some Markdown.
fn paragraphs(markdown: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Start(Tag::Paragraph) => depth += 1,
            Event::End(TagEnd::Paragraph) => {
                depth = depth.saturating_sub(1);
                out.push(' ');
            }
            Event::Text(t) | Event::Code(t) if depth > 0 => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak if depth > 0 => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a link may be followed: relative, a fragment, or http(s) and mailto.
fn safe_url(url: &str) -> bool {
    let url: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let scheme_end = url.find(':');
    let path_start = url.find(['/', '?', '#']);
    match (scheme_end, path_start) {
        (Some(colon), Some(slash)) if slash < colon => true,
        (Some(colon), _) => {
            let scheme = url[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        (None, _) => true,
    }
}

fn defuse(url: CowStr<'_>) -> CowStr<'_> {
    if safe_url(&url) { url } else { "#".into() }
}

pub fn render(markdown: &str) -> Doc {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut events: Vec<Event> = parser
        .map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: defuse(dest_url),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: defuse(dest_url),
                title,
                id,
            }),
            other => other,
        })
        .collect();
    let mut title = None;
    if let Some(Event::Start(Tag::Heading {
        level: HeadingLevel::H1,
        ..
    })) = events.first()
        && let Some(end) = events
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Heading(HeadingLevel::H1))))
    {
        let mut text = String::new();
        for e in &events[1..end] {
            if let Event::Text(t) | Event::Code(t) = e {
                text.push_str(t);
            }
        }
        title = Some(text.trim().to_string()).filter(|t| !t.is_empty());
        events.drain(..=end);
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    Doc {
        title,
        html: out,
        text: paragraphs(markdown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_script_links_are_defused() {
        let doc = render(
            "# About us\n\nWe <script>alert(1)</script> write.\n\n<div onclick=x>block</div>\n\n[ok](https://example.org) [bad](javascript:alert(2)) [rel](methodology.html) ![i](data:text/html,x)\n",
        );
        assert_eq!(doc.title.as_deref(), Some("About us"));
        assert!(!doc.html.contains("<script"), "{}", doc.html);
        assert!(!doc.html.contains("<div"), "{}", doc.html);
        assert!(doc.html.contains("&lt;script&gt;"), "{}", doc.html);
        assert!(!doc.html.contains("javascript:"), "{}", doc.html);
        assert!(!doc.html.contains("data:"), "{}", doc.html);
        assert!(doc.html.contains("href=\"https://example.org\""));
        assert!(doc.html.contains("href=\"methodology.html\""));
        assert!(!doc.html.contains("<h1>"));
    }

    #[test]
    fn the_text_is_the_words_of_the_paragraphs() {
        let doc = render(
            "# About\n\nWe are **editors**. See [the method](methodology.html) and <b>evil</b>.\n<script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nLast `line`.\n",
        );
        assert_eq!(
            doc.text,
            "We are editors. See the method and evil. Last line."
        );
    }

    #[test]
    fn without_a_leading_heading_there_is_no_title() {
        let doc = render("Hello *there*.\n\n# Later\n");
        assert_eq!(doc.title, None);
        assert!(doc.html.contains("<em>there</em>"));
        assert!(doc.html.contains("<h1>Later</h1>"));
    }

    #[test]
    fn schemes_are_judged_before_the_path() {
        assert!(safe_url("a/b:c"));
        assert!(safe_url("#x"));
        assert!(safe_url("MAILTO:x@y"));
        assert!(!safe_url(" java\tscript:alert(1)"));
        assert!(!safe_url("vbscript:x"));
    }
}
