"""Gentle detection of medical detail in a message, so the form can warn once before sending.

Patterns cover English and Spanish, whichever form the patient used; accents are optional
because many people type Spanish without them.
"""

import re

from django.utils.translation import gettext

DATE_OF_BIRTH = re.compile(
    r"\b(d\.?o\.?b\.?|date of birth|birth ?date|born (on|in))\b"
    r"|\bfecha de nac(imiento|\.)?|\bf\.? ?de ?nac\b"
    # "Nací el 3 de…" is a birthday; "nací en México" is not, "nací en 1961" is.
    r"|\bnac(í|i|id[oa]) (el\b|en (19|20)\d\d)"
    # A full date in a year long past reads like a birthday, not a wish for an appointment.
    r"|\b(0?[1-9]|1[0-2])[/.-](0?[1-9]|[12]\d|3[01])[/.-](19\d\d|200\d)\b"
    r"|\b(0?[1-9]|[12]\d|3[01])[/.-](0?[1-9]|1[0-2])[/.-](19\d\d|200\d)\b",
    re.IGNORECASE,
)
INSURANCE_ID = re.compile(
    r"\b(member|subscriber|policy|group|insurance)\s*(id|#|no\.?|number)\b"
    r"|\b(n[úu]mero|no\.?|id)\s*(de\s+)?(miembro|socio|afiliado|p[óo]liza|grupo|seguro)\b"
    # "póliza" next to a number is an ID; "¿aceptan mi póliza?" alone is not.
    r"|\bp[óo]liza\b[^\d\n]{0,12}\d{4,}"
    r"|\b[A-Z]{2,4}\d{6,12}\b",
    re.IGNORECASE,
)
# Common drugs patients mention for joint pain and everyday conditions, plus dose units.
MEDICATIONS = re.compile(
    r"\b("
    r"ibuprofen|advil|motrin|naproxen|aleve|acetaminophen|tylenol|aspirin|celecoxib|celebrex|"
    r"meloxicam|diclofenac|prednisone|methylprednisolone|cortisone|gabapentin|neurontin|"
    r"pregabalin|lyrica|tramadol|oxycodone|hydrocodone|vicodin|percocet|norco|morphine|"
    r"codeine|cyclobenzaprine|flexeril|duloxetine|cymbalta|warfarin|coumadin|eliquis|"
    r"apixaban|xarelto|rivaroxaban|clopidogrel|plavix|metformin|insulin|lisinopril|"
    r"atorvastatin|lipitor|simvastatin|amlodipine|levothyroxine|synthroid|methotrexate|humira|"
    # Spanish names where they differ from the English ones.
    r"ibuprofeno|naproxeno|acetaminof[ée]n|paracetamol|aspirina|diclofenaco|prednisona|"
    r"metilprednisolona|cortisona|gabapentina|pregabalina|oxicodona|hidrocodona|morfina|"
    r"code[íi]na|ciclobenzaprina|duloxetina|warfarina|apixab[áa]n|rivaroxab[áa]n|metformina|"
    r"insulina|atorvastatina|simvastatina|amlodipino|levotiroxina|metotrexato"
    r")\b|\b\d+([.,]\d+)?\s?(mg|mcg|ml|miligramos)\b",
    re.IGNORECASE,
)
SYMPTOM_WORDS = re.compile(
    r"\b(pain|ache|aching|swelling|swollen|stiff|stiffness|numb|numbness|tingling|diagnos\w*|"
    r"mri|x-?ray|ct scan|surgery|surgeries|injection|injections|tear|torn|arthritis|"
    r"inflammation|symptoms?|flare|physical therapy|fracture|sprain|chronic|"
    r"dolor(es)?|duele(n)?|hinchaz[óo]n|hinchad[oa]s?|rigidez|entumecimiento|entumid[oa]|"
    r"adormecid[oa]|hormigueo|diagn[óo]stic\w*|resonancia|radiograf[íi]as?|rayos x|"
    r"tomograf[íi]a|cirug[íi]as?|operaci[óo]n|inyecci[óo]n|inyecciones|desgarr\w*|artrosis|"
    r"inflamaci[óo]n|s[íi]ntomas?|fisioterapia|terapia f[íi]sica|fractura|esguince|"
    r"cr[óo]nic[oa]"
    r")\b",
    re.IGNORECASE,
)
LONG_HISTORY_CHARACTERS = 400
LONG_HISTORY_SYMPTOM_WORDS = 4


def medical_detail_found(message: str) -> list[str]:
    """What in the message looks like medical detail, in words a patient understands."""
    found = []
    if DATE_OF_BIRTH.search(message):
        found.append(gettext("a date of birth"))
    if MEDICATIONS.search(message):
        found.append(gettext("medication names or doses"))
    if INSURANCE_ID.search(message):
        found.append(gettext("an insurance member ID"))
    if (
        len(message) >= LONG_HISTORY_CHARACTERS
        and len(SYMPTOM_WORDS.findall(message)) >= LONG_HISTORY_SYMPTOM_WORDS
    ):
        found.append(gettext("a detailed history of symptoms"))
    return found
