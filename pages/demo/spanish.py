"""Spanish demo content: the Stem Cell Therapy page, the conditions it lists, the offices and
the site-wide notice. Written plainly for Spanish-speaking patients, not word for word.

PRP is left in English on purpose: its Spanish page shows the English text with a note,
which is what patients see for any page an editor has not translated yet.
"""

from textwrap import dedent

from pages.models import TreatmentSection

Kind = TreatmentSection.Kind


def md(text: str) -> str:
    return dedent(text).strip()


DEFAULT_REGULATORY_NOTICE = (
    "La FDA no ha aprobado algunos de los tratamientos de este sitio para los usos que "
    "describimos. Los resultados varían de una persona a otra. Pregunte a su médico qué "
    "pruebas hay, qué riesgos tiene y qué otras opciones existen."
)

# slug: (name, description)
CONDITIONS = {
    "knee-osteoarthritis": (
        "Artrosis de rodilla (leve a moderada)",
        "Desgaste del tejido liso que cubre la articulación de la rodilla. Puede causar "
        "rigidez, hinchazón y dolor, sobre todo después de moverse mucho.",
    ),
    "hip-osteoarthritis": (
        "Artrosis de cadera (leve a moderada)",
        "Desgaste del tejido liso que cubre la articulación de la cadera. Puede doler en la "
        "ingle, el muslo o la nalga, y la cadera se siente rígida.",
    ),
    "knee-ligament-injuries": (
        "Esguinces y desgarros de ligamentos de la rodilla (LCM, LCA, LCP, LCL)",
        "Un estiramiento o desgarro en una de las cuatro bandas fuertes que mantienen firme "
        "la rodilla. La rodilla puede sentirse débil o fallar.",
    ),
    "patellar-tendonitis": (
        "Tendinitis rotuliana",
        "Dolor en el tendón que está justo debajo de la rótula. Suele venir de correr o "
        "saltar mucho.",
    ),
    "knee-pain": (
        "Dolor de rodilla",
        "Dolor de rodilla que no se quita, por desgaste, una lesión antigua o uso excesivo.",
    ),
    "partial-rotator-cuff-tears": (
        "Desgarros parciales del manguito rotador",
        "Un desgarro en parte de uno de los tendones que sostienen el hombro. Puede doler "
        "al levantar el brazo.",
    ),
    "back-pain-disc-facet": (
        "Dolor de espalda por desgaste de discos o articulaciones facetarias",
        "Dolor por desgaste de los cojines blandos entre los huesos de la columna, o de las "
        "pequeñas articulaciones que unen esos huesos.",
    ),
    "hand-pain": (
        "Dolor de mano",
        "Dolor en la mano, la muñeca o los dedos por desgaste de una articulación o un "
        "problema de tendón.",
    ),
    "foot-pain": (
        "Dolor de pie",
        "Dolor en el pie, el talón o el tobillo por un tendón, un ligamento o desgaste.",
    ),
    "tendon-injuries": (
        "Lesiones de tendones",
        "Distensiones, desgarros pequeños o desgaste de los cordones fuertes que unen el "
        "músculo al hueso.",
    ),
    "hamstring-tendinopathy": (
        "Tendinopatía de los isquiotibiales",
        "Desgaste del tendón de la parte de atrás del muslo, donde se une al hueso en el que "
        "uno se sienta. Puede doler al sentarse, correr o agacharse.",
    ),
    "cartilage-damage": (
        "Daño del cartílago",
        "Daño al tejido liso y firme que cubre las puntas de los huesos dentro de una "
        "articulación.",
    ),
}

OFFICE_DIRECTIONS = {
    "los-angeles": (
        "Hay estacionamiento de pago en el garaje del edificio, del lado oeste. Traiga su "
        "boleto y se lo validamos.\n\nLa estación 7th St/Metro Center queda a pocos pasos. "
        "Suba en el elevador al cuarto piso; la Suite 410 está a la izquierda."
    ),
    "encino": (
        "Hay estacionamiento gratis detrás del edificio; la entrada está de ese lado.\n\n"
        "Los autobuses de Metro que pasan por Ventura Boulevard paran enfrente. La Suite 220 "
        "está en el segundo piso y hay elevador."
    ),
}

