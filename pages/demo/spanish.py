"""Spanish demo content: every page, condition, office and the physician, for Spanish-speaking
patients in Los Angeles. Written plainly, with usted, not word for word from the English.

Each English text in content.py and offices.py has its Spanish twin here, in the same order;
tests/test_spanish_content.py checks that no translatable field is left empty.
"""

from textwrap import dedent


def md(text: str) -> str:
    return dedent(text).strip()


DEFAULT_REGULATORY_NOTICE = (
    "La FDA no ha aprobado algunos de los tratamientos de este sitio para los usos que "
    "describimos. Los resultados varían de una persona a otra. Pregunte a su médico qué "
    "evidencia hay de que funcionen, qué riesgos tienen y qué otras opciones existen."
)

# slug: (name, description)
CONDITIONS = {
    "knee-osteoarthritis": (
        "Osteoartritis de rodilla (leve a moderada)",
        "Desgaste del tejido liso que cubre la articulación de la rodilla. Puede causar "
        "rigidez, hinchazón y dolor, sobre todo después de moverse mucho.",
    ),
    "hip-osteoarthritis": (
        "Osteoartritis de cadera (leve a moderada)",
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
        "Desgaste del tendón de la parte de atrás del muslo, donde se une al hueso sobre el "
        "que se sienta. Puede doler al sentarse, correr o agacharse.",
    ),
    "cartilage-damage": (
        "Daño del cartílago",
        "Daño al tejido liso y firme que cubre las puntas de los huesos dentro de una "
        "articulación.",
    ),
}

# slug: {field: Spanish text}
OFFICES = {
    "los-angeles": {
        "name": "Los Ángeles",
        "directions": (
            "Hay estacionamiento de pago en el garaje del edificio, del lado oeste. Traiga su "
            "boleto y se lo validamos.\n\nLa estación 7th St/Metro Center queda a pocos pasos. "
            "Suba en el elevador al cuarto piso; la Suite 410 está a la izquierda."
        ),
    },
    "encino": {
        "name": "Encino",
        "directions": (
            "Hay estacionamiento gratis detrás del edificio; la entrada está de ese lado.\n\n"
            "Los autobuses de Metro que pasan por Ventura Boulevard paran enfrente. La Suite "
            "220 está en el segundo piso y hay elevador."
        ),
    },
}

PHYSICIAN = {
    "honorific": "Dra.",
    "credentials": "MD, medicina física y rehabilitación",
    "bio": md(
        """
        La Dra. Amari trata el dolor de articulaciones, tendones y espalda. Cuando tiene
        sentido, primero prueba tratamientos sin cirugía. En muchas de sus inyecciones usa un
        ultrasonido para guiar la aguja.

        Atiende en nuestros consultorios de Los Ángeles y Encino. Si es poco probable que un
        tratamiento le ayude, se lo dirá con claridad y le contará qué más podría probar.

        *Este es un perfil de muestra para el sitio de demostración.*
        """
    ),
    "photo_alt": "Dibujo de muestra de una persona, en lugar de una foto de la Dra. Amari.",
}

# The heading of the section on how soon patients may feel better (content.TIME_TO_RELIEF).
TIME_TO_RELIEF = "Cuándo podría sentirse mejor"

