//! User-written markdown (bios, later posts) to HTML that is safe to put in
//! a page: pulldown-cmark renders, ammonia keeps only harmless tags and
//! attributes (ARCHITECTURE.md: sanitising, not escaping by hand). No
//! images: the server never fetches, and pages never load, other sites'
//! pictures.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The tags rendered markdown may keep; everything else goes (its text
/// stays, escaped).
pub const TAGS: &[&str] = &[
    "a",
    "p",
    "br",
    "em",
    "strong",
    "del",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "hr",
];

/// Renders `text` as sanitised HTML.
pub fn render(text: &str) -> String {
    let mut options = pulldown_cmark::Options::empty();
    options.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    let parser = pulldown_cmark::Parser::new_ext(text, options);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    SANITISER.clean(&html).to_string()
}

/// The sanitiser, built once (its allow-lists are sets; building them per
/// call cost more than cleaning a short post).
static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = TAGS.iter().copied().collect();
    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect());
    builder
});

/// Plain text as HTML: escaped, line breaks kept (direct messages, which
/// are not markdown).
pub fn plain(text: &str) -> String {
    format!(
        "<p>{}</p>",
        enishi_core::text::escape_html(text).replace('\n', "<br>")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitised() {
        assert_eq!(
            render("**太字** と _斜体_"),
            "<p><strong>太字</strong> と <em>斜体</em></p>\n"
        );
        let evil = render(
            "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1)) <a href=\"https://e.jp\" onclick=\"x()\">e</a>",
        );
        assert!(!evil.contains("<script"), "{evil}");
        assert!(!evil.contains("<img"), "{evil}");
        let link = render("[x](javascript:alert(1)) [y](https://example.jp/)");
        assert!(!link.contains("href=\"javascript"), "{link}");
        assert!(link.contains("href=\"https://example.jp/\""), "{link}");
        assert!(!evil.contains("onclick"), "{evil}");
        assert!(
            evil.contains("rel=\"noopener noreferrer nofollow ugc\""),
            "{evil}"
        );
    }

    #[test]
    fn plain_text_is_escaped_with_its_line_breaks() {
        assert_eq!(
            super::plain("<script>x</script>\n& \"'"),
            "<p>&lt;script&gt;x&lt;/script&gt;<br>&amp; &quot;&#39;</p>"
        );
    }
}
