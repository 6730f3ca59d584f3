package seed

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"mlp/internal/guides"
	"mlp/models"
)

func init() { Steps = append(Steps, GuideStep) }

// GuideStep publishes DemoGuides, written by the demo EDITOR and published by
// the demo ADMIN (the two-person rule), newest first in list order.
func GuideStep(_ context.Context, tx *gorm.DB, d *Data) error {
	editor, admin := d.Users[models.RoleEditor], d.Users[models.RoleAdmin]
	if editor == nil || admin == nil {
		return fmt.Errorf("seed guides: the demo editor and admin are missing")
	}
	at := time.Now().UTC().Truncate(time.Second)
	for i, in := range DemoGuides {
		if _, err := guides.SeedPublished(tx, in, editor.ID, admin.ID, at.Add(-time.Duration(i)*time.Minute)); err != nil {
			return fmt.Errorf("seed guide %s/%s: %w", in.Slug, in.Locale, err)
		}
	}
	return nil
}

func demoGuide(slug, locale string, cat models.LegalCategory, aud models.GuideAudience, jur []string, title, summary, body string) models.GuideInput {
	return models.GuideInput{Slug: slug, Locale: locale, Title: title, Summary: summary, Body: body,
		Category: cat, Audience: &aud, Jurisdictions: jur}
}

// Audiences and jurisdictions of the demo guides.
var (
	forPatients   = models.AudiencePatients
	forClinicians = models.AudienceClinicians
	inUS          = []string{"US"}
	inCA          = []string{"CA"}
	inOR          = []string{"OR"}
	inMD          = []string{"MD"}
	inCO          = []string{"CO"}
)

