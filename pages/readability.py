"""Flesch-Kincaid reading grade, with syllables from pyphen's bundled en_US dictionary.

No network and no downloaded corpora: pyphen ships its hyphenation dictionaries in the wheel.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from html import unescape

from .markdown import render_markdown

# Patient material should read at US school grade 8 or below.
TARGET_GRADE = 8.0

BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|td|th|blockquote|pre|dd|dt)>|<br\s*/?>", re.I)
TAG = re.compile(r"<[^>]+>")
# Abbreviations whose full stop does not end a sentence.
ABBREVIATION = re.compile(r"\b(Dr|Mr|Mrs|Ms|St|vs|e\.g|i\.e)\.", re.I)
BREAK = "\u2029"  # paragraph separator: marks the end of a block element
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|" + BREAK)
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
def _dictionary():
    # Imported here: only editors' admin pages grade text, so page workers never load it.
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


@lru_cache(maxsize=4096)
def count_syllables(word: str) -> int:
    """Syllables in one word: pyphen's hyphenation points, then vowel groups within each piece."""
    word = word.lower().replace("’", "").replace("'", "")
    if word.isdigit():
        return min(len(word), 4)  # numbers are short in speech; "85" is not 2 syllables of text
    total = 0
    for part in word.split("-"):
        pieces = [p for p in _dictionary().inserted(part).split("-") if VOWEL_GROUP.search(p)]
        if len(pieces) > 1 and pieces[0] == "y":
            pieces = pieces[1:]  # "y-ou": a leading y before a vowel is a consonant
        total += sum(
            _piece_syllables(piece, index == len(pieces) - 1) for index, piece in enumerate(pieces)
        ) or (1 if part else 0)
    return max(1, total)


def html_to_sentences(html: str) -> list[list[str]]:
    """Words of each sentence; list items, headings and paragraphs end sentences too."""
    text = unescape(TAG.sub(" ", BLOCK_END.sub(BREAK, html or "")))
    text = re.sub(r"[^\S\u2029]+", " ", text)  # a line break inside a paragraph is a space
    text = ABBREVIATION.sub(lambda match: match.group(0)[:-1], text)
    sentences = (WORD.findall(chunk) for chunk in SENTENCE_END.split(text))
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
