"""Words of the cooperation cycle for people, in Finnish, Swedish and English.

Finnish first, in the words of the field (``glossary.md``): jakso, aloituspalaveri, sopimus
kuntouttavasta työtoiminnasta, työpaikkaohjaaja, valmentaja, kulukorvaus, jatkopolku, palvelua
ei järjestetä. Swedish follows the Swedish versions of the acts (arbetsverksamhet i
rehabiliteringssyfte, kostnadsersättning, FPA). Codes stay in the data; only these texts are
shown. ``text(key, lang)`` falls back to Finnish, then to the key itself, so a missing
translation never breaks a page or a file.
"""

from __future__ import annotations

from models.benefits import BenefitRules
from models.regime import LegalRegime

__all__ = ["CATALOGUE", "LANGUAGES", "refusal_text", "text"]

LANGUAGES = ("fi", "sv", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    # -- day statuses and Kela's absence categories --------------------------------------------
    "status.present": {"fi": "läsnä", "sv": "närvarande", "en": "present"},
    "status.absent": {"fi": "poissa", "sv": "frånvarande", "en": "absent"},
    "status.service_not_arranged": {
        "fi": "palvelua ei järjestetä",
        "sv": "tjänsten ordnas inte",
        "en": "service not arranged",
    },
    "absence.own_illness": {"fi": "oma sairaus", "sv": "egen sjukdom", "en": "own illness"},
    "absence.child_illness": {
        "fi": "alle 10-vuotiaan lapsen sairaus",
        "sv": "sjukdom hos barn under 10 år",
        "en": "illness of a child under 10",
    },
    "absence.job_interview": {
        "fi": "työhaastattelu tai muu työllistymiseen liittyvä syy",
        "sv": "arbetsintervju eller annat skäl som gäller sysselsättning",
        "en": "job interview or another employment-related reason",
    },
    "absence.position_of_trust": {
        "fi": "julkinen luottamustehtävä",
        "sv": "offentligt förtroendeuppdrag",
        "en": "public position of trust",
    },
    "absence.other": {
        "fi": "muu syy (ei hyväksyttävä)",
        "sv": "annan orsak (inte godtagbar)",
        "en": "other reason (not accepted)",
    },
    # -- payers ------------------------------------------------------------------------------
    "payer.kela": {"fi": "Kela", "sv": "FPA", "en": "Kela"},
    "payer.unemployment_fund": {
        "fi": "työttömyyskassa",
        "sv": "arbetslöshetskassa",
        "en": "unemployment fund",
    },
    "payer.wellbeing_county": {
        "fi": "{organiser} (toimintaraha)",
        "sv": "{organiser} (verksamhetspenning)",
        "en": "{organiser} (activity allowance)",
    },
    # -- the organiser (LegalRegime.organiser; the reform may move the activity) ---------------
    "organiser.wellbeing_county": {
        "fi": "hyvinvointialue",
        "sv": "välfärdsområdet",
        "en": "wellbeing services county",
    },
    "organiser.municipality": {"fi": "kunta", "sv": "kommunen", "en": "municipality"},
    "organiser.employment_area": {
        "fi": "työllisyysalue",
        "sv": "sysselsättningsområdet",
        "en": "employment area",
    },
    # -- onward paths and end reasons --------------------------------------------------------
    "path.job": {"fi": "työ", "sv": "arbete", "en": "job"},
    "path.pay_subsidy": {
        "fi": "palkkatuettu työ",
        "sv": "lönesubventionerat arbete",
        "en": "pay-subsidised work",
    },
    "path.work_trial": {"fi": "työkokeilu", "sv": "arbetsprövning", "en": "work trial"},
    "path.education": {"fi": "koulutus", "sv": "utbildning", "en": "education"},
    "path.social_rehabilitation": {
        "fi": "sosiaalinen kuntoutus",
        "sv": "social rehabilitering",
        "en": "social rehabilitation",
    },
    "path.new_period": {
        "fi": "uusi kuntouttavan työtoiminnan jakso",
        "sv": "en ny period av arbetsverksamhet",
        "en": "another period",
    },
    "path.health_care_or_pension": {
        "fi": "terveydenhuolto tai eläke",
        "sv": "hälso- och sjukvård eller pension",
        "en": "health care or pension",
    },
    "path.dropped_out": {"fi": "keskeytyi", "sv": "avbröts", "en": "dropped out"},
    "path.other": {"fi": "muu", "sv": "annat", "en": "other"},
    "end.agreed_end": {
        "fi": "jakso päättyi sovitusti",
        "sv": "perioden slutade som avtalat",
        "en": "ended as agreed",
    },
    "end.moved_on_early": {
        "fi": "siirtyi jatkopolulle ennen sovittua",
        "sv": "gick vidare före avtalad tid",
        "en": "moved on early",
    },
    "end.client_request": {
        "fi": "asiakkaan pyynnöstä",
        "sv": "på klientens begäran",
        "en": "at the client's request",
    },
    "end.health": {"fi": "terveydelliset syyt", "sv": "hälsoskäl", "en": "health reasons"},
    "end.interrupted_unauthorised_absences": {
        "fi": "keskeytetty toistuvien luvattomien poissaolojen vuoksi",
        "sv": "avbruten på grund av upprepad olovlig frånvaro",
        "en": "interrupted for repeated unauthorised absences",
    },
    "end.site_ended": {
        "fi": "työtoimintapaikka päättyi",
        "sv": "platsen upphörde",
        "en": "the placement ended",
    },
    "end.other": {"fi": "muu syy", "sv": "annan orsak", "en": "other reason"},
    # -- the site's decline ------------------------------------------------------------------
    "decline.no_free_place": {
        "fi": "paikka on täynnä",
        "sv": "platsen är full",
        "en": "no free place",
    },
    "decline.supervisor_unavailable": {
        "fi": "työpaikkaohjaaja ei ole käytettävissä",
        "sv": "arbetsplatshandledaren är inte tillgänglig",
        "en": "site supervisor unavailable",
    },
    "decline.tasks_do_not_fit": {
        "fi": "tehtävät eivät sovi",
        "sv": "uppgifterna passar inte",
        "en": "the tasks do not fit",
    },
    "decline.schedule_does_not_fit": {
        "fi": "päivät tai tunnit eivät sovi",
        "sv": "dagarna eller timmarna passar inte",
        "en": "days or hours do not fit",
    },
    "decline.site_requirement": {
        "fi": "paikan vaatimus ei täyty",
        "sv": "platsens krav uppfylls inte",
        "en": "a requirement of the site is not met",
    },
    "decline.earlier_experience": {
        "fi": "aiempi kokemus yhteistyöstä",
        "sv": "tidigare erfarenhet av samarbetet",
        "en": "earlier experience",
    },
    "decline.other": {"fi": "muu syy", "sv": "annan orsak", "en": "other reason"},
    # -- follow-up ---------------------------------------------------------------------------
    "alert.first_review": {
        "fi": "ensimmäinen arviointi",
        "sv": "första uppföljning",
        "en": "first review",
    },
    "alert.commitment_ends": {
        "fi": "kunnan kolmen kuukauden sitoumus päättyy",
        "sv": "kommunens tremånadersåtagande upphör",
        "en": "the municipality's 3-month commitment ends",
    },
    "alert.period_ends": {"fi": "jakso päättyy", "sv": "perioden slutar", "en": "period ends"},
    "alert.plan_review": {
        "fi": "aktivointisuunnitelma tarkistettava (24 kk)",
        "sv": "aktiveringsplanen ska ses över (24 mån)",
        "en": "activation plan review due (24 months)",
    },
    # -- the end-of-period feedback forms (plain words; answers 1 = not at all … 5 = fully) --
    "feedback.client.title": {
        "fi": "Miten jakso meni? Kerro meille",
        "sv": "Hur gick perioden? Berätta för oss",
        "en": "How did your period go? Tell us",
    },
    "feedback.scale": {
        "fi": "1 = ei lainkaan, 5 = täysin",
        "sv": "1 = inte alls, 5 = helt och hållet",
        "en": "1 = not at all, 5 = completely",
    },
    "feedback.tasks_suited_me": {
        "fi": "Tehtävät sopivat minulle.",
        "sv": "Uppgifterna passade mig.",
        "en": "The tasks suited me.",
    },
    "feedback.got_enough_support": {
        "fi": "Sain tarpeeksi tukea ja ohjausta.",
        "sv": "Jag fick tillräckligt med stöd och handledning.",
        "en": "I got enough support and guidance.",
    },
    "feedback.felt_welcome": {
        "fi": "Tunsin itseni tervetulleeksi työpaikalla.",
        "sv": "Jag kände mig välkommen på arbetsplatsen.",
        "en": "I felt welcome at the workplace.",
    },
    "feedback.closer_to_goal": {
        "fi": "Pääsin lähemmäs tavoitettani.",
        "sv": "Jag kom närmare mitt mål.",
        "en": "I got closer to my goal.",
    },
    "feedback.would_recommend": {
        "fi": "Suosittelisin paikkaa muille.",
        "sv": "Jag skulle rekommendera platsen till andra.",
        "en": "I would recommend the place to others.",
    },
    "feedback.site.title": {
        "fi": "Työtoimintapaikan palaute jaksosta",
        "sv": "Platsens respons på perioden",
        "en": "The placement's feedback on the period",
    },
    "feedback.cooperation_worked": {
        "fi": "Yhteistyö järjestäjän ({organiser}) kanssa toimi.",
        "sv": "Samarbetet med anordnaren ({organiser}) fungerade.",
        "en": "Cooperation with the organiser ({organiser}) worked.",
    },
    "feedback.support_from_county": {
        "fi": "Saimme tukea, kun tarvitsimme.",
        "sv": "Vi fick stöd när vi behövde det.",
        "en": "We got support when we needed it.",
    },
    "feedback.tasks_were_suitable": {
        "fi": "Asiakkaalle oli sopivia tehtäviä.",
        "sv": "Det fanns lämpliga uppgifter för klienten.",
        "en": "There were suitable tasks for the client.",
    },
    "feedback.would_take_again": {
        "fi": "Otamme mielellämme asiakkaita jatkossakin.",
        "sv": "Vi tar gärna emot klienter även i fortsättningen.",
        "en": "We would gladly take clients again.",
    },
    "feedback.comment": {
        "fi": "Mitä muuta haluat sanoa?",
        "sv": "Vad vill du säga mer?",
        "en": "Anything else you want to say?",
    },
    # -- refusals and flags, by code (the web layer shows these, not the English messages) --
    "refusal.future_day": {
        "fi": "Päivää ei voi merkitä etukäteen.",
        "sv": "En dag kan inte antecknas i förväg.",
        "en": "A day cannot be recorded in advance.",
    },
    "refusal.outside_period": {
        "fi": "Päivä ei ole jakson aikana.",
        "sv": "Dagen hör inte till perioden.",
        "en": "The day is outside the period.",
    },
    "refusal.holiday": {
        "fi": "Päivä on arkipyhä: merkitse ”palvelua ei järjestetä”.",
        "sv": "Dagen är en helgdag: anteckna ”tjänsten ordnas inte”.",
        "en": "The day is a public holiday: record “service not arranged”.",
    },
    "refusal.weekday_not_arranged": {
        "fi": "Sopimuksessa ei ole sovittu työtoimintaa tälle viikonpäivälle.",
        "sv": "Avtalet omfattar inte verksamhet denna veckodag.",
        "en": "The agreement arranges no activity on this weekday.",
    },
    "refusal.replaces_not_allowed": {
        "fi": "Vain vaihdettu tai korvaava päivä korvaa toisen päivän.",
        "sv": "Endast en bytt dag eller en ersättningsdag ersätter en annan dag.",
        "en": "Only a swapped or make-up day replaces another day.",
    },
    "refusal.replaces_required": {
        "fi": "Kerro, minkä sovitun päivän vaihdettu tai korvaava päivä korvaa.",
        "sv": "Ange vilken avtalad dag den bytta dagen eller ersättningsdagen ersätter.",
        "en": "Name the agreed day the swapped or make-up day replaces.",
    },
    "refusal.agreed_by_required": {
        "fi": "Kerro, kuka sopi päivän vaihdosta tai korvaavasta päivästä.",
        "sv": "Ange vem som avtalade om bytet eller ersättningsdagen.",
        "en": "Name who agreed the swap or the make-up day.",
    },
    "refusal.replacement_not_arranged": {
        "fi": "Vaihdettu tai korvaava päivä on päivä, jolloin toimintaa järjestetään.",
        "sv": "En bytt dag eller en ersättningsdag är en dag då verksamheten ordnas.",
        "en": "A swapped or make-up day is a day on which the activity is arranged.",
    },
    "refusal.holidays_not_allowed": {
        "fi": "Voimassa oleva säädösversio ei salli toimintaa arkipyhinä.",
        "sv": "Den gällande regelversionen tillåter ingen verksamhet på helgdagar.",
        "en": "The regime in force allows no activity on public holidays.",
    },
    "refusal.replaced_twice": {
        "fi": "Päivä on jo korvattu toisella päivällä.",
        "sv": "Dagen är redan ersatt av en annan dag.",
        "en": "The day is already replaced by another day.",
    },
    "refusal.swap_of_unagreed_day": {
        "fi": "Vaihdettava päivä ei ole sopimuksen mukainen toimintapäivä.",
        "sv": "Dagen som byts är inte en avtalad verksamhetsdag.",
        "en": "The day swapped is not a day the agreement arranges.",
    },
    "refusal.swapped_day_recorded": {
        "fi": "Vaihdettavalle päivälle on jo merkitty läsnäolo tai poissaolo.",
        "sv": "För dagen som byts finns redan närvaro eller frånvaro.",
        "en": "The day swapped already has a presence or absence recorded.",
    },
    "refusal.make_up_without_absence": {
        "fi": "Korvaava päivä korvaa luvattoman poissaolon; valittu päivä ei ole sellainen.",
        "sv": "En ersättningsdag ersätter en otillåten frånvaro; den valda dagen är ingen sådan.",
        "en": "A make-up day replaces an unauthorised absence; the chosen day is not one.",
    },
    "refusal.too_many_days": {
        "fi": "Viikolle tulisi enemmän päiviä kuin on sovittu.",
        "sv": "Veckan skulle få fler dagar än avtalat.",
        "en": "The week would have more days than agreed.",
    },
    "refusal.unknown_absence_reason": {
        "fi": "Valitse poissaolon syy listasta.",
        "sv": "Välj orsaken till frånvaron i listan.",
        "en": "Choose the absence reason from the list.",
    },
    "refusal.correction_without_reason": {
        "fi": "Päivä on jo merkitty: kirjoita, miksi merkintää korjataan.",
        "sv": "Dagen är redan antecknad: skriv varför anteckningen rättas.",
        "en": "The day is already recorded: say why it is corrected.",
    },
    "refusal.certificate_needed": {
        "fi": "Yli {certificate_days} päivän sairaudesta tarvitaan lääkärin tai "
        "terveydenhoitajan todistus.",
        "sv": "För sjukdom över {certificate_days} dagar behövs intyg av läkare eller "
        "hälsovårdare.",
        "en": "Illness of more than {certificate_days} days needs a doctor's or nurse's "
        "certificate.",
    },
    "refusal.over_category_limit": {
        "fi": "Lapsen sairaus hyväksytään enintään {child_days} päivältä.",
        "sv": "Barnets sjukdom godtas för högst {child_days} dagar.",
        "en": "A child's illness is accepted for at most {child_days} days.",
    },
    "refusal.certificate_not_allowed": {
        "fi": "Todistus liittyy vain poissaoloon.",
        "sv": "Ett intyg hör bara till frånvaro.",
        "en": "A certificate belongs to an absence only.",
    },
    "refusal.reason_required": {
        "fi": "Kirjoita tai valitse syy.",
        "sv": "Ange en orsak.",
        "en": "Give a reason.",
    },
    "refusal.reason_not_allowed": {
        "fi": "Syy kirjataan vain poissaololle tai kieltäytymiselle.",
        "sv": "Orsak anges bara för frånvaro eller avböjande.",
        "en": "A reason is given only for an absence or a decline.",
    },
    "refusal.text_required": {
        "fi": "Kerro lyhyesti sanoin, mistä on kyse.",
        "sv": "Beskriv kort med egna ord.",
        "en": "Describe it briefly in words.",
    },
    "refusal.participant_missing": {
        "fi": "Aloituspalaverissa ovat mukana asiakas, sosiaaliohjaaja ja työpaikkaohjaaja.",
        "sv": "I startmötet deltar klienten, socialhandledaren och arbetsplatshandledaren.",
        "en": "The client, the coordinator and the site supervisor take part in the start meeting.",
    },
    "refusal.one_client": {
        "fi": "Aloituspalaveri koskee yhtä asiakasta.",
        "sv": "Ett startmöte gäller en klient.",
        "en": "A start meeting is about one client.",
    },
    "refusal.days_per_week_range": {
        "fi": "Työtoimintaa voi olla {min_days}–{max_days} päivää viikossa.",
        "sv": "Verksamheten kan vara {min_days}–{max_days} dagar i veckan.",
        "en": "The activity can be {min_days}–{max_days} days a week.",
    },
    "refusal.more_days_than_weekdays": {
        "fi": "Päiviä viikossa ei voi olla enemmän kuin valittuja viikonpäiviä.",
        "sv": "Dagar i veckan kan inte vara fler än valda veckodagar.",
        "en": "Days a week cannot exceed the chosen weekdays.",
    },
    "refusal.hours_per_day_range": {
        "fi": "Työtoimintaa on {min_hours}–{max_hours} tuntia päivässä.",
        "sv": "Verksamheten pågår {min_hours}–{max_hours} timmar om dagen.",
        "en": "The activity lasts {min_hours}–{max_hours} hours a day.",
    },
    "refusal.period_too_short": {
        "fi": "Jakson pitää kestää vähintään {min_months} kuukautta.",
        "sv": "Perioden ska vara minst {min_months} månader.",
        "en": "A period lasts at least {min_months} months.",
    },
    "refusal.period_too_long": {
        "fi": "Jakso voi kestää enintään {max_months} kuukautta.",
        "sv": "En period kan vara högst {max_months} månader.",
        "en": "A period lasts at most {max_months} months.",
    },
    "refusal.extension_not_later": {
        "fi": "Jatko siirtää jakson päättymistä myöhemmäksi.",
        "sv": "En förlängning flyttar periodens slut framåt.",
        "en": "An extension moves the end of the period later.",
    },
    "refusal.review_outside_period": {
        "fi": "Ensimmäinen arviointi pidetään jakson aikana.",
        "sv": "Den första uppföljningen hålls under perioden.",
        "en": "The first review falls within the period.",
    },
    "refusal.agreed_on_with_status": {
        "fi": "Sovitulla sopimuksella on sopimispäivä.",
        "sv": "Ett avtalat avtal har ett datum.",
        "en": "An agreed agreement has the date it was agreed.",
    },
    "refusal.status_final": {
        "fi": "Sopimuksen tilaa ei voi enää muuttaa näin.",
        "sv": "Avtalets status kan inte längre ändras så.",
        "en": "The agreement's status can no longer change this way.",
    },
    "refusal.not_confirmed": {
        "fi": "Työtoimintapaikka ei ole vahvistanut ehdotusta.",
        "sv": "Platsen har inte bekräftat förslaget.",
        "en": "The placement has not confirmed the proposal.",
    },
    "refusal.record_mismatch": {
        "fi": "Tiedot koskevat eri asiakasta tai paikkaa.",
        "sv": "Uppgifterna gäller en annan klient eller plats.",
        "en": "The records are about another client or placement.",
    },
    "refusal.meeting_after_start": {
        "fi": "Aloituspalaveri pidetään ennen jakson alkua.",
        "sv": "Startmötet hålls innan perioden börjar.",
        "en": "The start meeting is held before the period starts.",
    },
    "refusal.agreement_not_agreed": {
        "fi": "Jakso alkaa vasta, kun sopimus on hyväksytty.",
        "sv": "Perioden börjar först när avtalet är godkänt.",
        "en": "A period starts only from an agreed agreement.",
    },
    "refusal.already_ended": {
        "fi": "Jakso on jo päättynyt.",
        "sv": "Perioden har redan avslutats.",
        "en": "The period has already ended.",
    },
    "refusal.end_outside_period": {
        "fi": "Päättymispäivän pitää olla jakson aikana.",
        "sv": "Slutdagen ska ligga inom perioden.",
        "en": "The end date must fall within the period.",
    },
    "refusal.end_before_start": {
        "fi": "Jakso ei voi päättyä ennen kuin se alkaa.",
        "sv": "Perioden kan inte sluta innan den börjar.",
        "en": "The period cannot end before it starts.",
    },
    "refusal.agreement_required": {
        "fi": "Jakso alkaa hyväksytystä sopimuksesta.",
        "sv": "En period börjar från ett godkänt avtal.",
        "en": "A period starts from an agreed agreement.",
    },
    "refusal.too_few_unauthorised_absences": {
        "fi": "Keskeyttämiseen luvattomien poissaolojen vuoksi tarvitaan toistuvia poissaoloja.",
        "sv": "För att avbryta på grund av olovlig frånvaro krävs upprepad frånvaro.",
        "en": "An interruption for unauthorised absences needs repeated ones.",
    },
    "refusal.rating_range": {
        "fi": "Vastaa asteikolla 1–5.",
        "sv": "Svara på skalan 1–5.",
        "en": "Answer on a scale of 1 to 5.",
    },
    "refusal.wrong_period": {
        "fi": "Merkintä kuuluu toiseen jaksoon.",
        "sv": "Anteckningen hör till en annan period.",
        "en": "The entry belongs to another period.",
    },
    # -- column headers of the exports --------------------------------------------------------
    "col.client": {"fi": "asiakas", "sv": "klient", "en": "client"},
    "col.period": {"fi": "jakso", "sv": "period", "en": "period"},
    "col.placement": {"fi": "työtoimintapaikka", "sv": "arbetsverksamhetsplats", "en": "placement"},
    "col.municipality": {"fi": "kunta", "sv": "kommun", "en": "municipality"},
    "col.payer": {"fi": "maksaja", "sv": "betalare", "en": "payer"},
    "col.month": {"fi": "kuukausi", "sv": "månad", "en": "month"},
    "col.present_days": {"fi": "läsnäolopäivät", "sv": "närvarodagar", "en": "days present"},
    "col.allowance_days": {
        "fi": "kulukorvauspäivät",
        "sv": "dagar med kostnadsersättning",
        "en": "allowance days",
    },
    "col.daily_rate": {"fi": "korvaus €/päivä", "sv": "ersättning €/dag", "en": "€ per day"},
    "col.allowance_eur": {"fi": "kulukorvaus €", "sv": "kostnadsersättning €", "en": "allowance €"},
    "col.absence_days": {"fi": "poissaolopäivät", "sv": "frånvarodagar", "en": "absence days"},
    "col.benefit_kept_days": {
        "fi": "hyväksytyt poissaolot",
        "sv": "godtagbar frånvaro",
        "en": "accepted absences",
    },
    "col.benefit_lost_days": {
        "fi": "muut poissaolot (etuus ei makseta)",
        "sv": "annan frånvaro (förmån betalas inte)",
        "en": "other absences (no benefit)",
    },
    "col.not_arranged_days": {
        "fi": "palvelua ei järjestetty, päivät",
        "sv": "tjänsten ordnades inte, dagar",
        "en": "days not arranged",
    },
    "col.certificate_missing": {
        "fi": "todistus puuttuu",
        "sv": "intyg saknas",
        "en": "certificate missing",
    },
    "col.day": {"fi": "päivä", "sv": "dag", "en": "day"},
    "col.status": {"fi": "merkintä", "sv": "anteckning", "en": "status"},
    "col.absence_reason": {
        "fi": "poissaolon syy",
        "sv": "orsak till frånvaro",
        "en": "absence reason",
    },
    "col.benefit_kept": {"fi": "etuus maksetaan", "sv": "förmånen betalas", "en": "benefit paid"},
    "col.certificate_received": {
        "fi": "todistus saatu",
        "sv": "intyg mottaget",
        "en": "certificate received",
    },
    "col.clients": {"fi": "asiakkaita", "sv": "klienter", "en": "clients"},
    "col.periods": {"fi": "jaksoja", "sv": "perioder", "en": "periods"},
    "col.allowance_total": {
        "fi": "korvaukset yhteensä €",
        "sv": "ersättningar totalt €",
        "en": "allowances total €",
    },
    "col.start_date": {"fi": "alkaa", "sv": "börjar", "en": "starts"},
    "col.days_since_start": {
        "fi": "päiviä alusta",
        "sv": "dagar sedan start",
        "en": "days since start",
    },
    "col.alert": {"fi": "seuranta", "sv": "uppföljning", "en": "follow-up"},
    "col.due": {"fi": "määräpäivä", "sv": "förfallodag", "en": "due"},
    "col.days_left": {"fi": "päiviä jäljellä", "sv": "dagar kvar", "en": "days left"},
    "col.group": {"fi": "ryhmä", "sv": "grupp", "en": "group"},
    "col.ended_periods": {
        "fi": "päättyneitä jaksoja",
        "sv": "avslutade perioder",
        "en": "ended periods",
    },
    "sheet.summary": {
        "fi": "kuukausiyhteenveto",
        "sv": "månadssammandrag",
        "en": "monthly summary",
    },
    "sheet.absences": {"fi": "poissaolot", "sv": "frånvaro", "en": "absences"},
    "sheet.municipalities": {"fi": "kunnat", "sv": "kommuner", "en": "municipalities"},
    "word.yes": {"fi": "kyllä", "sv": "ja", "en": "yes"},
    "word.no": {"fi": "ei", "sv": "nej", "en": "no"},
    "word.hidden": {"fi": "..", "sv": "..", "en": ".."},
    # -- weekdays ----------------------------------------------------------------------------
    "weekday.mon": {"fi": "maanantai", "sv": "måndag", "en": "Monday"},
    "weekday.tue": {"fi": "tiistai", "sv": "tisdag", "en": "Tuesday"},
    "weekday.wed": {"fi": "keskiviikko", "sv": "onsdag", "en": "Wednesday"},
    "weekday.thu": {"fi": "torstai", "sv": "torsdag", "en": "Thursday"},
    "weekday.fri": {"fi": "perjantai", "sv": "fredag", "en": "Friday"},
    "weekday.sat": {"fi": "lauantai", "sv": "lördag", "en": "Saturday"},
    "weekday.sun": {"fi": "sunnuntai", "sv": "söndag", "en": "Sunday"},
    # -- roles -------------------------------------------------------------------------------
    "role.client": {"fi": "asiakas", "sv": "klient", "en": "client"},
    "role.coordinator": {
        "fi": "sosiaaliohjaaja / työtoiminnan koordinaattori",
        "sv": "socialhandledare / koordinator",
        "en": "coordinator",
    },
    "role.site_supervisor": {
        "fi": "työpaikkaohjaaja",
        "sv": "arbetsplatshandledare",
        "en": "site supervisor",
    },
    "role.coach": {"fi": "valmentaja", "sv": "coach", "en": "coach"},
    # -- the printable agreement -------------------------------------------------------------
    "agreement.title": {
        "fi": "Sopimus kuntouttavasta työtoiminnasta",
        "sv": "Avtal om arbetsverksamhet i rehabiliteringssyfte",
        "en": "Agreement on rehabilitative work activity",
    },
    "agreement.draft": {"fi": "LUONNOS", "sv": "UTKAST", "en": "DRAFT"},
    "agreement.cancelled": {"fi": "PERUUTETTU", "sv": "ANNULLERAT", "en": "CANCELLED"},
    "agreement.organiser": {
        "fi": "Järjestäjä: {organiser}",
        "sv": "Anordnare: {organiser}",
        "en": "Organiser: {organiser}",
    },
    "agreement.meeting": {"fi": "Aloituspalaveri", "sv": "Startmöte", "en": "Start meeting"},
    "agreement.meeting_when_where": {
        "fi": "Aika ja paikka",
        "sv": "Tid och plats",
        "en": "When and where",
    },
    "agreement.participants": {"fi": "Osallistujat", "sv": "Deltagare", "en": "Participants"},
    "agreement.placement": {
        "fi": "Työtoimintapaikka",
        "sv": "Arbetsverksamhetsplats",
        "en": "Placement",
    },
    "agreement.tasks": {"fi": "Tehtävät", "sv": "Uppgifter", "en": "Tasks"},
    "agreement.goals": {"fi": "Tavoitteet", "sv": "Mål", "en": "Goals"},
    "agreement.support": {
        "fi": "Tuki ja ohjaus",
        "sv": "Stöd och handledning",
        "en": "Support and guidance",
    },
    "agreement.schedule": {
        "fi": "Työtoiminta-ajat",
        "sv": "Tider för verksamheten",
        "en": "Schedule",
    },
    "agreement.weekdays": {"fi": "Päivät", "sv": "Dagar", "en": "Days"},
    "agreement.days_per_week": {
        "fi": "päivää viikossa",
        "sv": "dagar i veckan",
        "en": "days a week",
    },
    "agreement.hours_per_day": {
        "fi": "tuntia päivässä",
        "sv": "timmar om dagen",
        "en": "hours a day",
    },
    "agreement.dates": {"fi": "Jakso", "sv": "Period", "en": "Period"},
    "agreement.start_date": {"fi": "Alkaa", "sv": "Börjar", "en": "Starts"},
    "agreement.first_review_date": {
        "fi": "Ensimmäinen arviointi",
        "sv": "Första uppföljning",
        "en": "First review",
    },
    "agreement.end_date": {"fi": "Päättyy", "sv": "Slutar", "en": "Ends"},
    "agreement.contacts": {
        "fi": "Yhteyshenkilöt",
        "sv": "Kontaktpersoner",
        "en": "Contact persons",
    },
    "agreement.when_absent": {
        "fi": "Kun olet poissa",
        "sv": "När du är frånvarande",
        "en": "When you are absent",
    },
    "agreement.money": {
        "fi": "Kulukorvaus {amount} € jokaiselta päivältä, jona olet mukana. Sen maksaa Kela "
        "tai työttömyyskassa (toimeentulotukea saavalle järjestäjä, {organiser}, "
        "toimintarahana). "
        "Poissaolopäiviltä ja päiviltä, joina palvelua ei järjestetä, kulukorvausta ei makseta.",
        "sv": "Kostnadsersättning {amount} € för varje dag du deltar. Den betalas av FPA "
        "eller arbetslöshetskassan (till den som får utkomststöd betalar anordnaren, "
        "{organiser}, verksamhetspenning). För frånvarodagar och dagar då tjänsten inte "
        "ordnas betalas ingen kostnadsersättning.",
        "en": "An expense allowance of {amount} € for every day you take part, paid by Kela "
        "or your unemployment fund (on social assistance: the activity allowance of the "
        "organiser, {organiser}). "
        "No allowance is paid for absences or days the service is not arranged.",
    },
    "agreement.absence_rules": {
        "fi": "Hyväksyttäviä poissaolon syitä ovat oma sairaus, alle 10-vuotiaan lapsen "
        "sairaus (enintään {child_days} päivää), työhaastattelu ja julkinen luottamustehtävä. "
        "Yli {certificate_days} päivän sairaudesta tarvitaan lääkärin tai terveydenhoitajan "
        "todistus. Muusta syystä poissaolo voi keskeyttää työttömyysetuuden maksamisen "
        "siltä päivältä.",
        "sv": "Godtagbara skäl till frånvaro är egen sjukdom, sjukdom hos barn under 10 år "
        "(högst {child_days} dagar), arbetsintervju och offentligt förtroendeuppdrag. För "
        "sjukdom som varar längre än {certificate_days} dagar behövs intyg av läkare eller "
        "hälsovårdare. Frånvaro av annan orsak kan leda till att arbetslöshetsförmånen inte "
        "betalas för den dagen.",
        "en": "Accepted reasons for absence are your own illness, the illness of a child "
        "under 10 (at most {child_days} days), a job interview and a public position of trust. "
        "Illness of more than {certificate_days} days needs a doctor's or nurse's certificate. "
        "An absence for another reason can stop your unemployment benefit for that day.",
    },
    "agreement.not_employment": {
        "fi": "Kuntouttava työtoiminta on sosiaalipalvelu. Siitä ei synny työsuhdetta "
        "(laki kuntouttavasta työtoiminnasta 189/2001, 2 §).",
        "sv": "Arbetsverksamhet i rehabiliteringssyfte är en socialtjänst. Den ger inte "
        "upphov till något anställningsförhållande (lag 189/2001, 2 §).",
        "en": "Rehabilitative work activity is a social service; it creates no employment "
        "relationship (Act 189/2001, section 2).",
    },
    "agreement.signatures": {"fi": "Allekirjoitukset", "sv": "Underskrifter", "en": "Signatures"},
    "agreement.date_and_place": {
        "fi": "Päiväys ja paikka",
        "sv": "Datum och ort",
        "en": "Date and place",
    },
    "agreement.agreed_on": {"fi": "Sovittu", "sv": "Avtalat", "en": "Agreed on"},
}


