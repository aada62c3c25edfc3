"""Find claims with a number in them ("85 percent", "6-8 weeks"), which need a source."""

import re

_NUMBER = (
    r"(?:\d+(?:[.,]\d+)?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred)"
)
_RANGE = rf"{_NUMBER}(?:\s*(?:-|–|—|to|or)\s*{_NUMBER})?"
_UNIT = (
    r"(?:\s*%|\s*(?:percent|per\s+cent|weeks?|days?|months?|years?|hours?|times|"
    r"(?:out\s+)?of\s+(?:every\s+)?(?:\d+|ten|a\s+hundred)|in\s+(?:\d+|ten)|patients|people)\b)"
)
NUMERIC_CLAIM = re.compile(rf"\b{_RANGE}{_UNIT}", re.IGNORECASE)


def find_numeric_claims(*texts: str) -> list[str]:
    """The numeric claims in the texts, in order, each once."""
    found: dict[str, None] = {}
    for text in texts:
        for match in NUMERIC_CLAIM.finditer(text or ""):
            found.setdefault(" ".join(match.group(0).split()), None)
    return list(found)