STEM_CELLS = {
    "title": "Terapia con células madre",
    "summary": (
        "La terapia con células madre usa células de su propia médula ósea para intentar "
        "ayudar a sanar una articulación, un tendón o un ligamento lastimado. Se hace en una "
        "sola cita, sin cirugía."
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
                guarda una pequeña reserva de ellas, sobre todo en la médula de los huesos [3].
                Cuando un tejido se lastima, estas células podrían ayudar a repararlo.

                En esta terapia sacamos un poco de su propia médula ósea. Concentramos las
                células madre y las ponemos donde le duele. La meta es calmar el dolor y
                ayudarle a moverse mejor sin cirugía.

                Es un tratamiento todavía nuevo [2]. No funciona en todos los casos, y nadie le
                puede prometer un resultado.
                """
            ),
        ),
        (
            "",
            "Podemos sugerir esta terapia para algunos problemas de articulaciones, tendones y "
            "ligamentos. Suele ser más adecuada cuando el daño es leve o moderado, no grave. "
            "Estos son los problemas que vemos más:",
        ),
        (
            "",
            md(
                """
                Esta terapia podría ser una opción para usted si:

                - una articulación, un tendón o un ligamento tiene daño leve o moderado
                - el descanso, el ejercicio o los medicamentos no le han ayudado lo suficiente
                - quiere evitar una cirugía o dejarla para más adelante

                Quizás no sea para usted si la articulación está muy desgastada. En ese caso
                otro tratamiento, como una cirugía, podría ayudarle más. Cada cuerpo sana a su
                manera, así que su médico revisará su caso antes de que usted decida.
                """
            ),
        ),
        (
            "",
            md(
                """
                Todo se hace en una sola cita en nuestro consultorio.

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

                La mayoría de los efectos secundarios son leves y se quitan en pocos días.
                Llámenos de inmediato si tiene fiebre, enrojecimiento que se extienda o un
                dolor que empeore. Su médico le explicará todos los riesgos antes.
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
                - Muchas personas vuelven al trabajo al día siguiente. Otras prefieren
                  descansar unos días.
                """
            ),
        ),
        (
            TIME_TO_RELIEF,
            md(
                """
                Sanar toma tiempo, y es distinto para cada persona. Algunas personas se sienten
                mejor en unas semanas. Para otras toma unos meses. Los resultados varían, y
                algunas personas no mejoran.
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
            "hueso. Es posible que le duela la zona unos días después.",
        ),
        (
            "¿Las células son de otra persona?",
            "No. Solo usamos células de su propia médula ósea. Las sacamos y se las "
            "devolvemos en la misma cita.",
        ),
        (
            "¿Cuándo me voy a sentir mejor?",
            "No es igual para todas las personas. Muchas notan un cambio después de unas "
            "semanas, y otras después de unos meses. Algunas no mejoran.",
        ),
        (
            "¿Puede reemplazar una cirugía?",
            "A veces. Podría ayudar cuando el daño es leve o moderado. Si el daño es grave, "
            "una cirugía podría ayudarle más. Su médico le dirá con honestidad.",
        ),
        (
            "¿Mi seguro lo paga?",
            "La mayoría de los seguros todavía no pagan la terapia con células madre. "
            "Pregúntenos el costo antes de decidir.",
        ),
    ],
}