DEFAULT_ORGANISER = "wellbeing_county"


def organiser_name(organiser: str, lang: str = "fi") -> str:
    """The organiser of the regime (``LegalRegime.organiser``) in words, in ``lang``; an
    organiser the catalogue does not know is shown by its code."""
    entry = CATALOGUE.get(f"organiser.{organiser}")
    if entry is None:
        return organiser
    return entry.get(lang) or entry.get("fi") or organiser


def text(key: str, lang: str = "fi", organiser: str = DEFAULT_ORGANISER) -> str:
    """The text of ``key`` in ``lang``; Finnish if that language lacks it; else the key.
    ``{organiser}`` in a text is the regime's organiser (``organiser_name``)."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    words = entry.get(lang) or entry.get("fi") or key
    if "{organiser}" in words:
        words = words.replace("{organiser}", organiser_name(organiser, lang))
    return words


def refusal_text(
    code: str,
    lang: str = "fi",
    regime: LegalRegime | None = None,
    rules: BenefitRules | None = None,
) -> str:
    """The plain words for a refusal or flag ``code``, with the limits of the regime and the
    benefit rules in force filled in (so a reformed limit is never misquoted)."""
    regime = regime or LegalRegime()
    rules = rules or BenefitRules()
    own = rules.category("own_illness")
    child = rules.category("child_illness")
    return text(f"refusal.{code}", lang).format(
        min_days=regime.min_days_per_week,
        max_days=regime.max_days_per_week,
        min_hours=f"{regime.min_hours_per_day:g}".replace(".", ","),
        max_hours=f"{regime.max_hours_per_day:g}".replace(".", ","),
        min_months=regime.min_period_months,
        max_months=regime.max_period_months,
        certificate_days=own.certificate_after_days if own is not None else "",
        child_days=child.max_days if child is not None else "",
    )
