"""Decode a QR from a camera frame or an uploaded photo, server-side, with zxing-cpp."""

import io

from kcb06.errors import DomainError

MAX_IMAGE_BYTES = 8 * 1024 * 1024


def decode_image(data: bytes) -> str:
    """The text of the first QR code in the image; DomainError if there is none."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if not data or len(data) > MAX_IMAGE_BYTES:
        raise DomainError(
            "image_invalid",
            "Ảnh trống hoặc quá lớn. Hãy chụp lại thẻ.",
            "Empty or too large image.",
        )
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError):
        raise DomainError(
            "image_invalid", "Không đọc được ảnh. Hãy chụp lại thẻ.", "Unreadable image."
        ) from None
    results = zxingcpp.read_barcodes(image.convert("L"))
    for result in results:
        if result.text:
            return result.text
    raise DomainError(
        "qr_not_found",
        "Chưa thấy mã QR trong ảnh. Hãy giữ thẻ gần và yên trước camera, mặt có mã QR.",
        "No QR code found in the image.",
    )