// DemoGuides are the demo know-your-rights guides (English and Spanish, for
// California, Oregon, Maryland, Colorado and US-wide law) and care-team
// trainings. They are original, short, written at grade 8 or below, and name
// the statute or agency behind each right. They give a deadline's number
// where the statute fixes it (with the statute); where it depends on the case
// they tell the reader where to find it.
var DemoGuides = []models.GuideInput{
	// ------------------------------------------------------------ housing
	demoGuide("ca-3-day-notice-to-pay-rent", "en", models.CategoryHousing, forPatients, inCA,
		"Got a 3-day notice to pay rent? What it means in California",
		"A 3-day notice is not an eviction. Learn how to count the days, what to do, and where to get free help.",
		`## What the notice is

In California, a landlord who says you owe rent must first give you a written **3-day notice to pay rent or quit**. The law is Code of Civil Procedure section 1161.

The notice is **not** an eviction. Only a court can order you to move out.

## How to count the 3 days

- Start counting the day after you get the notice.
- Do not count Saturdays, Sundays, or court holidays.
- The notice must say how much rent you owe, who to pay, and how to pay.

## What to do now

1. Read the notice. Check that the amount is right. It should ask only for rent, not late fees.
2. If you can pay all of it in time, pay. Get a receipt.
3. If you cannot pay, call legal aid today. Ask about help with rent.

## If you get court papers

If your landlord files a case, you will get a **Summons** and a **Complaint** for an "unlawful detainer." You have **10 court days** to file a written answer. Do not count weekends or court holidays. The law is Code of Civil Procedure section 1167, as changed by AB 2347 (in effect since January 1, 2025). The Summons tells you the deadline. If you miss it, you can lose without a hearing.

Your landlord may not change the locks, take your things, or shut off your water or power to make you leave (Civil Code section 789.3).

Free help: your local legal aid office, or the California Courts Self-Help Guide at selfhelp.courts.ca.gov.
`),
	demoGuide("ca-3-day-notice-to-pay-rent", "es", models.CategoryHousing, forPatients, inCA,
		"¿Recibió un aviso de 3 días para pagar la renta? Qué significa en California",
		"Un aviso de 3 días no es un desalojo. Sepa cómo contar los días, qué hacer y dónde pedir ayuda gratis.",
		`## Qué es el aviso

En California, si el dueño dice que usted debe renta, primero le tiene que dar un **aviso de 3 días para pagar la renta o irse**. La ley es el Código de Procedimiento Civil, sección 1161.

Este aviso **no** es un desalojo. Solo un juez puede ordenar que usted se vaya.

## Cómo contar los 3 días

- Empiece a contar el día después de recibir el aviso.
- No cuente sábados, domingos ni días feriados de la corte.
- El aviso debe decir cuánto debe, a quién pagar y cómo pagar.

## Qué hacer ahora

1. Lea el aviso. Vea si la cantidad es correcta. Solo debe pedir la renta, no multas por pagar tarde.
2. Si puede pagar todo a tiempo, pague. Pida un recibo.
3. Si no puede pagar, llame hoy a ayuda legal. Pregunte por ayuda con la renta.

## Si le llegan papeles de la corte

Si el dueño abre un caso de desalojo, usted recibirá una **Citación** (Summons) y una **Demanda** (Complaint). Tiene **10 días de corte** para dar una respuesta por escrito. No cuente sábados, domingos ni días feriados de la corte. La ley es el Código de Procedimiento Civil, sección 1167, con el cambio de la ley AB 2347 (vale desde el 1 de enero de 2025). La Citación dice la fecha límite. Si no responde a tiempo, puede perder sin una audiencia.

El dueño no puede cambiar las llaves, sacar sus cosas ni cortar el agua o la luz para que usted se vaya (Código Civil, sección 789.3).

Ayuda gratis: su oficina local de ayuda legal, o la guía de ayuda de las cortes de California en selfhelp.courts.ca.gov.
`),
	demoGuide("md-failure-to-pay-rent", "en", models.CategoryHousing, forPatients, inMD,
		"Behind on rent in Maryland: the Failure to Pay Rent case",
		"How a rent case works in Maryland District Court, why you should go to court, and how paying can stop an eviction.",
		`## How it starts

In Maryland, a landlord who says you owe rent can file a **Failure to Pay Rent** case in the District Court of Maryland. The law is Real Property Article, section 8-401.

Before filing, the landlord must give you a written notice that they plan to file. The notice must come at least **10 days** before the landlord files the case (section 8-401). Keep this notice.

## Go to your trial

The court will send you a summons with a trial date. **Go to court on that date**, even if you think you owe the rent. If you do not go, the landlord can win without you.

At court you can:

- Show receipts for rent you paid.
- Tell the judge about serious repair problems.
- Ask to talk to a free lawyer.

## Paying can stop the eviction

In many cases you can stop the eviction if you pay all the rent the judge says you owe, plus court costs, before the eviction happens. This is called the **right of redemption**. There are limits on how often you can use it, so ask a lawyer.

## Free help

Maryland's **Access to Counsel in Evictions** program helps many tenants get a free lawyer. Call Maryland Legal Aid or the District Court Self-Help Center.

Your landlord may not lock you out or take your things without going through the court.
`),
	demoGuide("md-failure-to-pay-rent", "es", models.CategoryHousing, forPatients, inMD,
		"Atrasado con la renta en Maryland: el caso por falta de pago",
		"Cómo funciona un caso de renta en la Corte de Distrito de Maryland, por qué debe ir a la corte y cómo pagar puede parar un desalojo.",
		`## Cómo empieza

En Maryland, si el dueño dice que usted debe renta, puede abrir un caso por **Falta de Pago de Renta** (Failure to Pay Rent) en la Corte de Distrito de Maryland. La ley es el Artículo de Bienes Raíces, sección 8-401.

Antes, el dueño le tiene que dar un aviso por escrito. El aviso debe llegar por lo menos **10 días** antes de abrir el caso (sección 8-401). Guarde este aviso.

## Vaya a su juicio

La corte le enviará una citación con la fecha del juicio. **Vaya a la corte ese día**, aunque crea que debe la renta. Si no va, el dueño puede ganar sin usted.

En la corte usted puede:

- Mostrar recibos de la renta que pagó.
- Contarle al juez de problemas serios de reparación.
- Pedir hablar con un abogado gratis.

## Pagar puede parar el desalojo

Muchas veces usted puede parar el desalojo si paga toda la renta que el juez dice que debe, más los costos de la corte, antes del desalojo. Esto se llama **derecho de redención**. Hay límites de cuántas veces lo puede usar. Pregunte a un abogado.

## Ayuda gratis

El programa de Maryland **Acceso a Abogado en Desalojos** (Access to Counsel in Evictions) ayuda a muchos inquilinos a tener un abogado gratis. Llame a Maryland Legal Aid o al Centro de Autoayuda de la Corte de Distrito.

El dueño no puede cambiar las llaves ni sacar sus cosas sin pasar por la corte.
`),
	demoGuide("or-eviction-first-appearance", "en", models.CategoryHousing, forPatients, inOR,
		"Oregon eviction court: why the first appearance matters",
		"If your landlord files an eviction case in Oregon, you must go to the first court date. Here is what to expect.",
		`## Notices come first

In Oregon, a landlord must give you a written notice before filing an eviction case. The rules are in the Oregon Residential Landlord and Tenant Act (ORS chapter 90). Read the notice. Check the dates and the amount.

## The court case

An eviction case in Oregon is called an **FED** case. The court papers list a date for your **first appearance**.

**You must go.** If you miss the first appearance, the landlord can win right away.

At the first appearance you can:

- Tell the judge you do not agree and want a trial.
- Try to reach a deal with the landlord. A mediator may help.
- Ask what papers you must file and by when.

If you sign a deal, read it with care. Ask what happens if you miss a payment.

## Get help fast

- Call Legal Aid Services of Oregon or the Oregon Law Center.
- Call 211 to ask about help with rent.
- Find forms and guides from the Oregon Judicial Department.

Your landlord may not lock you out or shut off your utilities to make you leave.
`),

	demoGuide("or-eviction-first-appearance", "es", models.CategoryHousing, forPatients, inOR,
		"Corte de desalojo en Oregon: por qué importa la primera cita",
		"Si el dueño abre un caso de desalojo en Oregon, usted debe ir a la primera cita en la corte. Esto es lo que pasa.",
		`## Primero llegan los avisos

En Oregon, el dueño le tiene que dar un aviso por escrito antes de abrir un caso de desalojo. Las reglas están en la Ley de Dueños e Inquilinos de Oregon (ORS capítulo 90). Lea el aviso. Revise las fechas y la cantidad.

## El caso en la corte

Un caso de desalojo en Oregon se llama caso **FED**. Los papeles de la corte dan una fecha para su **primera cita** (first appearance).

**Usted debe ir.** Si no va a la primera cita, el dueño puede ganar en ese momento.

En la primera cita usted puede:

- Decirle al juez que no está de acuerdo y que quiere un juicio.
- Tratar de llegar a un acuerdo con el dueño. Un mediador puede ayudar.
- Preguntar qué papeles debe entregar y para cuándo.

Si firma un acuerdo, léalo con cuidado. Pregunte qué pasa si no hace un pago.

## Pida ayuda rápido

- Llame a Legal Aid Services of Oregon o al Oregon Law Center.
- Llame al 211 para pedir ayuda con la renta.
- Busque formas y guías del Departamento Judicial de Oregon.

El dueño no puede cambiar las llaves ni cortar la luz o el agua para que usted se vaya.
`),
	// ------------------------------------------------------------ food and public benefits
	demoGuide("snap-fair-hearing", "en", models.CategoryFood, forPatients, inUS,
		"SNAP cut or denied? You can ask for a fair hearing",
		"Federal rules give you the right to appeal a SNAP decision. Learn the deadline and how to keep your benefits while you wait.",
		`## Your right to a hearing

SNAP (food stamps) is run by your state, under rules from the U.S. Department of Agriculture's Food and Nutrition Service. If the state denies, cuts, or stops your SNAP, you have the right to a **fair hearing**. A hearing officer who did not make the decision will look at your case.

In California, SNAP is called CalFresh.

## Deadlines

- You can ask for a hearing within **90 days** of the action you disagree with (federal rule 7 CFR 273.15).
- If you ask **before the change starts**, you can often keep getting the same benefits until the decision. Your notice gives the date.

## How to ask

1. Read your notice. It says why, and how to appeal.
2. Ask for a hearing by phone, in writing, or in person at your SNAP office. Write down the date and who you talked to.
3. Gather papers: pay stubs, rent receipts, and medical bills if you are 60 or older or have a disability.
4. Ask a legal aid office for help. It is free.

At the hearing you can bring a helper, see your file, and tell your side.
`),
	demoGuide("snap-fair-hearing", "es", models.CategoryFood, forPatients, inUS,
		"¿Le cortaron o negaron SNAP? Puede pedir una audiencia justa",
		"Las reglas federales le dan derecho a apelar una decisión de SNAP. Sepa la fecha límite y cómo seguir recibiendo ayuda mientras espera.",
		`## Su derecho a una audiencia

SNAP (cupones de comida) lo maneja su estado, con reglas del Servicio de Alimentos y Nutrición del Departamento de Agricultura de EE. UU. Si el estado le niega, baja o corta SNAP, usted tiene derecho a una **audiencia justa**. Un oficial que no tomó la decisión revisará su caso.

En California, SNAP se llama CalFresh.

## Fechas límite

- Puede pedir una audiencia dentro de **90 días** de la decisión (regla federal 7 CFR 273.15).
- Si la pide **antes de que empiece el cambio**, muchas veces puede seguir recibiendo la misma ayuda hasta la decisión. Su carta dice la fecha.

## Cómo pedirla

1. Lea su carta. Dice por qué y cómo apelar.
2. Pida la audiencia por teléfono, por escrito o en persona en su oficina de SNAP. Anote la fecha y con quién habló.
3. Junte papeles: talones de pago, recibos de renta y gastos médicos si tiene 60 años o más o una discapacidad.
4. Pida ayuda a una oficina de ayuda legal. Es gratis.

En la audiencia puede llevar a alguien que le ayude, ver su archivo y contar su lado.
`),
	demoGuide("co-medicaid-appeal", "en", models.CategoryPublicBenefits, forPatients, inCO,
		"Health First Colorado denied or ended? How to appeal",
		"If Colorado's Medicaid program says no, you can appeal. Act fast, and you may keep your coverage while you wait.",
		`## Your right to appeal

Health First Colorado is Colorado's Medicaid program. The Colorado Department of Health Care Policy and Financing runs it. If your coverage is denied, cut, or ended, federal law gives you the right to a **fair hearing** (42 CFR part 431).

## Act fast

- Your notice tells you the deadline to appeal. Do not wait.
- If you appeal **before your coverage ends**, you may keep your coverage while you wait. The notice says how.

## How to appeal

1. Read the notice. Find the reason and the date.
2. File your appeal the way the notice says. A judge at Colorado's Office of Administrative Courts hears the case.
3. Keep copies of all you send.
4. Gather proof, like pay stubs or a letter from your doctor.

## Get help

- Call Colorado Legal Services. Help is free if you qualify.
- Ask your county human services office for a copy of your case file.

You can also apply again at any time if your life changes.
`),
	demoGuide("co-medicaid-appeal", "es", models.CategoryPublicBenefits, forPatients, inCO,
		"¿Le negaron o cortaron Health First Colorado? Cómo apelar",
		"Si el programa de Medicaid de Colorado le dice que no, puede apelar. Actúe rápido y tal vez siga con su seguro mientras espera.",
		`## Su derecho a apelar

Health First Colorado es el programa de Medicaid de Colorado. Lo maneja el Departamento de Política y Financiamiento del Cuidado de la Salud de Colorado. Si le niegan, bajan o cortan el seguro, la ley federal le da derecho a una **audiencia justa** (42 CFR parte 431).

## Actúe rápido

- Su carta dice la fecha límite para apelar. No espere.
- Si apela **antes de que termine su seguro**, tal vez lo pueda seguir usando mientras espera. La carta dice cómo.

## Cómo apelar

1. Lea la carta. Busque la razón y la fecha.
2. Mande su apelación como dice la carta. Un juez de la Oficina de Cortes Administrativas de Colorado ve el caso.
3. Guarde copias de todo lo que manda.
4. Junte pruebas, como talones de pago o una carta de su médico.

## Pida ayuda

- Llame a Colorado Legal Services. La ayuda es gratis si califica.
- Pida a la oficina de servicios humanos de su condado una copia de su archivo.

También puede volver a pedir el seguro en cualquier momento si su vida cambia.
`),

	// ------------------------------------------------------------ education
	demoGuide("special-education-rights", "en", models.CategoryEducation, forPatients, inUS,
		"Your child's right to special education (IDEA)",
		"If your child has a disability that affects learning, public schools must test and serve them for free. Here is how to start.",
		`## The law

The **Individuals with Disabilities Education Act (IDEA)** is a federal law. It says public schools must give children with disabilities a **free appropriate public education**. This includes special teaching and services, like speech therapy or counseling, at no cost to you.

Section 504 of the Rehabilitation Act also protects students with disabilities.

## Ask for an evaluation

1. Write a letter to the principal or the special education office. Say: "I am asking for a special education evaluation for my child."
2. Date and sign it. Keep a copy.
3. The school must ask for your written consent before it tests your child.
4. Under federal rules, the tests must be done within **60 days** of your consent, unless your state sets its own timeline.

## The IEP

If your child qualifies, you and the school write an **Individualized Education Program (IEP)**. You are part of the team. You can bring someone with you.

## If you disagree

The school must give you a notice of your rights, called procedural safeguards. You can ask for mediation or a due process hearing. The parent center in your state can help for free.
`),
	demoGuide("special-education-rights", "es", models.CategoryEducation, forPatients, inUS,
		"El derecho de su hijo a la educación especial (IDEA)",
		"Si su hijo tiene una discapacidad que afecta cómo aprende, la escuela pública debe evaluarlo y darle servicios gratis. Así puede empezar.",
		`## La ley

La **Ley de Educación para Personas con Discapacidades (IDEA)** es una ley federal. Dice que las escuelas públicas deben dar a los niños con discapacidades una **educación pública gratis y apropiada**. Esto incluye clases y servicios especiales, como terapia del habla o consejería, sin costo para usted.

La Sección 504 de la Ley de Rehabilitación también protege a los alumnos con discapacidades.

## Pida una evaluación

1. Escriba una carta al director o a la oficina de educación especial. Diga: "Pido una evaluación de educación especial para mi hijo."
2. Póngale fecha y fírmela. Guarde una copia.
3. La escuela debe pedir su permiso por escrito antes de evaluar a su hijo.
4. Según las reglas federales, la evaluación se debe hacer dentro de **60 días** después de su permiso, a menos que su estado tenga su propio plazo.

## El IEP

Si su hijo califica, usted y la escuela hacen un **Programa de Educación Individualizado (IEP)**. Usted es parte del equipo. Puede llevar a alguien con usted.

## Si no está de acuerdo

La escuela le debe dar una carta con sus derechos. Puede pedir una mediación o una audiencia. El centro de padres de su estado le puede ayudar gratis.
`),

	// ------------------------------------------------------------ employment and family leave
	demoGuide("co-unpaid-wages", "en", models.CategoryEmployment, forPatients, inCO,
		"Not paid for your work in Colorado? How to get your wages",
		"Colorado law says you must be paid all the wages you earn. Learn how to ask for them and file a claim.",
		`## Your rights

The **Colorado Wage Act** says your employer must pay all the wages you earn, on time. This includes overtime and your last paycheck. The federal Fair Labor Standards Act also protects minimum wage and overtime.

If you are fired, Colorado law says your final pay is due right away, with few exceptions. If you quit, it is due by the next regular payday.

## Step 1: Keep records

Write down the days and hours you worked. Keep pay stubs, texts, and photos of your schedule.

## Step 2: Ask in writing

Send your employer a written demand for the wages you are owed. Keep a copy and the date you sent it. A written demand can matter for penalties later.

## Step 3: File a claim

You can file a wage claim with the **Colorado Department of Labor and Employment (CDLE), Division of Labor Standards and Statistics**. It is free. You can also contact the U.S. Department of Labor, Wage and Hour Division.

It is against the law for your employer to punish you for asking for your pay.

Free help: Colorado Legal Services or a local workers' rights center.
`),
	demoGuide("co-unpaid-wages", "es", models.CategoryEmployment, forPatients, inCO,
		"¿No le pagaron su trabajo en Colorado? Cómo cobrar su sueldo",
		"La ley de Colorado dice que le deben pagar todo el sueldo que usted gana. Sepa cómo pedirlo y cómo hacer un reclamo.",
		`## Sus derechos

La **Ley de Salarios de Colorado** (Colorado Wage Act) dice que su empleador debe pagarle todo lo que usted gana, a tiempo. Esto incluye las horas extra y su último cheque. La ley federal de Normas Justas de Trabajo también protege el sueldo mínimo y las horas extra.

Si lo despiden, la ley de Colorado dice que le deben pagar su último sueldo de inmediato, con pocas excepciones. Si usted renuncia, se lo deben pagar el siguiente día normal de pago.

## Paso 1: Guarde pruebas

Anote los días y las horas que trabajó. Guarde talones de pago, mensajes y fotos de su horario.

## Paso 2: Pida el pago por escrito

Mande a su empleador una carta que pida el sueldo que le deben. Guarde una copia y la fecha en que la mandó. Esta carta puede contar después para las multas.

## Paso 3: Haga un reclamo

Puede hacer un reclamo de sueldo ante el **Departamento de Trabajo y Empleo de Colorado (CDLE)**, en su División de Normas Laborales. Es gratis. También puede llamar a la División de Salarios y Horas del Departamento de Trabajo de EE. UU.

La ley no deja que su empleador lo castigue por pedir su pago.

Ayuda gratis: Colorado Legal Services o un centro local de derechos de los trabajadores.
`),
	demoGuide("ca-wage-claim", "en", models.CategoryEmployment, forPatients, inCA,
		"Owed wages in California? File a claim with the Labor Commissioner",
		"You can claim unpaid wages in California for free, whatever your immigration status.",
		`## Your rights

In California, your employer must pay you at least the minimum wage for every hour, plus overtime when the law requires it. If you are fired, your final pay is due right away. Late final pay can mean extra pay for you (Labor Code section 203).

These rights protect you **whatever your immigration status** (Labor Code section 1171.5).

## How to file a wage claim

1. Gather what you have: pay stubs, your hours, texts, and the name and address of the business.
2. File a wage claim with the **California Labor Commissioner's Office**. You can file online, by mail, or in person. It is free.
3. Go to the meeting the office sets up. Many claims settle there.

## Do not wait

There are time limits to file. Many wage claims can be filed within a few years, but some limits are shorter. File as soon as you can.

It is against the law for your employer to punish you, or to threaten to call immigration, because you asked for your pay.

Free help: your local legal aid office or a workers' center.
`),
	demoGuide("ca-wage-claim", "es", models.CategoryEmployment, forPatients, inCA,
		"¿Le deben salario en California? Ponga un reclamo con el Comisionado Laboral",
		"Puede reclamar salarios no pagados en California gratis, sin importar su estado migratorio.",
		`## Sus derechos

En California, su empleador le debe pagar por lo menos el salario mínimo por cada hora, más horas extra cuando la ley lo pide. Si lo despiden, su último pago se debe dar en ese momento. Si le pagan tarde, le pueden deber más dinero (Código Laboral, sección 203).

Estos derechos lo protegen **sin importar su estado migratorio** (Código Laboral, sección 1171.5).

## Cómo poner un reclamo

1. Junte lo que tenga: talones de pago, sus horas, mensajes y el nombre y la dirección del negocio.
2. Ponga un reclamo de salario con la **Oficina del Comisionado Laboral de California**. Lo puede hacer en línea, por correo o en persona. Es gratis.
3. Vaya a la reunión que fija la oficina. Muchos reclamos se arreglan ahí.

## No espere

Hay plazos para reclamar. Muchos reclamos se pueden poner dentro de unos años, pero hay plazos más cortos. Reclame lo antes que pueda.

Es contra la ley que su empleador lo castigue, o que amenace con llamar a inmigración, porque usted pidió su pago.

Ayuda gratis: su oficina local de ayuda legal o un centro de trabajadores.
`),
	demoGuide("fmla-job-protected-leave", "en", models.CategoryFamily, forPatients, inUS,
		"Time off work for a serious illness or a new child: the FMLA",
		"The federal Family and Medical Leave Act gives many workers up to 12 weeks of unpaid leave with their job protected.",
		`## What the law gives you

The **Family and Medical Leave Act (FMLA)** lets workers who qualify take up to **12 weeks** of unpaid leave in a 12-month period. Your job is protected, and your health insurance stays in place.

You can use it to:

- Get care for your own serious health problem.
- Care for a spouse, child, or parent with a serious health problem.
- Bond with a new baby, or a child you adopt or foster.

## Who qualifies

You usually qualify if:

- Your employer has 50 or more workers within 75 miles.
- You have worked there at least 12 months.
- You worked at least 1,250 hours in the last 12 months.

## How to ask

Tell your employer as soon as you can. Give 30 days' notice if the leave is planned. Your employer can ask for a note from your doctor.

The U.S. Department of Labor, Wage and Hour Division, enforces the FMLA. Your state may give you more, such as paid leave. Ask legal aid.
`),
	demoGuide("fmla-job-protected-leave", "es", models.CategoryFamily, forPatients, inUS,
		"Tiempo libre del trabajo por una enfermedad seria o un bebé: la ley FMLA",
		"La Ley federal de Licencia Familiar y Médica da a muchos trabajadores hasta 12 semanas de licencia sin pago, sin perder su trabajo.",
		`## Lo que le da la ley

La **Ley de Licencia Familiar y Médica (FMLA)** deja que los trabajadores que califican tomen hasta **12 semanas** de licencia sin pago en un período de 12 meses. Su trabajo está protegido y su seguro médico sigue igual.

La puede usar para:

- Cuidar su propia salud si tiene un problema serio.
- Cuidar a su pareja, hijo, madre o padre con un problema de salud serio.
- Estar con un bebé nuevo, o con un niño que adopta o cuida.

## Quién califica

Por lo general califica si:

- Su empleador tiene 50 trabajadores o más a menos de 75 millas.
- Ha trabajado ahí por lo menos 12 meses.
- Trabajó por lo menos 1,250 horas en los últimos 12 meses.

## Cómo pedirla

Avise a su empleador lo antes que pueda. Avise con 30 días si la licencia es planeada. Su empleador le puede pedir una nota de su médico.

La División de Horas y Salarios del Departamento de Trabajo de EE. UU. hace cumplir la FMLA. Su estado le puede dar más, como licencia con pago. Pregunte a ayuda legal.
`),

	// ------------------------------------------------------------ medical debt
	demoGuide("ca-hospital-charity-care", "en", models.CategoryMedicalDebt, forPatients, inCA,
		"Can't pay a hospital bill in California? Ask for charity care",
		"California hospitals must offer free or lower-cost care to many patients with low or middle incomes. Here is how to ask.",
		`## The law

California's **Hospital Fair Pricing Act** (Health and Safety Code section 127400 and after) says every hospital must have a written policy for **charity care** (free care) and **discount payments**. It covers many people who have no insurance or who have high medical bills.

The state's Department of Health Care Access and Information (HCAI) oversees these rules.

## What to do

1. Call the hospital billing office. Say: "I want to apply for financial assistance."
2. Ask for the form and the policy in your language.
3. Fill it out and send proof of income, like pay stubs.
4. Keep copies. Write down who you talked to.

## Your protections

- You can apply even after you get a bill.
- If you qualify, the hospital must limit what it charges you.
- The hospital may not send your bill to collections while you are working in good faith to get help or to pay it. Ask the hospital to put this in writing.
- If you qualify for a discount, you can ask for a payment plan with no interest.

If a hospital will not help, contact legal aid or file a complaint with HCAI.
`),
	demoGuide("ca-hospital-charity-care", "es", models.CategoryMedicalDebt, forPatients, inCA,
		"¿No puede pagar una cuenta del hospital en California? Pida atención de caridad",
		"Los hospitales de California deben dar atención gratis o más barata a muchos pacientes de bajos o medianos ingresos. Así la puede pedir.",
		`## La ley

La **Ley de Precios Justos de Hospitales** de California (Código de Salud y Seguridad, sección 127400 y siguientes) dice que cada hospital debe tener una regla por escrito para la **atención de caridad** (gratis) y los **pagos con descuento**. Cubre a muchas personas sin seguro o con cuentas médicas altas.

El Departamento de Acceso e Información del Cuidado de la Salud (HCAI) del estado vigila estas reglas.

## Qué hacer

1. Llame a la oficina de cobros del hospital. Diga: "Quiero pedir ayuda financiera."
2. Pida la solicitud y la regla en su idioma.
3. Llénela y mande prueba de ingresos, como talones de pago.
4. Guarde copias. Anote con quién habló.

## Sus protecciones

- Puede pedir ayuda aunque ya le hayan mandado la cuenta.
- Si califica, el hospital debe limitar lo que le cobra.
- El hospital no puede mandar su cuenta a cobranza mientras usted trata de buena fe de recibir ayuda o de pagar. Pida al hospital que lo ponga por escrito.
- Si califica para un descuento, puede pedir un plan de pagos sin intereses.

Si un hospital no le ayuda, llame a ayuda legal o ponga una queja con HCAI.
`),
	demoGuide("nonprofit-hospital-financial-assistance", "en", models.CategoryMedicalDebt, forPatients, inUS,
		"Nonprofit hospital bill? Federal rules on financial assistance",
		"Nonprofit hospitals must have a financial assistance policy and must give you time to apply before harsh collection steps.",
		`## Who this is for

Most hospitals in the U.S. are nonprofit. To keep their tax break, they must follow **section 501(r) of the Internal Revenue Code**. The IRS enforces it.

## What nonprofit hospitals must do

- Have a written **financial assistance policy**, a plain-language summary, and a form to apply.
- Make these free to get, on the website and in the hospital.
- Charge people who qualify no more than what they usually bill people with insurance, for emergency and other needed care.
- Try to find out if you qualify before taking **extraordinary collection actions**, like reporting you to a credit bureau, suing you, or taking money from your pay.

## Time to apply

- The hospital must wait at least **120 days** after the first bill before it starts those actions.
- You can apply for help for at least **240 days** after the first bill.
- If you apply, the hospital must stop those actions while it decides.

## What to do

1. Ask the billing office for the financial assistance form.
2. Send it with proof of income. Keep copies.
3. If a collector calls, say you have applied for financial assistance.

Your state may give you more rights. Ask legal aid.
`),

	demoGuide("nonprofit-hospital-financial-assistance", "es", models.CategoryMedicalDebt, forPatients, inUS,
		"¿Cuenta de un hospital sin fines de lucro? Reglas federales de ayuda financiera",
		"Los hospitales sin fines de lucro deben tener un plan de ayuda financiera y darle tiempo para pedirla antes de cobrar con medidas duras.",
		`## Para quién es

La mayoría de los hospitales de EE. UU. no tienen fines de lucro. Para no pagar ciertos impuestos, deben seguir la **sección 501(r) del Código de Impuestos** (Internal Revenue Code). El IRS vigila que la cumplan.

## Qué deben hacer estos hospitales

- Tener un **plan de ayuda financiera** por escrito, un resumen fácil de leer y una forma para pedir la ayuda.
- Darlos gratis, en su sitio web y en el hospital.
- A quien califica, no cobrarle más de lo que suelen cobrar a las personas con seguro, por la atención de emergencia y otra atención necesaria.
- Tratar de saber si usted califica antes de usar **medidas de cobro extraordinarias**. Por ejemplo: reportarlo a una agencia de crédito, demandarlo o quitarle dinero de su sueldo.

## Tiempo para pedir ayuda

- El hospital debe esperar por lo menos **120 días** después de la primera cuenta antes de usar esas medidas.
- Usted puede pedir ayuda por lo menos **240 días** después de la primera cuenta.
- Si la pide, el hospital debe parar esas medidas mientras decide.

## Qué hacer

1. Pida a la oficina de cobros la forma de ayuda financiera.
2. Mándela con pruebas de sus ingresos. Guarde copias.
3. Si le llama un cobrador, diga que ya pidió ayuda financiera.

Su estado puede darle más derechos. Pregunte a ayuda legal.
`),
	// ------------------------------------------------------------ utilities and disability
	demoGuide("or-utility-medical-certificate", "en", models.CategoryUtilities, forPatients, inOR,
		"Facing a utility shutoff in Oregon? A medical certificate can help",
		"If someone at home has a serious health problem, Oregon rules can delay an electric or gas shutoff. Learn how.",
		`## The rule

The **Oregon Public Utility Commission (PUC)** sets rules for the electric and gas companies it oversees. If someone in your home has a health problem that a shutoff would make worse, you can give the company a **medical certificate**. This can delay the shutoff.

## How to get one

1. Call your utility right away. Tell them someone at home has a medical need.
2. Ask your doctor, nurse practitioner, or physician assistant to fill out the certificate.
3. Make sure the company gets it. Ask them to confirm.

A medical certificate does **not** erase what you owe. The company will ask you to set up a payment plan. Keep making the payments you agree to.

## More help

- Ask the company about payment plans and bill help programs.
- Call 211 to find energy help near you.
- If the company will not help, call the PUC's Consumer Services.
`),
	demoGuide("or-utility-medical-certificate", "es", models.CategoryUtilities, forPatients, inOR,
		"¿Le van a cortar la luz o el gas en Oregon? Un certificado médico puede ayudar",
		"Si alguien en su casa tiene un problema serio de salud, las reglas de Oregon pueden atrasar un corte de luz o de gas. Sepa cómo.",
		`## La regla

La **Comisión de Servicios Públicos de Oregon (PUC)** pone reglas a las compañías de luz y de gas que vigila. Si alguien en su casa tiene un problema de salud que un corte empeoraría, usted puede dar a la compañía un **certificado médico**. Esto puede atrasar el corte.

## Cómo conseguirlo

1. Llame a su compañía ahora mismo. Diga que alguien en casa tiene una necesidad médica.
2. Pida a su médico, enfermera practicante o asistente médico que llene el certificado.
3. Asegúrese de que la compañía lo reciba. Pida que se lo confirmen.

Un certificado médico **no** borra lo que usted debe. La compañía le pedirá un plan de pagos. Siga haciendo los pagos que acordó.

## Más ayuda

- Pregunte a la compañía por planes de pago y programas de ayuda con la cuenta.
- Llame al 211 para buscar ayuda con la energía cerca de usted.
- Si la compañía no le ayuda, llame a Servicios al Consumidor de la PUC.
`),
	demoGuide("social-security-disability-appeal", "en", models.CategoryDisability, forPatients, inUS,
		"Social Security said no to disability benefits? Appeal within 60 days",
		"You can appeal a denial of SSDI or SSI. Most people must ask for reconsideration first. Do not miss the deadline.",
		`## Your right to appeal

If the **Social Security Administration (SSA)** denies your disability claim for SSDI or SSI, you can appeal. Many people win on appeal.

## The deadline

You have **60 days** from the day you get the letter to appeal. SSA assumes you got it 5 days after the date on it. If you miss the deadline, you may have to start over.

## The steps

1. **Reconsideration.** A new reviewer looks at your claim.
2. **Hearing.** A judge hears your case. You can speak and bring witnesses.
3. **Appeals Council.** It reviews the judge's decision.
4. **Federal court.**

## How to appeal

- Appeal online at ssa.gov, or call or visit your Social Security office.
- Send new medical records. Ask your doctor for a letter about what you cannot do.
- If you get SSI or SSDI and SSA wants to stop it, appeal within **10 days** to keep your checks while you wait.

Free help: legal aid. Some lawyers get paid only if you win, and Social Security must approve the fee.
`),

	demoGuide("social-security-disability-appeal", "es", models.CategoryDisability, forPatients, inUS,
		"¿El Seguro Social le negó los beneficios por incapacidad? Apele en 60 días",
		"Puede apelar si le niegan el SSDI o el SSI. Casi todos deben pedir primero una reconsideración. No deje pasar la fecha límite.",
		`## Su derecho a apelar

Si la **Administración del Seguro Social (SSA)** le niega su reclamo por incapacidad de SSDI o SSI, usted puede apelar. Muchas personas ganan al apelar.

## La fecha límite

Tiene **60 días** desde el día en que recibe la carta para apelar. El Seguro Social cuenta que la recibió 5 días después de la fecha de la carta. Si deja pasar la fecha, puede tener que empezar de nuevo.

## Los pasos

1. **Reconsideración.** Otra persona revisa su reclamo.
2. **Audiencia.** Un juez oye su caso. Usted puede hablar y traer testigos.
3. **Consejo de Apelaciones.** Revisa la decisión del juez.
4. **Corte federal.**

## Cómo apelar

- Apele en línea en ssa.gov, o llame o vaya a su oficina del Seguro Social.
- Mande sus nuevos papeles médicos. Pida a su médico una carta sobre lo que usted no puede hacer.
- Si recibe SSI o SSDI y el Seguro Social lo quiere parar, apele en **10 días** para seguir recibiendo sus cheques mientras espera.

Ayuda gratis: ayuda legal. Algunos abogados cobran solo si usted gana, y el Seguro Social debe aprobar lo que cobran.
`),
	// ------------------------------------------------------------ training for care teams
	demoGuide("screening-health-harming-legal-needs", "en", models.CategoryOther, forClinicians, inUS,
		"Spotting health-harming legal needs: the I-HELP screen",
		"A short guide for care teams: which social needs have a legal fix, how to ask about them, and what to record.",
		`## Why screen

Many problems that make patients sick have a legal fix: an illegal eviction, a wrongful benefits denial, unsafe housing, unpaid wages. A medical-legal partnership lets you send these problems to lawyers who can solve them.

## The five I-HELP domains

- **Income**: benefits denied or cut (SNAP, Medicaid, SSI), unpaid wages, debt.
- **Housing and utilities**: eviction notices, unsafe conditions like mold or pests, shutoff notices.
- **Education and employment**: a child not getting special education, job loss after illness, leave denied.
- **Legal status**: immigration questions, old records that block jobs or housing.
- **Personal and family stability**: domestic violence, custody, guardianship, advance directives.

## Questions that open the door

- "Are you having trouble paying for rent, food, or utilities?"
- "Has anyone threatened to evict you or shut off your power?"
- "Has your food or health coverage been cut or denied?"
- "Is your child getting the help they need at school?"

## Look for deadlines

Ask if the patient has a notice or court paper. Many deadlines are short: days, not weeks. Record the date in the referral so the legal team can act fast.
`),
	demoGuide("talking-about-cost-of-care", "en", models.CategoryMedicalDebt, forClinicians, inUS,
		"Talking with patients about the cost of care",
		"How to raise cost worries in a visit, which financial help to point to, and when a bill becomes a legal problem.",
		`## Why it matters

Patients skip care and medicine when they worry about cost. Medical debt is common and harms health. A short, kind talk can help.

## How to start

- Ask every patient, not just some: "Many people worry about the cost of care. Is cost a problem for you?"
- Listen. Do not judge.
- Name the options: generic drugs, lower-cost tests, payment plans.

## Point to financial help

- Nonprofit hospitals must have a financial assistance policy under section 501(r) of the Internal Revenue Code. Give the patient the plain-language summary and the form.
- In California, the Hospital Fair Pricing Act requires charity care and discount payment policies.
- The patient may qualify for Medicaid or a marketplace plan. A denial can often be appealed.

## When to refer to the legal partner

Refer when a patient has a collection lawsuit, wages taken for a debt, a denied charity care application, or a wrongful coverage denial. Add any deadlines to the referral.
`),
	demoGuide("how-and-when-to-refer", "en", models.CategoryOther, forClinicians, inUS,
		"How and when to refer a patient to the legal partner",
		"When a social need calls for a lawyer, how to make the referral in the app, and what you will see afterwards.",
		`## When to refer

Refer when a social need has a legal cause or a legal fix:

- A written notice with a deadline (eviction, benefits cut, utility shutoff).
- A denial that can be appealed (SNAP, Medicaid, SSI, special education).
- Unsafe housing the landlord will not fix.
- Unpaid wages or job loss linked to illness.

Refer early. Legal help works best before a deadline passes.

## How to refer in the app

1. Get the patient's permission to refer.
2. Choose the categories and record the screening answers.
3. Add any deadline or court date.
4. Recommend one or two plain-language guides for the patient.
5. Give the patient the referral code. They claim it in the app and tell the legal team their story in their own words.

## What you will see

If the patient agrees, you will see the status of the case, not its details. The patient can take back that permission at any time.

## What not to do

Do not give legal advice. Do not promise an outcome. Do not write the patient's full story in the referral notes; the patient shares it with the legal team directly.
`),
}
