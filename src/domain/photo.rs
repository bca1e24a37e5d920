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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    Empty,
    TooLarge,
    /// Not JPEG, PNG or WebP by its content (a renamed text file, a GIF, a PDF…).
    NotAnImage,
    /// Claims to be one of the three but does not decode (truncated, corrupt).
    Broken,
}

impl PhotoError {
    pub fn message_key(self) -> &'static str {
        match self {
            PhotoError::Empty => "photo-empty",
            PhotoError::TooLarge => "photo-too-large",
            PhotoError::NotAnImage => "photo-not-image",
            PhotoError::Broken => "photo-broken",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Photo {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Checks and re-encodes an uploaded photo. CPU-bound: call it off the async threads.
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
    // a small file can claim a huge canvas: bound what decoding may allocate
    let mut limits = Limits::default();
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Broken)?;
    let orientation = decoder.orientation().map_err(|_| PhotoError::Broken)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::Broken)?;
    img.apply_orientation(orientation);
    if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img = img.resize(MAX_SIDE, MAX_SIDE, FilterType::Lanczos3);
    }
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
}
