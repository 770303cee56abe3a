"""Letters as PDFs: checking a precompiled letter as Notify's template-preview does after accepting it, and the PDF
that GET /v2/notifications/{id}/pdf gives back.

Notify (notifications-template-preview app/precompiled.py) fails a precompiled letter as `validation-failed` when it
cannot read the file, when it has more than 10 pages (letter-too-long), or when a page is not A4 portrait within
2 mm (letter-not-a4-portrait-oriented); the EICAR test string fails its virus scan first. The API shows only the
status, not the reason; the sandbox keeps the reason for its control API.
"""

import io

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

EICAR = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
LETTER_MAX_PAGES = 10  # notifications-utils LETTER_MAX_PAGE_COUNT
POINTS_PER_MM = 72 / 25.4
A4_MM = (210.0, 297.0)
TOLERANCE_MM = 2.0


def _portrait_a4(page):
    width = float(page.mediabox.width) / POINTS_PER_MM
    height = float(page.mediabox.height) / POINTS_PER_MM
    if (page.get("/Rotate") or 0) % 180 == 90:
        width, height = height, width
    return abs(width - A4_MM[0]) <= TOLERANCE_MM and abs(height - A4_MM[1]) <= TOLERANCE_MM


def check(pdf):
    """(status, reason): where the virus scan and the letter checks leave a precompiled letter."""
    if EICAR in pdf:
        return "virus-scan-failed", "virus-found"
    try:
        pages = PdfReader(io.BytesIO(pdf), strict=False).pages
        count = len(pages)
        if count == 0:
            return "validation-failed", "unable-to-read-the-file"
        if count > LETTER_MAX_PAGES:
            return "validation-failed", "letter-too-long"
        if not all(_portrait_a4(page) for page in pages):
            return "validation-failed", "letter-not-a4-portrait-oriented"
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return "validation-failed", "unable-to-read-the-file"
    return "received", ""


def render(lines):
    """A one-page A4 PDF with the letter's text, standing in for the PDF Notify makes of a templated letter."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=A4_MM[0] * POINTS_PER_MM, height=A4_MM[1] * POINTS_PER_MM)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Courier")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    text = [b"BT /F1 10 Tf 12 TL 70 770 Td"]
    for line in lines[:60]:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text.append(b"(" + safe.encode("latin-1", "replace") + b") Tj T*")
    text.append(b"ET")
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(text))
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
