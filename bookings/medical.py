"""Gentle detection of medical detail in a message, so the form can warn once before sending."""

import re

DATE_OF_BIRTH = re.compile(
    r"\b(d\.?o\.?b\.?|date of birth|birth ?date|born (on|in))\b"
    # A full date in a year long past reads like a birthday, not a wish for an appointment.
    r"|\b(0?[1-9]|1[0-2])[/.-](0?[1-9]|[12]\d|3[01])[/.-](19\d\d|200\d)\b",
    re.IGNORECASE,
)
INSURANCE_ID = re.compile(
    r"\b(member|subscriber|policy|group|insurance)\s*(id|#|no\.?|number)\b"
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
    r"atorvastatin|lipitor|simvastatin|amlodipine|levothyroxine|synthroid|methotrexate|humira"
    r")\b|\b\d+(\.\d+)?\s?(mg|mcg|ml)\b",
    re.IGNORECASE,
)
SYMPTOM_WORDS = re.compile(
    r"\b(pain|ache|aching|swelling|swollen|stiff|stiffness|numb|numbness|tingling|diagnos\w*|"
    r"mri|x-?ray|ct scan|surgery|surgeries|injection|injections|tear|torn|arthritis|"
    r"inflammation|symptoms?|flare|physical therapy|fracture|sprain|chronic)\b",
    re.IGNORECASE,
)
LONG_HISTORY_CHARACTERS = 400
LONG_HISTORY_SYMPTOM_WORDS = 4


def medical_detail_found(message: str) -> list[str]:
    """What in the message looks like medical detail, in words a patient understands."""
    found = []
    if DATE_OF_BIRTH.search(message):
        found.append("a date of birth")
    if MEDICATIONS.search(message):
        found.append("medication names or doses")
    if INSURANCE_ID.search(message):
        found.append("an insurance member ID")
    if (
        len(message) >= LONG_HISTORY_CHARACTERS
        and len(SYMPTOM_WORDS.findall(message)) >= LONG_HISTORY_SYMPTOM_WORDS
    ):
        found.append("a detailed history of symptoms")
    return found
