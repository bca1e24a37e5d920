//! Staff photos: what an upload must be, and what is kept of it. The type is read from the
//! bytes, never from the file name or the browser's claim; the picture is decoded, turned
//! upright, shrunk to what a card needs and encoded again, so nothing of the original file —
//! EXIF (GPS position, camera, date), comments, trailing data — survives.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The largest upload accepted, as the form says.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Cards show photos at most 160 px wide; 480 keeps them sharp on dense screens.
const MAX_SIDE: u32 = 480;
/// The largest picture decoded, in pixels: more than any 2 MB photo from a phone (12 MP is
/// usual). A file that claims more is a decompression bomb, or will not be shown as it is.
pub const MAX_PIXELS: u64 = 25_000_000;
/// The longest side decoded.
pub const MAX_DIMENSION: u32 = 8_192;
/// What one decode may allocate: a picture of `MAX_PIXELS` in RGBA, with room to spare.
const MAX_ALLOC: u64 = 128 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    Empty,
    TooLarge,
    /// Not JPEG, PNG or WebP by its content (a renamed text file, a GIF, an SVG, a PDF…).
    NotAnImage,
    /// Claims to be one of the three but does not decode (truncated, corrupt).
    Broken,
    /// Claims a canvas larger than `MAX_PIXELS` or `MAX_DIMENSION` (a decompression bomb).
    TooManyPixels,
    /// Other data follows the end of the picture: a polyglot (a JPEG that is also a ZIP),
    /// or a phone's motion photo (a video after the picture). Further whole JPEGs after a
    /// JPEG (an HDR gain map) are not refused; only the first picture is kept.
    TrailingData,
}

impl PhotoError {
    pub fn message_key(self) -> &'static str {
        match self {
            PhotoError::Empty => "photo-empty",
            PhotoError::TooLarge => "photo-too-large",
            PhotoError::NotAnImage => "photo-not-image",
            PhotoError::Broken => "photo-broken",
            PhotoError::TooManyPixels => "photo-too-many-pixels",
            PhotoError::TrailingData => "photo-trailing-data",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Photo {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Checks and re-encodes an uploaded photo. CPU-bound and up to `MAX_ALLOC` in memory: call it
/// off the async threads, a bounded number at a time (`http::state::AppState::photo_decoders`).
pub fn process(upload: &[u8]) -> Result<Photo, PhotoError> {
    if upload.is_empty() {
        return Err(PhotoError::Empty);
    }
    if upload.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let mut reader = ImageReader::new(Cursor::new(upload))
        .with_guessed_format()
        .map_err(|_| PhotoError::NotAnImage)?;
    let format = reader.format().ok_or(PhotoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAnImage);
    }
    // the file must end where the picture ends: nothing hidden after it, nothing cut off
    match container_end(format, upload) {
        Some(end) if end == upload.len() => {}
        Some(_) => return Err(PhotoError::TrailingData),
        None => return Err(PhotoError::Broken),
    }
    // a small file can claim a huge canvas: bound what decoding may allocate
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    let orientation = decoder.orientation().map_err(decode_error)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    // shrink first: turning a full-size picture upright would copy it whole. A box filter
    // (each pixel counted once) brings a large picture near the size, fast and without extra
    // memory; Lanczos3 makes the last step sharp.
    if img.width() > 2 * MAX_SIDE || img.height() > 2 * MAX_SIDE {
        img = img.thumbnail(2 * MAX_SIDE, 2 * MAX_SIDE);
    }
    if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img = img.resize(MAX_SIDE, MAX_SIDE, FilterType::Lanczos3);
    }
    img.apply_orientation(orientation);
    let mut out = Vec::new();
    let content_type = match format {
        ImageFormat::Png => {
            DynamicImage::ImageRgba8(img.to_rgba8())
                .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
                .map_err(|_| PhotoError::Broken)?;
            "image/png"
        }
        ImageFormat::WebP => {
            DynamicImage::ImageRgba8(img.to_rgba8())
                .write_to(&mut Cursor::new(&mut out), ImageFormat::WebP)
                .map_err(|_| PhotoError::Broken)?;
            "image/webp"
        }
        _ => {
            JpegEncoder::new_with_quality(&mut out, 85)
                .encode_image(&img.to_rgb8())
                .map_err(|_| PhotoError::Broken)?;
            "image/jpeg"
        }
    };
    Ok(Photo {
        content_type,
        bytes: out,
    })
}

fn decode_error(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels,
        _ => PhotoError::Broken,
    }
}

