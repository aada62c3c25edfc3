"""Reading grades against published Flesch-Kincaid figures, with CMU dictionary syllables."""

import pytest

from pages.readability import count_syllables, grade_markdown, split_sentences

# Wikipedia, "Flesch–Kincaid readability tests" (section "Flesch–Kincaid grade level"): this
# sentence "is an 11.3 as it has 24 syllables and 13 words".
PLATYPUS = "The Australian platypus is seemingly a hybrid of a mammal and reptilian creature."
# The same article (section "Flesch reading ease"): "The cat sat on the mat." scores 116, the
# ease of one sentence of six one-syllable words: 206.835 - 1.015 * 6 - 84.6 * 1 = 116.1.
CAT = "The cat sat on the mat."
# Written for this test at graduate level: long words about cartilage repair in one sentence.
CARTILAGE = (
    "Autologous chondrocyte implantation and mesenchymal stromal cell augmentation may "
    "facilitate hyaline-like cartilage regeneration through paracrine immunomodulation of the "
    "osteochondral microenvironment, although longitudinal randomized evidence remains "
    "heterogeneous."
)


def test_the_platypus_sentence_has_its_published_counts_and_grade():
    result = grade_markdown(PLATYPUS)
    assert (result.words, result.syllables, result.sentences) == (13, 24, 1)
    assert result.grade == 11.3


def test_the_cat_sentence_has_the_counts_behind_its_published_reading_ease():
    result = grade_markdown(CAT)
    assert (result.words, result.syllables) == (6, 6)
    reading_ease = 206.835 - 1.015 * result.words / result.sentences - 84.6
    assert round(reading_ease) == 116


def test_a_graduate_level_sentence_about_cartilage_regeneration_grades_above_12():
    assert grade_markdown(CARTILAGE).grade > 12


@pytest.mark.parametrize(
    "word, syllables",
    [
        ("regeneration", 5),
        ("cartilage", 3),
        ("osteoarthritis", 6),
        ("mesenchymal", 4),
        ("immunomodulation", 7),  # not in the dictionary: counted from its hyphenation
        ("don't", 1),
    ],
)
def test_syllables_come_from_the_cmu_dictionary_or_hyphenation(word, syllables):
    assert count_syllables(word) == syllables


def test_sentences_do_not_end_at_dr_or_eg_but_do_at_a_citation_after_the_stop():
    text = "Dr. Amari sees you first. She may use e.g. an ultrasound scan. It helps.[1] Rest."
    assert split_sentences(text) == [
        "Dr. Amari sees you first.",
        "She may use e.g. an ultrasound scan.",
        "It helps.[1]",
        "Rest.",
    ]


def test_citation_markers_are_not_counted_as_words():
    assert grade_markdown("Rest helps [1].").words == 2
