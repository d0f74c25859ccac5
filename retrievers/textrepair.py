"""Turn bytes from any Turkish text file into clean NFC text.

Real Turkish files arrive as UTF-8 (with or without a BOM), UTF-16, cp1254 / latin-5, or as
UTF-8 that was once decoded as cp1252 and saved again ("Ã§" for "ç", "ÅŸ" for "ş").
Decoding is strict first, the configured fallback second, and ftfy repairs the mojibake.
"""

from __future__ import annotations

import codecs
import unicodedata

import ftfy

from bilge.errors import FileRejected

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, unescape_html=False, normalization="NFC")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def repair_text(text: str) -> str:
    """Fix mojibake and stray BOMs, normalise to NFC."""
    text = text.replace("\ufeff", "")
    return unicodedata.normalize("NFC", ftfy.fix_text(text, config=_FTFY))


def looks_binary(data: bytes) -> bool:
    """True for bytes no text editor would have written: NUL bytes or many control characters."""
    sample = data[:8192]
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and controls / len(sample) > 0.05


def decode_text(data: bytes, fallback_encoding: str = "cp1254") -> str:
    """Decode a text file's bytes and repair the result; raise FileRejected for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return repair_text(data[len(bom):].decode(encoding, errors="replace"))
    if looks_binary(data):
        raise FileRejected("binary content, not text; remove it or give it its real extension")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode(fallback_encoding, errors="replace")
    return repair_text(text)