PRP = {
    "title": "Plasma rico en plaquetas (PRP)",
    "summary": (
        "El plasma rico en plaquetas (PRP) se prepara con una pequeña muestra de su propia "
        "sangre. Lo inyectamos en un tendón, un ligamento o una articulación que le duele, para "
        "intentar ayudar a que sane."
    ),
    "regulatory_notice": (
        "La FDA ha autorizado los aparatos que preparan el PRP, pero no ha aprobado las "
        "inyecciones de PRP como tratamiento para problemas de articulaciones, tendones o "
        "ligamentos. Los estudios han dado resultados mixtos. Los resultados varían de una "
        "persona a otra, y la mayoría de los seguros médicos no lo pagan."
    ),
    "hero_image_alt": "Imagen de muestra: círculos rosa claro sobre un fondo rojo oscuro.",
    "sections": [
        (
            "",
            md(
                """
                Las plaquetas son partes muy pequeñas de la sangre que la ayudan a coagular.
                También llevan proteínas que participan en la curación. El plasma es la parte
                líquida de la sangre. El PRP es plasma con más plaquetas de lo normal [1].

                Para una inyección de PRP, le sacamos sangre del brazo, juntamos las plaquetas
                en un poco de plasma y lo inyectamos donde le duele. La meta es calmar el dolor
                y ayudar a que el tejido sane. No funciona en todos los casos.
                """
            ),
        ),
        (
            "",
            "El PRP se usa más que nada para problemas de tendones y ligamentos, y para un "
            "desgaste leve de una articulación. Podemos sugerirlo para:",
        ),
        (
            "",
            md(
                """
                El PRP podría ser una opción para usted si:

                - una lesión de un tendón o un ligamento tarda en sanar
                - una articulación, como la rodilla, tiene un desgaste leve o moderado
                - el descanso, el ejercicio y los medicamentos no le han ayudado lo suficiente

                Quizás no sea para usted si tiene un problema de la sangre o de sangrado, una
                infección o algunos tipos de cáncer. Dígale a su médico qué medicamentos toma,
                sobre todo si toma alguno para diluir la sangre (anticoagulantes).
                """
            ),
        ),
        (
            "",
            md(
                """
                Una cita de PRP dura más o menos una hora en nuestro consultorio.

                1. Le sacamos un poco de sangre del brazo, como para un análisis de sangre.
                2. Ponemos la sangre en una máquina que gira muy rápido, llamada centrífuga.
                   Así las plaquetas se separan de los glóbulos rojos.
                3. Limpiamos y adormecemos la piel sobre la zona que le duele.
                4. Su médico inyecta el PRP. A veces usa un ultrasonido para guiar la aguja al
                   lugar correcto.

                Algunas personas necesitan más de una inyección, con unas semanas entre una y
                otra. Su médico le dirá qué esperar.
                """
            ),
        ),
        (
            "",
            md(
                """
                El PRP viene de su propia sangre, así que el riesgo de alergia es bajo. Los
                efectos secundarios pueden ser:

                - dolor o rigidez donde entró la aguja, muchas veces por unos días
                - un moretón o hinchazón
                - infección, que es poco común
                - daño a un nervio o a otro tejido, que es poco común

                Llámenos de inmediato si tiene fiebre, enrojecimiento que se extienda o un
                dolor que siga empeorando.
                """
            ),
        ),
        (
            "",
            md(
                """
                Puede irse a casa justo después de la inyección. La zona puede dolerle unos
                días. Es posible que su médico le pida no tomar algunas pastillas para el
                dolor, como el ibuprofeno, por un tiempo, porque podrían hacer más lenta la
                curación.

                - Deje descansar la zona más o menos un día.
                - Vuelva poco a poco a sus actividades de siempre en las semanas siguientes.
                - Siga el plan de ejercicios que le den su médico o su fisioterapeuta.
                """
            ),
        ),
        (
            TIME_TO_RELIEF,
            "La curación es lenta. Muchas personas notan un cambio después de unas semanas. "
            "Los resultados varían, y algunas personas no mejoran.",
        ),
        # The English FAQ section has no text of its own either: it only lists the FAQs.
        ("", ""),
        (
            "En qué se diferencian el PRP y la terapia con células madre",
            md(
                """
                El PRP usa plaquetas de su sangre. La terapia con células madre usa células de
                su médula ósea. El PRP es más sencillo, porque solo hace falta sacar sangre. La
                terapia con células madre toma un poco más de tiempo. A veces se usan los dos
                en la misma cita. Su médico le ayudará a elegir.
                """
            ),
        ),
    ],
    "faqs": [
        (
            "¿Duele la inyección de PRP?",
            "Puede sentir presión y algo de dolor durante la inyección. Primero adormecemos "
            "la piel. Es común que la zona duela unos días.",
        ),
        (
            "¿Cuántas inyecciones voy a necesitar?",
            "Muchas personas reciben una. Otras reciben algunas, con semanas entre una y otra. "
            "Depende del problema y de cómo responda su cuerpo.",
        ),
        (
            "¿Cuándo puedo volver al trabajo?",
            "La mayoría de las personas puede volver a un trabajo de escritorio al día "
            "siguiente. Si su trabajo exige mucho esfuerzo físico, quizás necesite más tiempo. "
            "Pregúntele a su médico.",
        ),
        (
            "¿Mi seguro paga el PRP?",
            "La mayoría de los seguros todavía no pagan el PRP. Pregúntenos el costo antes de "
            "decidir.",
        ),
    ],
}

