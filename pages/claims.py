"""Claims, sentence by sentence: every sentence that states a number, a percentage, a duration
or an efficacy or safety word must cite one of the page's references ("[1]").

The check reads English and Spanish, since a translation can claim more than the original.
"""

import re
from dataclasses import dataclass

from .markdown import CITATION_MARKER, cited_numbers, render_markdown
from .readability import html_to_text, split_sentences

_NUMBER = (
    r"(?:\d+(?:[.,]\d+)?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|quince|veinte|treinta|"
    r"cuarenta|cincuenta|sesenta|setenta|ochenta|noventa|cien)"
)
_RANGE = rf"{_NUMBER}(?:\s*(?:-|–|—|to|or|a|o|y)\s*{_NUMBER})?"
_UNIT = (
    r"(?:\s*%|\s*(?:percent|per\s+cent|weeks?|days?|months?|years?|hours?|times|"
    r"(?:out\s+)?of\s+(?:every\s+)?(?:\d+|ten|a\s+hundred)|in\s+(?:\d+|ten)|patients|people|"
    r"por\s*ciento|semanas?|días?|mes(?:es)?|años?|horas?|veces|"
    r"de\s+cada\s+(?:\d+|diez|cien)|pacientes|personas)\b)"
)
NUMERIC_CLAIM = re.compile(rf"\b{_RANGE}{_UNIT}", re.IGNORECASE)

# Words that promise a result or safety. Spanish "seguro" also means insurance ("su seguro",
# "el seguro médico"): only the sense of "safe" counts.
CLAIM_WORDS = re.compile(
    r"\b(?:"
    r"(?:clinically\s+)?prov(?:en|es?|ed)|safe|safely|cur(?:e|es|ed|ing)|success\s+rates?|"
    r"successful(?:ly)?|guarantee[sd]?|no\s+risks?|risk[- ]free|without\s+risks?|"
    r"permanent(?:ly)?|effective(?:ness)?|miracle|"
    r"comprobad[oa]s?|científicamente\s+probad[oa]s?|cura|curan?|curar[áa]?n?|"
    r"tasas?\s+de\s+éxito|exitos[oa]s?|garantizad[oa]s?|garantías?|garantiza(?:mos|n)?|"
    r"sin\s+riesgos?|permanentes?|permanentemente|eficaz|eficaces|eficacia|milagros[oa]s?|"
    r"(?<!\bsu\s)(?<!\bsus\s)(?<!\bmi\s)(?<!\bmis\s)(?<!\btu\s)(?<!\bel\s)(?<!\blos\s)"
    r"(?<!\bdel\s)(?<!\bal\s)(?<!\bun\s)(?<!\bde\s)segur[oa]s?(?!\s+(?:médicos?|de\s+salud))"
    r")\b",
    re.IGNORECASE,
)


def find_numeric_claims(*texts: str) -> list[str]:
    """The numeric claims in the texts, in order, each once."""
    found: dict[str, None] = {}
    for text in texts:
        for match in NUMERIC_CLAIM.finditer(text or ""):
            found.setdefault(" ".join(match.group(0).split()), None)
    return list(found)


def is_claim(sentence: str) -> bool:
    """Whether a sentence states a number, a duration or an efficacy or safety word."""
    text = CITATION_MARKER.sub(" ", sentence)
    return bool(NUMERIC_CLAIM.search(text) or CLAIM_WORDS.search(text))


def normalized(sentence: str) -> str:
    """A sentence as approvals match it: the same words, whatever the spacing."""
    return " ".join(sentence.split())


@dataclass(frozen=True)
class UnsupportedClaim:
    """A sentence that may not be published as it stands, and what is missing."""

    where: str
    language: str
    sentence: str
    problem: str  # one of PROBLEMS

    PROBLEMS = {
        "no_citation": "states a number or a promise but cites no reference",
        "unknown_reference": "cites a reference number the page does not list",
        "in_summary": "the summary is shown without references (cards, search results): "
        "move this claim into a section, with its citation",
    }

    @property
    def explanation(self) -> str:
        return self.PROBLEMS[self.problem]

    def __str__(self):
        return f"{self.where} ({self.language}): “{self.sentence}” {self.explanation}"


def text_sentences(markdown_text: str) -> list[str]:
    return split_sentences(html_to_text(render_markdown(markdown_text)))


def unsupported_claims(
    parts: list[tuple[str, str, str]],
    *,
    summary: list[tuple[str, str]] = (),
    reference_count: int,
    approved: frozenset[str] = frozenset(),
) -> list[UnsupportedClaim]:
    """Each sentence of `parts` ((where, language, Markdown)) that may not be published.

    A claim must cite one of the page's references; a marker must name a listed reference;
    `approved` holds sentences a clinical reviewer let through without a citation.
    """
    found = []
    for language, text in summary:
        for sentence in text_sentences(text):
            if is_claim(sentence) and normalized(sentence) not in approved:
                found.append(UnsupportedClaim("Summary", language, sentence, "in_summary"))
    for where, language, text in parts:
        for sentence in text_sentences(text):
            cited = [
                number
                for marker in CITATION_MARKER.finditer(sentence)
                for number in cited_numbers(marker.group(1))
            ]
            if any(not 1 <= number <= reference_count for number in cited):
                found.append(UnsupportedClaim(where, language, sentence, "unknown_reference"))
            elif not cited and is_claim(sentence) and normalized(sentence) not in approved:
                found.append(UnsupportedClaim(where, language, sentence, "no_citation"))
    return found
