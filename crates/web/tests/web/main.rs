//! The web layer over real HTTP against the real server (enishi-testkit),
//! on SQLite and PostgreSQL; plus the catalogue checks and the browser
//! journeys. One test binary for the crate, modules by subject.

mod accounts;
mod api;
mod browser;
mod errors;
mod i18n;
mod matrix;
mod site;

/// The `<h1>` text of an HTML page (our pages have exactly one).
pub fn h1(html: &str) -> String {
    let start = html.find("<h1").expect("an <h1>");
    let open_end = html[start..].find('>').unwrap() + start + 1;
    let close = html[open_end..].find("</h1>").unwrap() + open_end;
    html[open_end..close].trim().to_string()
}

pub fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("missing header {name}"))
        .to_str()
        .unwrap()
}
