"""How Notify counts a text message, so a caseworker sees its length and number of fragments before sending.

Follows notifications-utils (sanitise_text.SanitiseSMS, template.BaseSMSTemplate): characters outside GSM-7 are
downgraded (an accented letter to its base letter, curly quotes and dashes to plain ones) or, when nothing fits,
sent as "?"; only Welsh accented letters that GSM-7 lacks make the whole text UCS-2 (70 characters, or 67 a
fragment). Otherwise 160, or 153 a fragment, with ^{}\\[~]|€ counting twice. Notify refuses more than 918.
"""

import math
import unicodedata
from dataclasses import dataclass

LIMIT = 918
EXTENDED = set("^{}\\[~]|€")
GSM = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
          "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà") | EXTENDED
WELSH = set("àèìòùẁỳÀÈÌÒÙẀỲáéíóúẃýÁÉÍÓÚẂÝäëïöüẅÿÄËÏÖÜẄŸâêîôûŵŷÂÊÎÔÛŴŶ")
WELSH_NOT_GSM = WELSH - GSM
REPLACEMENTS = {"‑": "-", "–": "-", "—": "-", "−": "-", "…": "...", "‘": "'", "’": "'", "“": '"', "”": '"',
                "‚": "'", "„": '"', "\u180e": "", "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "",
                "\ufeff": "", "\u2028": "", "\u2029": "", "\u00a0": " ", "\u202f": " ", "\t": " ", "Ł": "L", "ł": "l"}


def _downgraded(character):
    """What Notify sends for one character, or None when it has nothing to send it as (it sends "?")."""
    if character in GSM or character in WELSH:
        return character
    decomposition = unicodedata.decomposition(character)
    if decomposition and "<" not in decomposition:
        base = chr(int(decomposition.split()[0], 16))
        return base if base in GSM else None
    return REPLACEMENTS.get(character)


@dataclass(frozen=True)
class SmsLength:
    characters: int
    fragments: int
    unicode: bool
    replaced: tuple  # characters Notify will send as "?"

    @property
    def too_long(self):
        return self.characters > LIMIT

    def describe(self):
        words = f"{self.characters} characters, {self.fragments} text message{'s' if self.fragments != 1 else ''}"
        if self.replaced:
            words += f"; Notify will send {' '.join(self.replaced)} as ?"
        return words


def sms_length(text):
    """The text's length and fragments as Notify counts them."""
    sent, replaced = [], []
    for character in str(text):
        downgraded = _downgraded(character)
        if downgraded is None:
            replaced.append(character)
            downgraded = "?"
        sent.append(downgraded)
    content = "".join(sent).strip()
    characters = len(content.encode("utf-16-le")) // 2
    unicode = bool(set(content) & WELSH_NOT_GSM)
    if unicode:
        fragments = 1 if characters <= 70 else math.ceil(characters / 67)
    else:
        counted = characters + sum(content.count(c) for c in EXTENDED)
        fragments = 1 if counted <= 160 else math.ceil(counted / 153)
    return SmsLength(characters, fragments, unicode, tuple(dict.fromkeys(replaced)))
