"""Demo treatments, conditions, a physician and site pages, written in plain words.

Facts come from the clinic's reference pages; every sentence is our own. Each text has its
Spanish twin in spanish.py. Loading is idempotent: each run updates the same rows and rebuilds
their sections, FAQs and references.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from textwrap import dedent

from django.db import transaction
from django.utils import timezone

from pages.models import (
    FAQ,
    BodyArea,
    Condition,
    Office,
    Physician,
    Reference,
    SitePage,
    SiteSettings,
    Treatment,
    TreatmentSection,
)

from . import spanish
from .images import ensure_image, hero, portrait

Kind = TreatmentSection.Kind


def md(text: str) -> str:
    return dedent(text).strip()


TRANSLATED_PHYSICIAN_FIELDS = {"honorific", "credentials", "bio", "photo_alt"}


def english_name(field_name: str) -> str:
    """Demo text is English: write it to the English column whatever language is active."""
    return f"{field_name}_en" if field_name in TRANSLATED_PHYSICIAN_FIELDS else field_name


# (slug, name, body area, description)
CONDITIONS = [
    (
        "knee-osteoarthritis",
        "Knee osteoarthritis (mild to moderate)",
        BodyArea.KNEE,
        "Wear of the smooth tissue that lines the knee joint. It can make the knee stiff, "
        "swollen and sore, most of all after you have been active.",
    ),
    (
        "hip-osteoarthritis",
        "Hip osteoarthritis (mild to moderate)",
        BodyArea.HIP,
        "Wear of the smooth tissue that lines the hip joint. It can cause pain in the groin, "
        "thigh or buttock, and make the hip stiff.",
    ),
    (
        "knee-ligament-injuries",
        "Knee ligament sprains and tears (MCL, ACL, PCL, LCL)",
        BodyArea.KNEE,
        "A stretch or tear in one of the four strong bands that hold the knee steady. "
        "The knee may feel weak or give way.",
    ),
    (
        "patellar-tendonitis",
        "Patellar tendonitis",
        BodyArea.KNEE,
        "Pain in the tendon just below the kneecap. It often comes from a lot of running "
        "or jumping.",
    ),
    (
        "knee-pain",
        "Knee pain",
        BodyArea.KNEE,
        "Pain in the knee that does not go away, from wear, an old injury or overuse.",
    ),
    (
        "partial-rotator-cuff-tears",
        "Partial rotator cuff tears",
        BodyArea.SHOULDER,
        "A tear through part of one of the tendons that hold the shoulder in place. "
        "Lifting your arm may hurt.",
    ),
    (
        "back-pain-disc-facet",
        "Back pain from worn discs or facet joints",
        BodyArea.SPINE,
        "Pain from wear of the soft pads between the bones of the spine, or of the small "
        "joints that link those bones.",
    ),
    (
        "hand-pain",
        "Hand pain",
        BodyArea.HAND,
        "Pain in the hand, wrist or fingers from joint wear or a tendon problem.",
    ),
    (
        "foot-pain",
        "Foot pain",
        BodyArea.FOOT,
        "Pain in the foot, heel or ankle from a tendon, a ligament or joint wear.",
    ),
    (
        "tendon-injuries",
        "Tendon injuries",
        BodyArea.OTHER,
        "Strains, small tears or wear of the tough cords that join muscle to bone.",
    ),
    (
        "hamstring-tendinopathy",
        "Hamstring tendinopathy",
        BodyArea.OTHER,
        "Wear of the hamstring tendon where it joins the bone you sit on. It can make "
        "sitting, running and bending hurt.",
    ),
    (
        "cartilage-damage",
        "Cartilage damage",
        BodyArea.OTHER,
        "Damage to the smooth, firm tissue that covers the ends of the bones in a joint.",
    ),
]

PHYSICIAN = {
    "slug": "helen-amari",
    "honorific": "Dr.",
    "name": "Helen Amari",
    "credentials": "MD, physical medicine and rehabilitation",
    "bio": md(
        """
        Dr. Amari treats joint, tendon and back pain. She tries care without surgery first
        when it makes sense. She uses an ultrasound scan to guide many of her shots.

        She sees patients at our Los Angeles and Encino offices. She will tell you plainly
        if a treatment is not likely to help you, and what else you could try.

        *This is a sample profile for the demo site.*
        """
    ),
    "photo_alt": "Placeholder drawing of a person, in place of a photo of Dr. Amari.",
}

# Where the demo physician sees patients (office slugs from offices.py).
PHYSICIAN_OFFICES = ["los-angeles", "encino"]

DEFAULT_REGULATORY_NOTICE = (
    "Some treatments on this site are not approved by the FDA for the uses we describe. "
    "Results vary from person to person. Please ask your physician about the proof, the "
    "risks and your other choices."
)


# How soon patients may feel better: its own section, so it has a heading and a contents entry.
TIME_TO_RELIEF = "When you may feel better"


@dataclass
class DemoTreatment:
    slug: str
    title: str
    summary: str
    regulatory_notice: str
    colors: tuple
    image_alt: str
    conditions: list[str]
    sections: list[tuple[str, str, str]]  # (kind, heading or "", Markdown body)
    faqs: list[tuple[str, str]] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)


STEM_CELLS = DemoTreatment(
    slug="stem-cell-therapy",
    title="Stem Cell Therapy",
    summary=(
        "Stem cell therapy uses cells from your own bone marrow to try to help a hurt joint, "
        "tendon or ligament heal. It is done in one office visit, without surgery."
    ),
    regulatory_notice=(
        "The FDA has not approved stem cell therapy as a treatment for joint, tendon, ligament "
        "or back problems. Research on it is still going on. Results vary from person to "
        "person, and it may not help you."
    ),
    colors=((11, 79, 108), (238, 246, 249), (255, 255, 255)),
    image_alt="Placeholder picture: soft blue circles on a blue background.",
    conditions=[slug for slug, *_ in CONDITIONS],
    sections=[
        (
            Kind.OVERVIEW,
            "",
            md(
                """
                Stem cells are cells that do not yet have a set job. Your body keeps a small
                store of them, most of all in your bone marrow [3]. When a tissue is hurt, these
                cells may help with repair.

                In stem cell therapy, we take a little of your own bone marrow. We make the
                stem cells in it more dense and put them back where you hurt. The aim is to
                ease pain and help you move better without surgery.

                This is still a new kind of care [2]. It does not work for everyone, and no one
                can promise you a result.
                """
            ),
        ),
        (
            Kind.CONDITIONS,
            "",
            md(
                """
                We may suggest stem cell therapy for some joint, tendon and ligament problems.
                It tends to suit damage that is mild or moderate, not severe. These are the
                problems we see most:
                """
            ),
        ),
        (
            Kind.CANDIDATES,
            "",
            md(
                """
                You may be a good fit if:

                - a joint, tendon or ligament has mild or moderate damage
                - rest, exercise or medicine has not helped enough
                - you hope to avoid surgery, or put it off

                It may not be right for you if a joint is badly worn. Then other care, such as
                joint surgery, may help you more. Each body heals in its own way, so your
                physician will look at your case before you decide.
                """
            ),
        ),
        (
            Kind.PROCEDURE,
            "",
            md(
                """
                It all takes place in one visit to our office.

                1. **Numbing.** You lie face down. We clean the skin over the back of your hip
                   bone and numb the area.
                2. **Taking the cells.** Your physician uses a thin needle to draw a small
                   amount of marrow from the hip bone. Most people find this easier than they
                   feared.
                3. **Getting the cells ready.** We spin the sample in a machine called a
                   centrifuge. This packs the stem cells into a small amount of fluid. We may
                   also make platelet-rich plasma (PRP) from the sample to use at the same time.
                4. **Putting the cells back.** Your physician injects the cells into the hurt
                   joint or tissue.

                From then on, your body does the work.
                """
            ),
        ),
        (
            Kind.RISKS,
            "",
            md(
                """
                The cells come from your own body, so the risk of an allergic reaction is low.
                Still, any care that uses a needle has some risks. They include:

                - soreness, a bruise or swelling where the needle went in
                - bleeding
                - infection, which is rare
                - harm to a nerve, which is very rare

                Most side effects are mild and pass in a few days. Call us right away if you
                get a fever, redness that spreads, or pain that gets worse. Your physician will
                go over all the risks with you first.
                """
            ),
        ),
        (
            Kind.RECOVERY,
            "",
            md(
                """
                Soreness is the most common problem at first. It should ease within about a
                week. Your physician will tell you which pain pills you can take.

                - Take it easy for a few days.
                - Do not lift heavy things or do hard exercise until your physician says so.
                - Many people go back to work the next day. Some like to rest a few days first.
                """
            ),
        ),
        (
            Kind.OTHER,
            TIME_TO_RELIEF,
            md(
                """
                Healing takes time, and it is different for each person. Some people feel
                better within a few weeks. For others it takes a few months. Results vary, and
                some people do not get better.
                """
            ),
        ),
        (
            Kind.FAQ,
            "",
            "Here are answers to questions we are often asked.",
        ),
        (
            Kind.OTHER,
            "Questions to ask at your visit",
            md(
                """
                - How much damage is there in my joint or tendon?
                - What else could I try, and how does it compare?
                - What will it cost? Will my insurance help pay?
                - What should I do if it does not help?
                """
            ),
        ),
    ],
    faqs=[
        (
            "Does it hurt?",
            "Most people feel some pressure and mild pain. We numb the skin and the bone "
            "first. You may be sore for a few days after.",
        ),
        (
            "Are the cells from someone else?",
            "No. We only use cells from your own bone marrow. We take them and put them back "
            "in the same visit.",
        ),
        (
            "How soon will I feel better?",
            "It is not the same for everyone. Many people notice a change after a few weeks, "
            "and some after a few months. Some people do not get better.",
        ),
        (
            "Can I have it in place of surgery?",
            "Sometimes. It may help when the damage is mild or moderate. If the damage is "
            "severe, surgery may help you more. Your physician will tell you honestly.",
        ),
        (
            "Will my insurance pay for it?",
            "Most plans do not pay for stem cell therapy yet. Please ask us about the cost "
            "before you decide.",
        ),
    ],
    references=[
        (
            "U.S. Food and Drug Administration. FDA Warns About Stem Cell Therapies. "
            "Consumer update.",
            "https://www.fda.gov/consumers/consumer-updates/fda-warns-about-stem-cell-therapies",
        ),
        (
            "U.S. Food and Drug Administration. Important Patient and Consumer Information "
            "About Regenerative Medicine Therapies.",
            "https://www.fda.gov/vaccines-blood-biologics/consumers-biologics/"
            "important-patient-and-consumer-information-about-regenerative-medicine-therapies",
        ),
        (
            "International Society for Stem Cell Research. A Closer Look at Stem Cells.",
            "https://www.closerlookatstemcells.org/",
        ),
    ],
)

PRP = DemoTreatment(
    slug="platelet-rich-plasma",
    title="Platelet-Rich Plasma (PRP)",
    summary=(
        "Platelet-rich plasma (PRP) is made from a small sample of your own blood. We inject "
        "it into a sore tendon, ligament or joint to try to help it heal."
    ),
    regulatory_notice=(
        "The FDA has cleared the devices that make PRP. It has not approved PRP shots as a "
        "treatment for joint, tendon or ligament problems. Studies show mixed results. Results "
        "vary from person to person, and most insurance plans do not pay for it."
    ),
    colors=((94, 38, 60), (250, 240, 243), (255, 255, 255)),
    image_alt="Placeholder picture: soft pink circles on a deep red background.",
    conditions=[
        "tendon-injuries",
        "partial-rotator-cuff-tears",
        "knee-ligament-injuries",
        "patellar-tendonitis",
        "hamstring-tendinopathy",
        "knee-osteoarthritis",
        "knee-pain",
    ],
    sections=[
        (
            Kind.OVERVIEW,
            "",
            md(
                """
                Platelets are tiny parts of your blood that help it clot. They also carry
                proteins that play a part in healing. Plasma is the liquid part of blood. PRP
                is plasma with more platelets in it than usual [1].

                For a PRP shot, we draw blood from your arm, pack the platelets into a small
                amount of plasma and inject it where it hurts. The aim is to ease pain and help
                the tissue heal. It does not work for everyone.
                """
            ),
        ),
        (
            Kind.CONDITIONS,
            "",
            md(
                """
                PRP is used most for tendon and ligament problems, and for mild wear in a
                joint. We may suggest it for:
                """
            ),
        ),
        (
            Kind.CANDIDATES,
            "",
            md(
                """
                PRP may suit you if:

                - a tendon or ligament injury is slow to heal
                - a joint such as the knee has mild or moderate wear
                - rest, exercise and medicine have not helped enough

                It may not be right for you if you have a blood or bleeding problem, an
                infection, or some kinds of cancer. Tell your physician about all the medicines
                you take, and most of all about blood thinners.
                """
            ),
        ),
        (
            Kind.PROCEDURE,
            "",
            md(
                """
                A PRP visit takes about an hour in our office.

                1. We draw a small amount of blood from your arm, much like a blood test.
                2. We spin the blood in a machine called a centrifuge. This parts the
                   platelets from the red blood cells.
                3. We clean and numb the skin over the sore spot.
                4. Your physician injects the PRP. An ultrasound scan may help guide the needle
                   to the right place.

                Some people need more than one shot, a few weeks apart. Your physician will
                tell you what to expect.
                """
            ),
        ),
        (
            Kind.RISKS,
            "",
            md(
                """
                PRP comes from your own blood, so the risk of an allergic reaction is low.
                Side effects can include:

                - pain or stiffness where the needle went in, often for a few days
                - a bruise or swelling
                - infection, which is rare
                - harm to a nerve or other tissue, which is rare

                Call us right away if you get a fever, redness that spreads, or pain that keeps
                getting worse.
                """
            ),
        ),
        (
            Kind.RECOVERY,
            "",
            md(
                """
                You can go home right after the shot. The area may be sore for a few days. Your
                physician may ask you not to take some pain pills, such as ibuprofen, for a
                while, since they may slow healing.

                - Rest the area for a day or so.
                - Ease back into your usual tasks over the next weeks.
                - Follow any exercise plan your physician or physical therapist gives you.
                """
            ),
        ),
        (
            Kind.OTHER,
            TIME_TO_RELIEF,
            "Healing is slow. Many people notice a change after a few weeks. Results vary, and "
            "some people do not get better.",
        ),
        (Kind.FAQ, "", ""),
        (
            Kind.OTHER,
            "How PRP and stem cell therapy differ",
            md(
                """
                PRP uses platelets from your blood. Stem cell therapy uses cells from your bone
                marrow. PRP is simpler, since it only needs a blood draw. Stem cell therapy
                takes a bit longer. Sometimes both are used in the same visit. Your physician
                will help you choose.
                """
            ),
        ),
    ],
    faqs=[
        (
            "Does a PRP shot hurt?",
            "You may feel pressure and some pain during the shot. We numb the skin first. "
            "The area is often sore for a few days.",
        ),
        (
            "How many shots will I need?",
            "Many people have one. Some have a few, spaced weeks apart. It depends on the "
            "problem and on how you respond.",
        ),
        (
            "When can I go back to work?",
            "Most people can go back to desk work the next day. If your job is hard on your "
            "body, you may need more time. Ask your physician.",
        ),
        (
            "Will my insurance pay for PRP?",
            "Most plans do not pay for PRP yet. Please ask us about the cost before you decide.",
        ),
    ],
    references=[
        (
            "American Academy of Orthopaedic Surgeons. OrthoInfo: Platelet-Rich Plasma (PRP).",
            "https://orthoinfo.aaos.org/en/treatment/platelet-rich-plasma-prp/",
        ),
        (
            "U.S. Food and Drug Administration. Important Patient and Consumer Information "
            "About Regenerative Medicine Therapies.",
            "https://www.fda.gov/vaccines-blood-biologics/consumers-biologics/"
            "important-patient-and-consumer-information-about-regenerative-medicine-therapies",
        ),
    ],
)

TREATMENTS = [STEM_CELLS, PRP]

SITE_PAGES = {
    "privacy": (
        "Privacy notice",
        """
        We collect only what we need to reply to you.

        ## What we collect

        When you ask for a consultation, we keep your name, how to reach you, the office you
        chose and your note. We use it only to contact you about a visit.

        ## What we do not do

        - We do not sell your details.
        - We do not use ads, trackers or tools from other firms on this site.
        - We do not ask for health details on the form. We will ask by phone.

        ## How long we keep it

        We delete requests that do not lead to a visit after a set time. We keep health
        records for as long as the law asks us to.

        ## Your choices

        You can ask to see, fix or delete what we hold about you. Call either office and we
        will help.
        """,
    ),
    "medical-disclaimer": (
        "Medical disclaimer",
        """
        This site gives general facts about joint, tendon and back problems and how we treat
        them. It is not medical advice.

        - Reading this site does not make you our patient.
        - Do not use it to work out what is wrong with you, or to start or stop any care.
        - The results of any treatment vary from person to person. Some people do not get
          better.
        - Some of the treatments we describe, such as stem cell therapy and PRP, are not
          approved by the FDA for these uses.

        Always talk with a physician who has examined you. In an emergency, call 911.
        """,
    ),
    "accessibility": (
        "Accessibility statement",
        """
        We want everyone to be able to use this site. That includes people who use a screen
        reader, a keyboard or zoom.

        ## What we aim for

        We build the site to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at
        level AA. We check each type of page with a test tool, and by hand with a keyboard.

        ## What works

        - You can reach each link and button with a keyboard.
        - Each picture has text that says what it shows.
        - You can make the text larger and still read it all.
        - The site works without JavaScript.

        ## If something does not work for you

        Please tell us. Call either office. We will help you by phone and fix the problem.
        """,
    ),
    "about": (
        "About the practice",
        """
        We are a small practice that treats joint, tendon, ligament and back pain. We have
        offices in Los Angeles and Encino, California.

        We focus on care that does not need surgery, such as stem cell therapy and
        platelet-rich plasma (PRP). These are not right for everyone. At your first visit, a
        physician will examine you and talk about all your choices. That includes care we do
        not offer.

        We will tell you plainly what we think a treatment can and cannot do. Results vary
        from person to person.
        """,
    ),
}

# A fixed date, so loading twice gives the same site.
PUBLISHED_ON = date(2025, 1, 6)


def load_conditions() -> dict[str, Condition]:
    conditions = {}
    for slug, name, body_area, description in CONDITIONS:
        name_es, description_es = spanish.CONDITIONS[slug]
        conditions[slug], _ = Condition.objects.pages().update_or_create(
            slug=slug,
            defaults={
                "name_en": name,
                "description_en": description,
                "name_es": name_es,
                "description_es": description_es,
                "body_area": body_area,
            },
        )
    return conditions


def load_physician() -> Physician:
    fields = {english_name(key): value for key, value in PHYSICIAN.items()}
    fields |= {f"{key}_es": value for key, value in spanish.PHYSICIAN.items()}
    fields["photo"] = ensure_image(
        f"demo/{fields['slug']}.jpg", portrait((200, 220, 230), (11, 79, 108))
    )
    physician, _ = Physician.objects.pages().update_or_create(
        slug=fields.pop("slug"), defaults=fields
    )
    # The bio says she sees patients at both offices; load_offices() runs first.
    physician.offices.set(Office.objects.filter(slug__in=PHYSICIAN_OFFICES))
    return physician


def load_treatment(
    demo: DemoTreatment, conditions: dict[str, Condition], physician: Physician
) -> Treatment:
    last_reviewed = timezone.localdate() - timedelta(days=30)
    es = spanish.TREATMENTS[demo.slug]
    treatment, _ = Treatment.objects.pages().update_or_create(
        slug=demo.slug,
        defaults={
            "title_en": demo.title,
            "summary_en": demo.summary,
            "regulatory_notice_en": demo.regulatory_notice,
            "hero_image_alt_en": demo.image_alt,
            "title_es": es["title"],
            "summary_es": es["summary"],
            "regulatory_notice_es": es["regulatory_notice"],
            "hero_image_alt_es": es["hero_image_alt"],
            "hero_image": ensure_image(f"demo/{demo.slug}.jpg", hero(*demo.colors)),
            "status": Treatment.Status.PUBLISHED,
            "published_on": PUBLISHED_ON,
            "reviewed_by": physician,
            "last_reviewed": last_reviewed,
            "next_review_due": last_reviewed + timedelta(days=365),
        },
    )
    treatment.conditions.set([conditions[slug] for slug in demo.conditions])
    # Rebuilt each time: simpler than matching old rows, and nothing else points at them.
    treatment.sections.all().delete()
    treatment.faqs.all().delete()
    treatment.references.all().delete()
    for order, ((kind, heading, body), (heading_es, body_es)) in enumerate(
        zip(demo.sections, es["sections"], strict=True), start=1
    ):
        TreatmentSection(
            treatment=treatment,
            kind=kind,
            heading_en=heading,
            body_en=body,
            heading_es=heading_es,
            body_es=body_es,
            sort_order=order,
        ).save()
    for order, ((question, answer), (question_es, answer_es)) in enumerate(
        zip(demo.faqs, es["faqs"], strict=True), start=1
    ):
        FAQ(
            treatment=treatment,
            question_en=question,
            answer_en=answer,
            question_es=question_es,
            answer_es=answer_es,
            sort_order=order,
        ).save()
    Reference.objects.bulk_create(
        Reference(treatment=treatment, citation=citation, url=url, sort_order=order)
        for order, (citation, url) in enumerate(demo.references, start=1)
    )
    return treatment


def load_site_pages() -> list[SitePage]:
    pages = []
    for slug, (title, body) in SITE_PAGES.items():
        title_es, body_es = spanish.SITE_PAGES[slug]
        page, _ = SitePage.objects.pages().update_or_create(
            slug=slug,
            defaults={
                "title_en": title,
                "body_en": md(body),
                "title_es": title_es,
                "body_es": md(body_es),
            },
        )
        pages.append(page)
    return pages


@transaction.atomic
def load_content() -> dict[str, int]:
    """Load or refresh all demo content except offices; returns how many of each."""
    settings = SiteSettings.load()
    settings.default_regulatory_notice_en = DEFAULT_REGULATORY_NOTICE
    settings.default_regulatory_notice_es = spanish.DEFAULT_REGULATORY_NOTICE
    settings.save()
    conditions = load_conditions()
    physician = load_physician()
    treatments = [load_treatment(demo, conditions, physician) for demo in TREATMENTS]
    pages = load_site_pages()
    return {
        "treatments": len(treatments),
        "conditions": len(conditions),
        "physicians": 1,
        "site pages": len(pages),
    }
