//! The image pipeline, shared by profile photos and (later) post and event
//! images: an upload is sniffed by its content (never its name or type
//! header), checked against size, pixel-count and shape limits *before* it
//! is decoded in full, decoded, turned upright by its EXIF orientation,
//! and re-encoded as JPEG in two sizes — which drops EXIF, GPS and
//! anything else the file carried. Served from our own route with long
//! cache headers.

use std::io::Cursor;

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use enishi_store::images::{self, Size};
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::scope::NetworkScope;
use crate::{AppError, AppState};

/// Largest upload accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most pixels an upload may declare (a decompression bomb declares
/// millions more than it weighs).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Most a side may be longer than the other (a 1×100000 strip is refused).
pub const MAX_ASPECT: u32 = 10;
/// Smallest side, in pixels.
pub const MIN_SIDE: u32 = 16;
/// The two sizes kept, longer side in pixels.
pub const LARGE: u32 = 512;
pub const SMALL: u32 = 128;

/// Why an upload was refused (each a catalogue key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageError {
    Empty,
    TooLarge,
    NotAnImage,
    TooManyPixels,
    BadShape,
    Broken,
}

impl ImageError {
    pub fn key(self) -> &'static str {
        match self {
            ImageError::Empty => "invalid.image_empty",
            ImageError::TooLarge => "invalid.image_too_large",
            ImageError::NotAnImage => "invalid.image_type",
            ImageError::TooManyPixels => "invalid.image_pixels",
            ImageError::BadShape => "invalid.image_shape",
            ImageError::Broken => "invalid.image_broken",
        }
    }
}

/// How the stored sizes are cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A square from the centre (profile photos).
    Square,
    /// The whole picture, fitted in the size.
    Fit,
}

/// A cleaned image: two JPEGs.
#[derive(Clone, Debug)]
pub struct Cleaned {
    pub width: u32,
    pub height: u32,
    pub large: Vec<u8>,
    pub small: Vec<u8>,
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    // sides are checked against the shape rule; the pixel count and the
    // allocation cap are what stop a bomb
    limits.max_image_width = Some(1_000_000);
    limits.max_image_height = Some(1_000_000);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 16 * 1024 * 1024);
    reader.limits(limits);
    reader
}

/// Runs the whole pipeline on an upload (CPU-bound: call it from
/// `spawn_blocking`).
pub fn clean(bytes: &[u8], shape: Shape) -> Result<Cleaned, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ImageError::TooLarge);
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(ImageError::NotAnImage),
    };
    // the header first: dimensions are checked before anything is decoded
    let (w, h) = reader(bytes, format)
        .into_dimensions()
        .map_err(|_| ImageError::Broken)?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels);
    }
    if w < MIN_SIDE || h < MIN_SIDE || w / h > MAX_ASPECT || h / w > MAX_ASPECT {
        return Err(ImageError::BadShape);
    }
    let mut decoder = reader(bytes, format)
        .into_decoder()
        .map_err(|_| ImageError::Broken)?;
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => ImageError::TooManyPixels,
        _ => ImageError::Broken,
    })?;
    if let Some(o) = orientation {
        picture.apply_orientation(o);
    }
    if shape == Shape::Square {
        let side = picture.width().min(picture.height());
        let x = (picture.width() - side) / 2;
        let y = (picture.height() - side) / 2;
        picture = picture.crop_imm(x, y, side, side);
    }
    let large = encode(&picture, LARGE)?;
    let small = encode(&picture, SMALL)?;
    Ok(Cleaned {
        width: picture.width().min(LARGE),
        height: picture.height().min(LARGE),
        large,
        small,
    })
}

fn encode(picture: &DynamicImage, side: u32) -> Result<Vec<u8>, ImageError> {
    let sized = if picture.width() > side || picture.height() > side {
        picture.resize(side, side, FilterType::Triangle)
    } else {
        picture.clone()
    };
    let rgb = sized.to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&rgb)
        .map_err(|_| ImageError::Broken)?;
    Ok(out)
}

/// A new image key: 32 hex characters from the OS's random source.
pub fn new_key() -> String {
    crate::csrf::random_token()[..32].to_string()
}