STEM_CELLS = {
    "title": "Terapia con células madre",
    "summary": (
        "La terapia con células madre usa células de su propia médula ósea para intentar "
        "ayudar a sanar una articulación, un tendón o un ligamento lastimado. Se hace en una "
        "sola visita, sin cirugía."
    ),
    "regulatory_notice": (
        "La FDA no ha aprobado la terapia con células madre como tratamiento para problemas de "
        "articulaciones, tendones, ligamentos o espalda. Todavía se está investigando. Los "
        "resultados varían de una persona a otra, y es posible que no le ayude."
    ),
    "hero_image_alt": "Imagen de muestra: círculos azul claro sobre un fondo azul.",
    # In the same order as the English sections: (heading or "", Markdown body).
    "sections": [
        (
            "",
            md(
                """
                Las células madre son células que todavía no tienen una tarea fija. El cuerpo
                guarda una pequeña reserva de ellas, sobre todo en la médula de los huesos.
                Cuando un tejido se lastima, estas células pueden ayudar a repararlo.

                En esta terapia sacamos un poco de su propia médula ósea. Concentramos las
                células madre y las ponemos donde le duele. La meta es calmar el dolor y
                ayudarle a moverse mejor sin cirugía.

                Es un tratamiento todavía nuevo. No funciona para todos, y nadie le puede
                prometer un resultado.
                """
            ),
        ),
        (
            "",
            "Podemos sugerir esta terapia para algunos problemas de articulaciones, tendones y "
            "ligamentos. Suele ir mejor cuando el daño es leve o moderado, no grave. Estos son "
            "los problemas que vemos más:",
        ),
        (
            "",
            md(
                """
                Puede ser buen candidato si:

                - una articulación, un tendón o un ligamento tiene daño leve o moderado
                - el descanso, el ejercicio o las medicinas no le han ayudado lo suficiente
                - quiere evitar una cirugía o dejarla para más adelante

                Quizás no sea para usted si la articulación está muy desgastada. En ese caso
                otro tratamiento, como una cirugía, puede ayudarle más. Cada cuerpo sana a su
                manera, así que su médico revisará su caso antes de que usted decida.
                """
            ),
        ),
        (
            "",
            md(
                """
                Todo se hace en una sola visita a nuestra oficina.

                1. **Anestesia local.** Usted se acuesta boca abajo. Limpiamos la piel sobre la
                   parte de atrás del hueso de la cadera y adormecemos la zona.
                2. **Sacar las células.** Con una aguja delgada, su médico saca un poco de
                   médula del hueso de la cadera. A la mayoría le resulta más fácil de lo que
                   esperaba.
                3. **Preparar las células.** Ponemos la muestra en una máquina que gira muy
                   rápido, llamada centrífuga. Así las células madre quedan juntas en poco
                   líquido. También podemos preparar plasma rico en plaquetas (PRP) con la
                   misma muestra.
                4. **Devolver las células.** Su médico inyecta las células en la articulación o
                   el tejido lastimado.

                Desde ese momento, su cuerpo hace el trabajo.
                """
            ),
        ),
        (
            "",
            md(
                """
                Las células vienen de su propio cuerpo, así que el riesgo de alergia es bajo.
                Aun así, todo tratamiento con aguja tiene algunos riesgos:

                - dolor, un moretón o hinchazón donde entró la aguja
                - sangrado
                - infección, que es poco común
                - daño a un nervio, que es muy poco común

                La mayoría de las molestias son leves y se quitan en pocos días. Llámenos de
                inmediato si tiene fiebre, enrojecimiento que se extiende o un dolor que
                empeora. Su médico le explicará todos los riesgos antes.
                """
            ),
        ),
        (
            "",
            md(
                """
                Al principio lo más común es sentir dolor en la zona. Suele bajar en más o
                menos una semana. Su médico le dirá qué pastillas para el dolor puede tomar.

                - Descanse unos días.
                - No levante cosas pesadas ni haga ejercicio fuerte hasta que su médico le
                  diga.
                - Mucha gente vuelve al trabajo al día siguiente. Otros prefieren descansar
                  unos días.

                Sanar toma tiempo. Algunas personas se sienten mejor a las 3 semanas. Para
                muchas toma de 6 a 8 semanas. Puede seguir mejorando hasta 6 meses. Los
                resultados varían, y algunas personas no mejoran.
                """
            ),
        ),
        ("", "Aquí respondemos las preguntas que nos hacen con más frecuencia."),
        (
            "Preguntas para hacer en su cita",
            md(
                """
                - ¿Cuánto daño hay en mi articulación o tendón?
                - ¿Qué otra cosa podría probar, y cómo se compara?
                - ¿Cuánto cuesta? ¿Mi seguro paga una parte?
                - ¿Qué hago si no me ayuda?
                """
            ),
        ),
    ],
    # In the same order as the English FAQs.
    "faqs": [
        (
            "¿Duele?",
            "La mayoría siente presión y un dolor leve. Primero adormecemos la piel y el "
            "hueso. Puede tener molestias unos días después.",
        ),
        (
            "¿Las células son de otra persona?",
            "No. Solo usamos células de su propia médula ósea. Las sacamos y se las "
            "devolvemos en la misma visita.",
        ),
        (
            "¿Cuándo me voy a sentir mejor?",
            "No es igual para todos. Muchas personas notan un cambio de 6 a 8 semanas "
            "después. Algunas no mejoran.",
        ),
        (
            "¿Puede reemplazar una cirugía?",
            "A veces. Puede ayudar cuando el daño es leve o moderado. Si el daño es grave, "
            "una cirugía puede ayudarle más. Su médico le dirá con honestidad.",
        ),
        (
            "¿Mi seguro lo paga?",
            "La mayoría de los seguros todavía no pagan la terapia con células madre. "
            "Pregúntenos el costo antes de decidir.",
        ),
    ],
}

TREATMENTS = {"stem-cell-therapy": STEM_CELLS}

# Kinds in the order the English demo uses, for a check that the two lists line up.
STEM_CELL_KINDS = [
    Kind.OVERVIEW,
    Kind.CONDITIONS,
    Kind.CANDIDATES,
    Kind.PROCEDURE,
    Kind.RISKS,
    Kind.RECOVERY,
    Kind.FAQ,
    Kind.OTHER,
]
