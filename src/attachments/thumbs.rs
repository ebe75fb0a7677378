//! Images: decoded once on arrival (a damaged or truncated one is refused), their pixel size
//! kept, and a smaller copy made of a large one so the thread loads fast.
use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The longest side of a thumbnail, in pixels (twice what the thread shows, for sharp screens).
const THUMB_SIDE: u32 = 640;
/// Images above either bound get a thumbnail.
const THUMB_OVER_BYTES: usize = 300 * 1024;
const THUMB_OVER_SIDE: u32 = 1280;

/// What decoding an image found.
#[derive(Debug, PartialEq)]
pub struct Seen {
    /// `(width, height)` in pixels.
    pub size: (u32, u32),
    pub thumb: Option<Vec<u8>>,
}

/// The image's size and, when `may_thumb` and it is large, a thumbnail (PNG when the image has
/// transparency, else JPEG).
pub fn inspect(bytes: &[u8], may_thumb: bool) -> Result<Seen, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    // A small file can claim a huge canvas (a decompression bomb): bound what decoding may take.
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| e.to_string())?;
    let size = (image.width(), image.height());
    let large = bytes.len() > THUMB_OVER_BYTES || size.0.max(size.1) > THUMB_OVER_SIDE;
    if !may_thumb || !large {
        return Ok(Seen { size, thumb: None });
    }
    let small = image.thumbnail(THUMB_SIDE, THUMB_SIDE);
    let mut out = Cursor::new(Vec::new());
    if small.color().has_alpha() {
        small
            .write_to(&mut out, ImageFormat::Png)
            .map_err(|e| e.to_string())?;
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82);
        small
            .to_rgb8()
            .write_with_encoder(encoder)
            .map_err(|e| e.to_string())?;
    }
    Ok(Seen {
        size,
        thumb: Some(out.into_inner()),
    })
}

#[cfg(test)]
mod tests {
    use super::inspect;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn large_images_get_a_thumbnail_and_small_ones_do_not() {
        let seen = inspect(&png(2000, 1000), true).unwrap();
        assert_eq!(seen.size, (2000, 1000));
        let thumb = seen.thumb.expect("a thumbnail");
        assert_eq!(inspect(&thumb, true).unwrap().size, (640, 320));
        let small = inspect(&png(40, 30), true).unwrap();
        assert_eq!(
            small,
            super::Seen {
                size: (40, 30),
                thumb: None
            }
        );
    }

    #[test]
    fn truncated_images_are_refused() {
        let whole = png(300, 300);
        assert!(inspect(&whole[..whole.len() / 2], true).is_err());
    }
}