TREATMENTS = {"stem-cell-therapy": STEM_CELLS, "platelet-rich-plasma": PRP}

# slug: (title, Markdown body)
SITE_PAGES = {
    "privacy": (
        "Aviso de privacidad",
        """
        Solo guardamos lo que necesitamos para responderle.

        ## Qué datos guardamos

        Cuando usted pide una consulta, guardamos su nombre, cómo comunicarnos con usted, el
        consultorio que eligió y su mensaje. Solo los usamos para hablar con usted sobre una
        cita.

        ## Lo que no hacemos

        - No vendemos sus datos.
        - En este sitio no usamos anuncios, rastreadores ni herramientas de otras empresas.
        - En el formulario no le pedimos datos de salud. Se los preguntaremos por teléfono.

        ## Cuánto tiempo los guardamos

        Después de un tiempo fijo, borramos las solicitudes que no terminan en una cita.
        Guardamos los expedientes médicos el tiempo que pide la ley.

        ## Sus opciones

        Puede pedirnos ver, corregir o borrar los datos que tenemos de usted. Llame a
        cualquiera de nuestros consultorios y le ayudaremos.
        """,
    ),
    "medical-disclaimer": (
        "Aviso médico",
        """
        Este sitio da información general sobre problemas de articulaciones, tendones y
        espalda, y sobre cómo los tratamos. No es consejo médico.

        - Leer este sitio no significa que ya sea paciente de nuestra clínica.
        - No lo use para averiguar qué problema tiene, ni para empezar o dejar un
          tratamiento.
        - Los resultados de cualquier tratamiento varían de una persona a otra. Algunas
          personas no mejoran.
        - La FDA no ha aprobado algunos de los tratamientos que describimos, como la terapia
          con células madre y el PRP, para estos usos.

        Hable siempre con un médico que le haya examinado. En una emergencia, llame al 911.
        """,
    ),
    "accessibility": (
        "Declaración de accesibilidad",
        """
        Queremos que todas las personas puedan usar este sitio, también quienes usan un lector
        de pantalla, solo el teclado o el zoom.

        ## Nuestra meta

        Hacemos el sitio para que cumpla las Pautas de Accesibilidad para el Contenido Web
        (WCAG) 2.2, nivel AA. Revisamos cada tipo de página con una herramienta de prueba, y
        también a mano con el teclado.

        ## Lo que funciona

        - Puede llegar a cada enlace y botón con el teclado.
        - Cada imagen tiene un texto que dice lo que muestra.
        - Puede agrandar el texto y seguir leyéndolo todo.
        - El sitio funciona sin JavaScript.

        ## Si algo no le funciona

        Díganoslo, por favor. Llame a cualquiera de nuestros consultorios. Le ayudaremos por
        teléfono y arreglaremos el problema.
        """,
    ),
    "about": (
        "Sobre la clínica",
        """
        Somos una clínica pequeña que trata el dolor de articulaciones, tendones, ligamentos y
        espalda. Tenemos consultorios en Los Ángeles y Encino, California.

        Nos dedicamos a tratamientos que no necesitan cirugía, como la terapia con células
        madre y el plasma rico en plaquetas (PRP). No son para todas las personas. En su
        primera cita, un médico le examinará y hablará con usted de todas sus opciones,
        también de las que nosotros no ofrecemos.

        Le diremos con claridad lo que creemos que un tratamiento puede hacer y lo que no. Los
        resultados varían de una persona a otra.
        """,
    ),
}
