"""Reading a PDF with pypdf: that it opens, its pages and their sizes, and whether it carries active content.

A PDF with JavaScript, or an action that launches a program or opens a file, is refused rather than stored:
caseworkers and citizens open these documents, and Notify's letter checks refuse such files anyway. A PDF that is
password-protected is refused too: nobody could read or print it.
"""

from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# A4 portrait in PDF points (1/72 inch), and how far a page may be from it and still count: Notify's letter check
# allows 2 mm either way (notifications-template-preview app/precompiled.py).
A4_WIDTH, A4_HEIGHT, A4_TOLERANCE = 595.28, 841.89, 2 * 72 / 25.4
# Notify prints at most this many pages in one letter (notifications-utils LETTER_MAX_PAGE_COUNT).
LETTER_MAX_PAGES = 10
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/RichMediaExecute"}
ACTIVE_KEYS = {"/JS", "/JavaScript", "/XFA"}
MAX_OBJECTS = 200_000


class PdfProblem(ValueError):
    """Why a file is not a PDF that can be kept or sent, in words."""


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    sizes: tuple  # (width, height) in points, per page, as it is shown (its rotation applied)

    def letter_problems(self):
        """What stops Notify printing this PDF as a letter: page count and page size."""
        problems = []
        if self.pages > LETTER_MAX_PAGES:
            problems.append(f"The letter has {self.pages} pages: Notify prints at most {LETTER_MAX_PAGES}")
        odd = [n for n, size in enumerate(self.sizes, start=1) if not is_a4(*size)]
        if odd:
            listed = ", ".join(str(n) for n in odd[:5]) + ("…" if len(odd) > 5 else "")
            problems.append(f"Every page of a letter must be A4 portrait (210 × 297 mm); page"
                            f"{'s' if len(odd) > 1 else ''} {listed} {'are' if len(odd) > 1 else 'is'} not")
        return problems


def is_a4(width, height):
    """A4 portrait, as Notify prints letters (a landscape page is refused, as Notify refuses it)."""
    return abs(abs(width) - A4_WIDTH) <= A4_TOLERANCE and abs(abs(height) - A4_HEIGHT) <= A4_TOLERANCE


def _shown_size(page):
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    return (height, width) if (page.rotation or 0) % 180 == 90 else (width, height)


def _is_active(value):
    if not isinstance(value, DictionaryObject):
        return False
    if ACTIVE_KEYS & set(value.keys()):
        return True
    action = value.get("/S")
    return isinstance(action, NameObject) and action in ACTIVE_ACTIONS


def _inside(value):
    """A value and every dictionary and array written inside it (not following references: each indirect object is
    walked on its own), so an action nested in /OpenAction, a page's /AA or a link's /A is seen."""
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_OBJECTS:
            raise PdfProblem("The PDF has too many parts to check: save it again as a simpler PDF")
        yield item
        if isinstance(item, DictionaryObject):
            stack.extend(v for v in item.values() if isinstance(v, DictionaryObject | ArrayObject))
        elif isinstance(item, ArrayObject):
            stack.extend(v for v in item if isinstance(v, DictionaryObject | ArrayObject))


def _objects(reader):
    """Every indirect object of the file, once (those in object streams too)."""
    numbers = {(num, gen) for gen, table in reader.xref.items() for num in table}
    numbers |= {(num, 0) for num in getattr(reader, "xref_objStm", {})}
    for count, (num, gen) in enumerate(sorted(numbers)):
        if count >= MAX_OBJECTS:
            raise PdfProblem("The PDF has too many parts to check: save it again as a simpler PDF")
        try:
            yield reader.get_object(IndirectObject(num, gen, reader))
        except (PyPdfError, ValueError, KeyError, TypeError):
            continue


def _has_active_content(reader, raw_head):
    if b"/JavaScript" in raw_head or b"/JS " in raw_head or b"/JS(" in raw_head or b"/JS<" in raw_head:
        return True
    for obj in _objects(reader):
        if any(_is_active(part) for part in _inside(obj)):
            return True
    return any(_is_active(part) for part in _inside(reader.trailer))


def read_pdf(file):
    """A PdfInfo for a binary file object, or PdfProblem saying why it cannot be used."""
    file.seek(0)
    raw = file.read()
    file.seek(0)
    if not raw.lstrip()[:5] == b"%PDF-":
        raise PdfProblem("The file is not a PDF")
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise PdfProblem("The PDF is protected by a password: save it without one and add it again")
        sizes = tuple(_shown_size(page) for page in reader.pages)
        active = _has_active_content(reader, raw)
    except PdfProblem:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise PdfProblem("The PDF could not be read: it is damaged, or not a PDF") from None
    if not sizes:
        raise PdfProblem("The PDF has no pages")
    if active:
        raise PdfProblem("The PDF contains JavaScript or another action that runs when it is opened, which is not "
                         "allowed: save it again without it (for example by printing it to a new PDF)")
    return PdfInfo(pages=len(sizes), sizes=sizes)
