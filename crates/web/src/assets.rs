//! Static assets (our CSS, our JS module, icons), embedded in the binary and
//! served under names that carry a hash of their content
//! (`/static/app.3f9c2a1d.css`), so browsers may cache them for a year and
//! still see a new version the moment it ships.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::AppError;

/// One embedded file.
pub struct Asset {
    /// The name templates ask for (`app.css`).
    pub name: &'static str,
    /// The name it is served under (`app.3f9c2a1d.css`).
    pub hashed: String,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/app.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../static/favicon.svg"),
    ),
];

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, content_type, bytes)| {
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            Asset {
                name,
                hashed: format!("{stem}.{:08x}.{ext}", fnv1a(bytes) as u32),
                content_type,
                bytes,
            }
        })
        .collect()
});

/// FNV-1a, 64-bit: a stable content fingerprint (not a security hash).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every embedded asset.
pub fn all() -> &'static [Asset] {
    &ASSETS
}

/// The URL of asset `name` (`/static/app.3f9c2a1d.css`). Unknown names give
/// a URL that answers 404, never a panic.
pub fn url(name: &str) -> &'static str {
    static URLS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
        ASSETS
            .iter()
            .map(|a| (a.name, format!("/static/{}", a.hashed)))
            .collect()
    });
    URLS.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, u)| u.as_str())
        .unwrap_or("/static/missing")
}

/// `GET /static/{file}`: only the hashed names are served.
pub async fn serve(Path(file): Path<String>) -> Result<Response, AppError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.hashed == file)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (CONTENT_TYPE, asset.content_type),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_content_hash() {
        for asset in all() {
            let (stem, ext) = asset.name.rsplit_once('.').unwrap();
            assert!(
                asset.hashed.starts_with(&format!("{stem}.")),
                "{}",
                asset.hashed
            );
            assert!(
                asset.hashed.ends_with(&format!(".{ext}")),
                "{}",
                asset.hashed
            );
            assert_eq!(url(asset.name), format!("/static/{}", asset.hashed));
        }
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
        assert_eq!(url("nope.css"), "/static/missing");
    }
}