/// Where the picture's own structure ends, read from its segments (JPEG), chunks (PNG) or
/// RIFF header (WebP); None when the structure is cut off or malformed. The decoders stop at
/// the end of the picture and say nothing about what follows, and the crates that walk these
/// structures do far more than this needs, so it is written here.
fn container_end(format: ImageFormat, b: &[u8]) -> Option<usize> {
    match format {
        ImageFormat::Jpeg => {
            // phones append further JPEGs after the picture (an HDR gain map, a depth map, in
            // the Multi-Picture Format): each must itself be whole
            let mut end = jpeg_end(b)?;
            while b.len() > end && b[end..].starts_with(&[0xFF, 0xD8]) {
                end += jpeg_end(&b[end..])?;
            }
            Some(end)
        }
        ImageFormat::Png => png_end(b),
        ImageFormat::WebP => {
            if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WEBP" {
                return None;
            }
            let size = u32::from_le_bytes(b[4..8].try_into().ok()?) as usize;
            let end = 8usize.checked_add(size)?.checked_add(size % 2)?;
            (end <= b.len()).then_some(end)
        }
        _ => None,
    }
}

/// Walks the marker segments from SOI to EOI; after each start of scan, skips the entropy-coded
/// data (where 0xFF is followed only by a stuffed 0x00 or a restart marker).
fn jpeg_end(b: &[u8]) -> Option<usize> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    loop {
        // markers may be preceded by fill bytes 0xFF
        if *b.get(i)? != 0xFF {
            return None;
        }
        while *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        let marker = *b.get(i + 1)?;
        i += 2;
        match marker {
            0xD9 => return Some(i),
            0x01 | 0xD0..=0xD7 => continue,
            0x00 => return None,
            _ => {}
        }
        let len = u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]) as usize;
        if len < 2 {
            return None;
        }
        i = i.checked_add(len)?;
        if i > b.len() {
            return None;
        }
        if marker == 0xDA {
            // entropy-coded data up to the next marker that is not a restart
            loop {
                if *b.get(i)? != 0xFF {
                    i += 1;
                    continue;
                }
                match *b.get(i + 1)? {
                    0x00 | 0xD0..=0xD7 => i += 2,
                    0xFF => i += 1,
                    _ => break,
                }
            }
        }
    }
}

/// Walks the chunks from the signature to IEND.
fn png_end(b: &[u8]) -> Option<usize> {
    if !b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return None;
    }
    let mut i = 8;
    loop {
        let len = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let kind = b.get(i + 4..i + 8)?;
        let end = i.checked_add(12)?.checked_add(len)?;
        if end > b.len() {
            return None;
        }
        if kind == b"IEND" {
            return Some(end);
        }
        i = end;
    }
}