/// `GET /n/{slug}/images/{key}/{size}`: an image of the network, to its
/// members. Keys are unguessable and an image never changes under its key,
/// so browsers may keep it for a year.
pub async fn serve(
    State(state): State<AppState>,
    scope: NetworkScope,
    Path((_slug, key, size)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let size = match size.as_str() {
        "512.jpg" => Size::Large,
        "128.jpg" => Size::Small,
        _ => return Err(AppError::NotFound),
    };
    if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    // a post's picture is for those who may read the post (an alumni-only
    // group's pictures stay there, whoever learns a key); one not on a
    // post yet is its uploader's
    let found = images::owner(&state.db, scope.id(), &key).await?;
    if let Some((owner, purpose)) = &found
        && purpose == "event"
    {
        // an event's cover: for those who may see the event
        match enishi_store::events::by_cover(&state.db, scope.id(), &key).await? {
            Some(event) => {
                crate::events::event_for(&state, &scope, event).await?;
            }
            None if *owner == Some(scope.membership.account_id) => {}
            None => return Err(AppError::NotFound),
        }
    }
    if let Some((owner, purpose)) = found
        && purpose == "post"
    {
        match enishi_store::posts::by_image(&state.db, scope.id(), &key).await? {
            Some(post) => {
                crate::posts::visible_post(&state, &scope, post).await?;
            }
            None if owner == Some(scope.membership.account_id) => {}
            None => return Err(AppError::NotFound),
        }
    }
    let bytes = images::get(&state.db, scope.id(), &key, size)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (CONTENT_TYPE, "image/jpeg"),
            (CACHE_CONTROL, "private, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response())
}

/// Cleans an uploaded picture (off the async threads) and stores it as the
/// member's, for `purpose` (`profile`, `post`, `event`): its key, or why
/// the file was refused.
pub async fn store(
    state: &AppState,
    scope: &NetworkScope,
    file: Vec<u8>,
    shape: Shape,
    purpose: &str,
) -> Result<Result<String, ImageError>, AppError> {
    let cleaned = tokio::task::spawn_blocking(move || clean(&file, shape))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let cleaned = match cleaned {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let key = new_key();
    images::insert(
        &state.db,
        scope.id(),
        &images::NewImage {
            key: &key,
            account_id: Some(scope.membership.account_id),
            purpose,
            width: i64::from(cleaned.width),
            height: i64::from(cleaned.height),
            large: &cleaned.large,
            small: &cleaned.small,
        },
    )
    .await?;
    Ok(Ok(key))
}

/// The address of an image of the network.
pub fn url(slug: &str, key: &str, size: Size) -> String {
    let px = match size {
        Size::Large => LARGE,
        Size::Small => SMALL,
    };
    format!("/n/{slug}/images/{key}/{px}.jpg")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img: ImageBuffer<Rgb<u8>, Vec<u8>> =
            ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    /// PNG's chunk checksum (CRC-32, ISO 3309), to forge a valid header.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn photos_come_out_as_two_clean_jpegs() {
        let cleaned = clean(&png(1200, 800), Shape::Square).unwrap();
        let large = image::load_from_memory(&cleaned.large).unwrap();
        let small = image::load_from_memory(&cleaned.small).unwrap();
        assert_eq!((large.width(), large.height()), (512, 512));
        assert_eq!((small.width(), small.height()), (128, 128));
        assert_eq!(
            image::guess_format(&cleaned.large).unwrap(),
            ImageFormat::Jpeg
        );
        let fitted = clean(&png(1200, 800), Shape::Fit).unwrap();
        let large = image::load_from_memory(&fitted.large).unwrap();
        assert_eq!((large.width(), large.height()), (512, 341));
        // small pictures are not enlarged
        let tiny = clean(&png(64, 64), Shape::Square).unwrap();
        assert_eq!(image::load_from_memory(&tiny.large).unwrap().width(), 64);
    }

    #[test]
    fn hostile_uploads_are_refused() {
        assert_eq!(clean(b"", Shape::Fit).unwrap_err(), ImageError::Empty);
        assert_eq!(
            clean(b"PK\x03\x04 this is a zip", Shape::Fit).unwrap_err(),
            ImageError::NotAnImage
        );
        assert_eq!(
            clean(b"<svg xmlns='http://www.w3.org/2000/svg'/>", Shape::Fit).unwrap_err(),
            ImageError::NotAnImage
        );
        assert_eq!(
            clean(&vec![0xFF; MAX_BYTES + 1], Shape::Fit).unwrap_err(),
            ImageError::TooLarge
        );
        assert_eq!(
            clean(&png(1, 2000), Shape::Fit).unwrap_err(),
            ImageError::BadShape
        );
        // a PNG header declaring 100000 × 100000 pixels, and little else
        let mut bomb = png(16, 16);
        bomb[16..20].copy_from_slice(&30_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&30_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            clean(&bomb, Shape::Fit).unwrap_err(),
            ImageError::TooManyPixels
        );
        // a truncated file
        let whole = png(300, 300);
        assert_eq!(
            clean(&whole[..whole.len() / 2], Shape::Fit).unwrap_err(),
            ImageError::Broken
        );
    }
}
