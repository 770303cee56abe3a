"""Writing a simple PDF of text pages (pypdf, Helvetica): the demo's decision notices, and letters in tests and
benchmarks. Lines are placed from the top left; an address given first lands in Notify's address block."""

import io

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from .pdfs import A4_HEIGHT, A4_WIDTH

MM = 72 / 25.4


def _escaped(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252", "replace")


def _content(lines, height, address):
    parts = [b"BT /F1 11 Tf 14 TL"]
    top = 0
    if address:  # Notify's address block: 24.6 mm from the left, from 39.5 mm down the page
        parts.append(f"{24.6 * MM:.2f} {height - 44 * MM:.2f} Td".encode())
        for line in address:
            parts.append(b"(" + _escaped(line) + b") Tj T*")
        parts.append(b"ET BT /F1 11 Tf 14 TL")
        top = 100 * MM
    parts.append(f"{20 * MM:.2f} {height - max(top, 30 * MM):.2f} Td".encode())
    for line in lines:
        parts.append(b"(" + _escaped(line) + b") Tj T*")
    parts.append(b"ET")
    return b"\n".join(parts)


def text_pdf(pages, *, width=A4_WIDTH, height=A4_HEIGHT, address=(), javascript=None):
    """A PDF with a page for each list of lines in `pages`; `address` lines on the first page's address block;
    `javascript`, if given, runs when it opens (for tests of what is refused)."""
    writer = PdfWriter()
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica"),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})
    font_ref = writer._add_object(font)
    for number, lines in enumerate(pages):
        page = writer.add_blank_page(width=width, height=height)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/F1"): font_ref})})
        stream = DecodedStreamObject()
        stream.set_data(_content(lines, height, address if number == 0 else ()))
        page[NameObject("/Contents")] = writer._add_object(stream)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