/// A plain portrait for the demo: a coloured ground, a head and shoulders in a lighter tone.
pub fn placeholder_portrait(seed: u32) -> Vec<u8> {
    const GROUNDS: [[u8; 3]; 6] = [
        [0x3b, 0x6e, 0x8f],
        [0x6a, 0x8d, 0x3a],
        [0x9b, 0x5d, 0x7a],
        [0xb0, 0x7a, 0x2e],
        [0x4e, 0x5b, 0x9e],
        [0x2f, 0x84, 0x7c],
    ];
    let ground = GROUNDS[(seed as usize) % GROUNDS.len()];
    let skin = [0xf1, 0xd3, 0xb8];
    let cloth = [ground[0] / 2 + 60, ground[1] / 2 + 60, ground[2] / 2 + 60];
    let side = 240u32;
    let img = image::RgbImage::from_fn(side, side, |x, y| {
        let (fx, fy) = (x as f32 - 120.0, y as f32);
        let head = fx * fx + (fy - 95.0) * (fy - 95.0) < 45.0 * 45.0;
        let shoulders =
            fy > 160.0 && fx * fx / (95.0 * 95.0) + (fy - 240.0).powi(2) / (80.0 * 80.0) < 1.0;
        image::Rgb(if head {
            skin
        } else if shoulders {
            cloth
        } else {
            ground
        })
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .expect("encoding a PNG in memory does not fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 128]));
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    /// A JPEG with an APP1 Exif segment carrying a GPS IFD pointer, right after SOI.
    fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
        let plain = jpeg(w, h);
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        // IFD0: one entry, GPSInfo (0x8825) → offset 26; then the GPS IFD: latitude ref 'N'
        tiff.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
        tiff.extend_from_slice(&[0, 1, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0, 0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_jpeg_is_kept_as_jpeg_without_its_exif() {
        let upload = jpeg_with_exif(64, 48);
        assert!(upload.windows(4).any(|w| w == b"Exif"));
        let photo = process(&upload).unwrap();
        assert_eq!(photo.content_type, "image/jpeg");
        assert!(!photo.bytes.windows(4).any(|w| w == b"Exif"));
        let back = image::load_from_memory(&photo.bytes).unwrap();
        assert_eq!((back.width(), back.height()), (64, 48));
    }

    #[test]
    fn large_pictures_are_shrunk_to_fit_a_card() {
        let photo = process(&jpeg(1200, 600)).unwrap();
        let back = image::load_from_memory(&photo.bytes).unwrap();
        assert_eq!((back.width(), back.height()), (480, 240));
    }

    #[test]
    fn png_and_webp_keep_their_type() {
        let png = placeholder_portrait(1);
        assert_eq!(process(&png).unwrap().content_type, "image/png");
        let mut webp = Vec::new();
        image::load_from_memory(&png)
            .unwrap()
            .write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
            .unwrap();
        assert_eq!(process(&webp).unwrap().content_type, "image/webp");
    }

    #[test]
    fn what_is_not_a_photo_is_refused_by_its_content() {
        assert_eq!(process(b"").unwrap_err(), PhotoError::Empty);
        assert_eq!(
            process(b"just text, named photo.jpg").unwrap_err(),
            PhotoError::NotAnImage
        );
        assert_eq!(
            process(b"GIF89a\x01\0\x01\0").unwrap_err(),
            PhotoError::NotAnImage
        );
        // starts like a JPEG, then nothing
        let mut truncated = jpeg(32, 32);
        truncated.truncate(40);
        assert_eq!(process(&truncated).unwrap_err(), PhotoError::Broken);
        let mut huge = jpeg(16, 16);
        huge.resize(MAX_BYTES + 1, 0);
        assert_eq!(process(&huge).unwrap_err(), PhotoError::TooLarge);
    }

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

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        c
    }

    /// A well-formed PNG of a few dozen bytes whose header claims `w` × `h` pixels.
    pub(crate) fn png_claiming(w: u32, h: u32) -> Vec<u8> {
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(chunk(b"IHDR", &ihdr));
        // a zlib stream of a few zero bytes: what a bomb's first kilobytes look like
        out.extend(chunk(
            b"IDAT",
            &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
        ));
        out.extend(chunk(b"IEND", &[]));
        out
    }

    #[test]
    fn a_small_file_claiming_a_huge_canvas_is_refused_before_decoding() {
        assert!(png_claiming(60_000, 60_000).len() < 100);
        for (w, h) in [(60_000, 60_000), (8_000, 8_000), (100_000, 1), (1, 100_000)] {
            assert_eq!(
                process(&png_claiming(w, h)).unwrap_err(),
                PhotoError::TooManyPixels,
                "{w}x{h}"
            );
        }
        // a JPEG whose frame header claims 60000 × 60000
        let mut j = jpeg(8, 8);
        let sof = j.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        j[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        assert_eq!(process(&j).unwrap_err(), PhotoError::TooManyPixels);
    }

    #[test]
    fn data_after_the_picture_is_refused() {
        // a JPEG that is also a (empty) ZIP archive
        let mut polyglot = jpeg(32, 32);
        polyglot.extend_from_slice(b"PK\x05\x06");
        polyglot.extend_from_slice(&[0; 18]);
        assert_eq!(process(&polyglot).unwrap_err(), PhotoError::TrailingData);
        let mut png = placeholder_portrait(2);
        png.extend_from_slice(b"<?php echo 1; ?>");
        assert_eq!(process(&png).unwrap_err(), PhotoError::TrailingData);
        // the same pictures alone are fine, an embedded Exif thumbnail's EOI included, and so
        // is a JPEG followed by JPEGs (a phone's HDR gain map); not one followed by a ZIP
        assert!(process(&jpeg(32, 32)).is_ok());
        assert!(process(&jpeg_with_exif(32, 32)).is_ok());
        let mut with_gain_map = jpeg(32, 32);
        with_gain_map.extend(jpeg(16, 16));
        assert!(process(&with_gain_map).is_ok());
        with_gain_map.extend_from_slice(b"PK\x05\x06");
        with_gain_map.extend_from_slice(&[0; 18]);
        assert_eq!(
            process(&with_gain_map).unwrap_err(),
            PhotoError::TrailingData
        );
        let mut cut_gain_map = jpeg(32, 32);
        cut_gain_map.extend(&jpeg(16, 16)[..100]);
        assert_eq!(process(&cut_gain_map).unwrap_err(), PhotoError::Broken);
    }

    #[test]
    fn truncated_pictures_and_svg_are_refused() {
        let full = jpeg(200, 150);
        for cut in [full.len() / 3, full.len() / 2, full.len() - 1] {
            assert_eq!(
                process(&full[..cut]).unwrap_err(),
                PhotoError::Broken,
                "{cut}"
            );
        }
        let png = placeholder_portrait(3);
        assert_eq!(
            process(&png[..png.len() - 5]).unwrap_err(),
            PhotoError::Broken
        );
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert_eq!(process(svg).unwrap_err(), PhotoError::NotAnImage);
    }

    /// Random bytes, and real pictures with random bytes changed, cut or added: never a
    /// panic, and whatever is accepted is a picture that decodes.
    #[test]
    fn random_and_mangled_uploads_never_panic() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(14);
        let mut webp = Vec::new();
        image::load_from_memory(&placeholder_portrait(4))
            .unwrap()
            .write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
            .unwrap();
        let seeds = [
            jpeg(64, 48),
            placeholder_portrait(5),
            webp,
            png_claiming(9, 9),
        ];
        let mut tried = 0;
        for round in 0..1_200 {
            let input: Vec<u8> = if round % 4 == 0 {
                let len = rng.random_range(0..2_000);
                (0..len).map(|_| rng.random()).collect()
            } else {
                let mut b = seeds[round % seeds.len()].clone();
                match rng.random_range(0..3) {
                    0 => {
                        for _ in 0..rng.random_range(1..8) {
                            let at = rng.random_range(0..b.len());
                            b[at] = rng.random();
                        }
                    }
                    1 => b.truncate(rng.random_range(0..b.len())),
                    _ => {
                        for _ in 0..rng.random_range(1..64) {
                            b.push(rng.random());
                        }
                    }
                }
                b
            };
            if let Ok(photo) = process(&input) {
                assert!(image::load_from_memory(&photo.bytes).is_ok());
            }
            tried += 1;
        }
        println!("photo inputs tried: {tried}");
        assert_eq!(tried, 1_200);
    }
}
