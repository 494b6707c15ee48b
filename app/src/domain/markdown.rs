//! Markdown documentation rendered to HTML, then sanitised: on the server only, so the browser
//! bundle carries neither the Markdown parser nor the HTML sanitiser (and its entity tables).
//! Pages receive the sanitised HTML; the console's live preview asks the server for it.
//!
//! Raw HTML in the source is shown as text, and the rendered HTML goes through ammonia's
//! allow-list: links only to http, https, mailto or relative URLs (never `javascript:`,
//! `data:`, `vbscript:`, however spelled), images only from http(s), no scripts, styles or
//! event attributes. Documentation is written by API owners and read by every portal user,
//! administrators included, so it must never carry script.

/// Documentation is at most this many characters (checked when saved and when previewed).
pub const MAX_MARKDOWN_CHARS: usize = 20_000;

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser, html};

/// Every link may lead off-site; none passes the reader's session context or earns ranking.
const LINK_REL: &str = "noopener noreferrer nofollow";

pub fn render_markdown(source: &str) -> String {
    let parser = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    sanitizer().clean(&out).to_string()
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some(LINK_REL))
            .attribute_filter(|element, attribute, value| {
                if element == "img" && attribute == "src" && !is_http_url(value) {
                    None
                } else {
                    Some(value.into())
                }
            });
        builder
    })
}

/// Images are fetched by the reader's browser as soon as the page shows: only from the web,
/// never a relative path on the console (which would be a request with the reader's cookie).
fn is_http_url(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::render_markdown;

    #[test]
    fn renders_markdown_and_escapes_raw_html() {
        let html =
            render_markdown("# Echo\n\nReturns *what* you send.\n\n<script>alert(1)</script>");
        assert!(html.contains("<h1>Echo</h1>"));
        assert!(html.contains("<em>what</em>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }

    /// No tag of the output may carry a script or data URL or an event attribute. Text is
    /// escaped, so every `<` left opens a real tag.
    fn assert_no_dangerous_url(source: &str) {
        let html = render_markdown(source);
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{source:?} rendered as {html}");
        for tag in lower.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap_or_default();
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(
                    !tag.contains(&format!("href=\"{scheme}"))
                        && !tag.contains(&format!("src=\"{scheme}")),
                    "{source:?} rendered as {html}"
                );
            }
            assert!(!tag.contains(" on"), "{source:?} rendered as {html}");
        }
    }

    #[test]
    fn script_links_are_removed_however_spelled() {
        for source in [
            "[docs](javascript:alert(1))",
            "<javascript:alert(2)>",
            "[docs](JaVaScRiPt:alert(1))",
            "[docs](&#106;avascript:alert(1))",
            "[docs](&#x6A;&#x61;vascript:alert(1))",
            "[docs](<java\tscript:alert(1)>)",
            "[docs](<java\nscript:alert(1)>)",
            "[docs](< javascript:alert(1)>)",
            "[docs]( javascript:alert(1))",
            "[docs](\u{1}javascript:alert(1))",
            "[docs](vbscript:msgbox(1))",
            "[docs](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "![img](data:image/svg+xml,<svg onload=alert(1)>)",
            "![img](javascript:alert(1))",
            "[ref]\n\n[ref]: javascript:alert(1)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<img src=x onerror=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<div onclick=\"alert(1)\">x</div>",
        ] {
            assert_no_dangerous_url(source);
        }
        // The dangerous link's text stays, as text.
        assert!(render_markdown("[docs](javascript:alert(1))").contains("docs"));
    }

    #[test]
    fn web_mail_and_relative_links_stay_with_a_safe_rel() {
        let html = render_markdown(
            "[a](https://example.com/x) [b](http://example.com) [c](mailto:a@example.com) [d](/portal) [e](#usage)",
        );
        assert!(html.contains("href=\"https://example.com/x\""), "{html}");
        assert!(html.contains("href=\"http://example.com\""), "{html}");
        assert!(html.contains("href=\"mailto:a@example.com\""), "{html}");
        assert!(html.contains("href=\"/portal\""), "{html}");
        assert!(html.contains("href=\"#usage\""), "{html}");
        assert!(
            html.contains("rel=\"noopener noreferrer nofollow\""),
            "{html}"
        );
    }

    #[test]
    fn images_only_from_the_web() {
        let html = render_markdown("![logo](https://example.com/logo.png)");
        assert!(
            html.contains("src=\"https://example.com/logo.png\""),
            "{html}"
        );
        let html = render_markdown("![logo](/api/logout) ![x](//evil.example/x.png)");
        assert!(!html.contains("src="), "{html}");
    }

    #[test]
    fn tables_and_code_survive_sanitising() {
        let html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nlet x = 1;\n```");
        assert!(
            html.contains("<table>") && html.contains("<td>1</td>"),
            "{html}"
        );
        assert!(html.contains("<pre><code>let x = 1;"), "{html}");
    }
}
