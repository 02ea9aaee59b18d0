"""Demo data: a bilingual mentoring collaborative modelled on the Ottawa seed.

A lead organization runs the open Career Mentoring Program; three agencies (one
francophone first) refer 300 newcomers; an employer, a professional association, a
college and the lead organization bring 200 mentors. The newcomers are spread
over every stage of the flow: registered, referred, returned with reasons, withdrawn,
admitted and waiting, proposed (pending, declined then re-proposed, expired), in an
active or extended mentorship, completed with outcomes at closure and 3, 6 and 12
months later, or ended early.

Everything goes through the services, acting as the staff, mentors and newcomers who
would do it, so every rule applies (validation, ownership, eligibility plugins,
capacity). History is replayed in time order with the clock frozen at each step's
moment: the matcher only sees the mentors who had joined by then, with the capacity
they had left then.

Content and ids are deterministic: the same seed gives the same people, files and
identifiers on every machine. Dates are relative to the day of seeding (midnight UTC
of ``clock.now()``), so the demo always looks recent; seeding on another day shifts every timestamp by the
same amount and changes nothing else. The only column that differs between two runs is
``users.password_hash``: argon2 salts are random.
"""

import enum
import random
import unicodedata
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from babel import Locale
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from core import clock, security
from core.access import Actor
from core.ids import deterministic_ids
from core.matching.declared import WORK_STYLE_ITEMS
from core.models import (
    EmploymentStatus,
    ImmigrationStatus,
    Language,
    MatchProposal,
    MeetingMode,
    Membership,
    MenteeProfile,
    MentorAffiliation,
    MentorProfile,
    Mentorship,
    MentorshipStatus,
    MentorVisibility,
    NotesVisibility,
    Organization,
    OrganizationKind,
    OutcomeStage,
    PairStatus,
    Program,
    ProposalStatus,
    QuestionKind,
    Referral,
    Role,
    SurveyStage,
    User,
)
from core.services import (
    accounts,
    lifecycle,
    matching,
    mentees,
    mentors,
    mentorships,
    organizations,
    programs,
    proposals,
    referrals,
)
from core.services.mentors import MentorData
from core.services.programs import ProgramData
from core.settings import get_settings
from core.validation import AVAILABILITY_SLOTS

DEMO_PASSWORD = "tremplin-demo"
DEMO_DOMAIN = "demo.tremplin.ca"
# Room for every mentorship the demo keeps active at once, and then some.
_PROGRAM_CAPACITY = 150


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    organization_slug: str
    description_en: str


# --- Organizations and staff ----------------------------------------------------------


@dataclass(frozen=True)
class _Org:
    slug: str
    name_en: str
    name_fr: str
    kind: OrganizationKind
    city: str


_HUB, _RIDEAU, _EST, _BYTOWN = "hub", "rideau", "carrefour-est", "bytown"
_NORTHBRIDGE, _ASSOCIATION, _COLLEGE = "northbridge", "capital-pros", "riverside"
_AGENCIES = (_RIDEAU, _EST, _BYTOWN)

_ORGANIZATIONS = (
    _Org(_HUB, "Capital Mentoring Hub", "Carrefour mentorat de la capitale",
         OrganizationKind.LEAD_ORGANIZATION, "Ottawa"),
    _Org(_RIDEAU, "Rideau Newcomer Centre", "Centre des nouveaux arrivants Rideau",
         OrganizationKind.SETTLEMENT_AGENCY, "Ottawa"),
    _Org(_EST, "Eastern Francophone Welcome Centre", "Carrefour d'accueil francophone de l'Est",
         OrganizationKind.SETTLEMENT_AGENCY, "Orléans"),
    _Org(_BYTOWN, "Bytown Employment Pathways", "Parcours emploi Bytown",
         OrganizationKind.EMPLOYMENT_SERVICE, "Ottawa"),
    _Org(_NORTHBRIDGE, "Northbridge Technologies", "Technologies Northbridge",
         OrganizationKind.EMPLOYER, "Kanata"),
    _Org(_ASSOCIATION, "Capital Region Professionals Association",
         "Association des professionnels de la région de la capitale",
         OrganizationKind.ASSOCIATION, "Ottawa"),
    _Org(_COLLEGE, "Riverside College", "Collège Riverside",
         OrganizationKind.POST_SECONDARY, "Ottawa"),
)  # fmt: skip


@dataclass(frozen=True)
class _Staff:
    slug: str
    mailbox: str
    role: Role
    name: str
    language: Language

    @property
    def email(self) -> str:
        return f"{self.mailbox}@{self.slug}.{DEMO_DOMAIN}"


_STAFF = (
    _Staff(_HUB, "admin", Role.ORG_ADMIN, "Margaret Lavoie", Language.EN),
    _Staff(_HUB, "coordinator", Role.COORDINATOR, "Nadia Benali", Language.EN),
    _Staff(_HUB, "facilitator", Role.COORDINATOR, "Étienne Gagnon", Language.FR),
    _Staff(_HUB, "viewer", Role.VIEWER, "David Okafor", Language.EN),
    _Staff(_RIDEAU, "admin", Role.ORG_ADMIN, "Susan Clarke", Language.EN),
    _Staff(_RIDEAU, "coordinator", Role.COORDINATOR, "Priya Raman", Language.EN),
    _Staff(_EST, "admin", Role.ORG_ADMIN, "Josée Thériault", Language.FR),
    _Staff(_EST, "coordinator", Role.COORDINATOR, "Fatou Diallo", Language.FR),
    _Staff(_BYTOWN, "admin", Role.ORG_ADMIN, "Robert MacLeod", Language.EN),
    _Staff(_BYTOWN, "coordinator", Role.COORDINATOR, "Lina Haddad", Language.EN),
    _Staff(_NORTHBRIDGE, "admin", Role.ORG_ADMIN, "Kevin Tran", Language.EN),
    _Staff(_NORTHBRIDGE, "rep", Role.EMPLOYER_REP, "Jennifer Wong", Language.EN),
    _Staff(_ASSOCIATION, "admin", Role.ORG_ADMIN, "Alain Desrosiers", Language.FR),
    _Staff(_ASSOCIATION, "rep", Role.EMPLOYER_REP, "Michelle Kowalski", Language.EN),
    _Staff(_COLLEGE, "admin", Role.ORG_ADMIN, "Daniel Fortin", Language.EN),
)

# --- Occupations (NOC 2021 unit groups of core/data/noc2021.csv) -----------------------


@dataclass(frozen=True)
class _Occupation:
    nocs: tuple[str, ...]
    naics: tuple[str, ...]
    titles_en: tuple[str, ...]
    titles_fr: tuple[tuple[str, str], ...]  # (masculine, feminine)
    credentials_en: tuple[str, ...]
    credentials_fr: tuple[str, ...]
    goal_en: str
    goal_fr: str


_OCCUPATIONS: dict[str, _Occupation] = {
    "software": _Occupation(
        ("21231", "21232", "21230", "21234", "21233"),
        ("5415", "5132", "5182"),
        ("Senior Software Engineer", "Software Developer", "Full-Stack Developer",
         "Engineering Manager", "Front-End Developer"),
        (("Ingénieur logiciel principal", "Ingénieure logicielle principale"),
         ("Développeur de logiciels", "Développeuse de logiciels"),
         ("Développeur full-stack", "Développeuse full-stack"),
         ("Gestionnaire en génie logiciel", "Gestionnaire en génie logiciel")),
        ("Bachelor's degree in computer science", "Master's degree in software engineering"),
        ("Baccalauréat en informatique", "Maîtrise en génie logiciel"),
        "Get back into software development: a developer role in an Ottawa-area tech "
        "company within six months.",
        "Reprendre ma carrière en développement de logiciels dans une entreprise "
        "technologique de la région d'Ottawa d'ici six mois.",
    ),
    "data": _Occupation(
        ("21211", "21223"),
        ("5415", "5182", "5416"),
        ("Data Scientist", "Senior Data Analyst", "Database Administrator", "Analytics Lead"),
        (("Scientifique des données", "Scientifique des données"),
         ("Analyste de données principal", "Analyste de données principale"),
         ("Administrateur de bases de données", "Administratrice de bases de données")),
        ("Master's degree in statistics", "Bachelor's degree in mathematics"),
        ("Maîtrise en statistique", "Baccalauréat en mathématiques"),
        "Move into a data analyst or data scientist position, ideally in the federal "
        "public service or a Kanata tech firm.",
        "Obtenir un poste d'analyste ou de scientifique des données, idéalement dans la "
        "fonction publique fédérale ou une entreprise de Kanata.",
    ),
    "it": _Occupation(
        ("21220", "21221", "21222", "22220", "22221", "20012"),
        ("5415", "5182"),
        ("Cybersecurity Analyst", "Business Systems Analyst", "Network Administrator",
         "IT Manager", "Cloud Infrastructure Specialist"),
        (("Analyste en cybersécurité", "Analyste en cybersécurité"),
         ("Analyste des systèmes d'affaires", "Analyste des systèmes d'affaires"),
         ("Administrateur réseau", "Administratrice réseau"),
         ("Gestionnaire des TI", "Gestionnaire des TI")),
        ("Bachelor's degree in information technology", "CCNA certification"),
        ("Baccalauréat en technologies de l'information", "Certification CCNA"),
        "Find an IT role (networks, security or systems analysis) and earn a Canadian "
        "certification along the way.",
        "Trouver un emploi en TI (réseaux, sécurité ou analyse de systèmes) et obtenir une "
        "certification reconnue au Canada.",
    ),
    "engineering": _Occupation(
        ("21300", "21301", "21310", "21311", "21320", "21321"),
        ("5413", "2211", "3342", "23"),
        ("Civil Engineer, P.Eng.", "Mechanical Engineer", "Electrical Engineer",
         "Project Engineer", "Manufacturing Engineer"),
        (("Ingénieur civil", "Ingénieure civile"),
         ("Ingénieur mécanicien", "Ingénieure mécanicienne"),
         ("Ingénieur électricien", "Ingénieure électricienne"),
         ("Ingénieur de projet", "Ingénieure de projet")),
        ("Bachelor of Engineering", "Master of Engineering"),
        ("Baccalauréat en génie", "Maîtrise en génie"),
        "Work in engineering in Ottawa as an engineer-in-training while completing my "
        "P.Eng. licence.",
        "Travailler en génie à Ottawa comme stagiaire (EIT) tout en faisant reconnaître mon "
        "diplôme d'ingénierie en Ontario.",
    ),
    "finance": _Occupation(
        ("11100", "11101", "11102", "10010", "12200"),
        ("5221", "5241", "5412", "52"),
        ("Senior Accountant, CPA", "Financial Analyst", "Finance Manager", "Audit Manager",
         "Financial Advisor"),
        (("Comptable principal", "Comptable principale"),
         ("Analyste financier", "Analyste financière"),
         ("Directeur des finances", "Directrice des finances"),
         ("Conseiller financier", "Conseillère financière")),
        ("Bachelor's degree in accounting", "ACCA membership", "MBA in finance"),
        ("Licence en comptabilité", "Master en finance"),
        "Find an accounting or financial analysis position and start the CPA Canada "
        "certification program.",
        "Décrocher un poste en comptabilité ou en analyse financière et commencer le "
        "programme de certification de CPA Canada.",
    ),
    "hr": _Occupation(
        ("11200", "10011"),
        ("5416", "56", "91"),
        ("HR Business Partner", "Talent Acquisition Lead", "HR Manager",
         "Compensation Analyst"),
        (("Partenaire d'affaires RH", "Partenaire d'affaires RH"),
         ("Responsable de l'acquisition de talents", "Responsable de l'acquisition de talents"),
         ("Directeur des ressources humaines", "Directrice des ressources humaines"),
         ("Analyste en rémunération", "Analyste en rémunération")),
        ("Master's degree in human resources management", "Bachelor's degree in psychology"),
        ("Master en gestion des ressources humaines", "Licence en psychologie"),
        "Return to human resources, starting with a recruitment or HR generalist role, "
        "and prepare for the CHRP designation.",
        "Retourner en ressources humaines, d'abord en recrutement, et me préparer à la "
        "désignation CHRP.",
    ),
    "business": _Occupation(
        ("11201", "11202", "41402", "13100"),
        ("5416", "54", "51"),
        ("Management Consultant", "Marketing Manager", "Business Development Officer",
         "Communications Advisor"),
        (("Conseiller en gestion", "Conseillère en gestion"),
         ("Directeur du marketing", "Directrice du marketing"),
         ("Agent de développement économique", "Agente de développement économique"),
         ("Conseiller en communication", "Conseillère en communication")),
        ("MBA", "Bachelor's degree in marketing"),
        ("MBA", "Licence en marketing"),
        "Find a marketing, communications or business development role where my "
        "international market experience counts.",
        "Trouver un poste en marketing, en communication ou en développement des affaires "
        "où mon expérience des marchés internationaux sera valorisée.",
    ),
    "health": _Occupation(
        ("31102", "31120", "31301", "32101", "32120", "30010"),
        ("6221", "6211", "62"),
        ("Registered Nurse", "Pharmacist", "Family Physician",
         "Medical Laboratory Technologist", "Clinical Manager"),
        (("Infirmier autorisé", "Infirmière autorisée"),
         ("Pharmacien", "Pharmacienne"),
         ("Médecin de famille", "Médecin de famille"),
         ("Technologiste de laboratoire médical", "Technologiste de laboratoire médical")),
        ("Doctor of Medicine (MD)", "Bachelor of Science in Nursing", "Bachelor of Pharmacy"),
        ("Doctorat en médecine", "Licence en sciences infirmières", "Diplôme de pharmacien"),
        "Understand the licensing path with my Ontario regulatory college and work in a "
        "related health role meanwhile.",
        "Comprendre le parcours d'obtention du permis auprès de mon ordre professionnel "
        "ontarien et travailler dans un domaine connexe de la santé en attendant.",
    ),
    "science": _Occupation(
        ("21101", "21110"),
        ("54", "3254"),
        ("Research Chemist", "Laboratory Scientist", "Biologist"),
        (("Chimiste de recherche", "Chimiste de recherche"),
         ("Scientifique de laboratoire", "Scientifique de laboratoire"),
         ("Biologiste", "Biologiste")),
        ("PhD in chemistry", "Master's degree in biology"),
        ("Doctorat en chimie", "Maîtrise en biologie"),
        "Get a laboratory or research position in a federal lab or a life-sciences company.",
        "Obtenir un poste de recherche ou de laboratoire dans un laboratoire fédéral ou une "
        "entreprise des sciences de la vie.",
    ),
    "design": _Occupation(
        ("21200", "52120"),
        ("5413", "54"),
        ("Architect", "Graphic Designer", "Design Lead"),
        (("Architecte", "Architecte"),
         ("Graphiste", "Graphiste"),
         ("Responsable du design", "Responsable du design")),
        ("Bachelor of Architecture", "Diploma in graphic design"),
        ("Diplôme d'architecte", "Diplôme en design graphique"),
        "Build a Canadian portfolio and find work in an architecture or design studio.",
        "Constituer un portfolio canadien et trouver un emploi dans un cabinet "
        "d'architecture ou un studio de design.",
    ),
    "education": _Occupation(
        ("41200", "41210", "41220", "42201"),
        ("6112", "6113", "61", "62"),
        ("Professor", "College Instructor", "High School Teacher", "Social Worker"),
        (("Professeur", "Professeure"),
         ("Enseignant au collégial", "Enseignante au collégial"),
         ("Enseignant au secondaire", "Enseignante au secondaire"),
         ("Intervenant communautaire", "Intervenante communautaire")),
        ("Master's degree in education", "Bachelor's degree in social work"),
        ("Master en sciences de l'éducation", "Licence en travail social"),
        "Get my teaching qualifications recognized by the Ontario College of Teachers and "
        "work in education or community services.",
        "Faire reconnaître mes qualifications par l'Ordre des enseignantes et des "
        "enseignants de l'Ontario et travailler en éducation ou en services communautaires.",
    ),
}  # fmt: skip

# What the newcomers referred in Ottawa were trained for (weights).
_NEWCOMER_OCCUPATIONS = {
    "software": 18, "data": 9, "it": 10, "engineering": 16, "finance": 15, "hr": 7,
    "business": 7, "health": 10, "science": 4, "design": 3, "education": 6,
}  # fmt: skip
# Jobs held outside one's field while looking (administrative, help desk, community work).
_STOPGAP_NOCS = ("13110", "22221", "42201")

# --- People ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Origin:
    mother_tongues: dict[str, str]  # country of training → mother tongue
    francophone: bool
    female: tuple[str, ...]
    male: tuple[str, ...]
    last: tuple[str, ...]


_ORIGINS: dict[str, _Origin] = {
    "canada_en": _Origin(
        {"CA": "en"}, False,
        ("Sarah", "Emily", "Jennifer", "Karen", "Heather", "Lisa", "Megan", "Rachel", "Laura"),
        ("Michael", "David", "James", "Brian", "Andrew", "Mark", "Scott", "Ryan", "Paul"),
        ("Smith", "MacDonald", "Campbell", "Wilson", "Thompson", "Stewart", "Anderson",
         "Murphy", "Robinson", "Fraser", "Mitchell", "Clarke"),
    ),
    "canada_fr": _Origin(
        {"CA": "fr"}, True,
        ("Isabelle", "Geneviève", "Julie", "Marie-Ève", "Nathalie", "Sylvie", "Chantal",
         "Mélanie", "Valérie"),
        ("François", "Marc-André", "Luc", "Stéphane", "Pierre", "Sébastien", "Martin", "Éric",
         "Jean-François"),
        ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
         "Fortin", "Bélanger", "Pelletier", "Leblanc"),
    ),
    "india": _Origin(
        {"IN": "hi"}, False,
        ("Priya", "Ananya", "Kavya", "Sunita", "Meera", "Deepa", "Lakshmi", "Pooja"),
        ("Arjun", "Rahul", "Vikram", "Sanjay", "Rohan", "Anil", "Karthik", "Amit"),
        ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Krishnan", "Menon", "Desai"),
    ),
    "pakistan_bangladesh": _Origin(
        {"PK": "ur", "BD": "bn"}, False,
        ("Fatima", "Ayesha", "Nusrat", "Sadia", "Farzana", "Hina"),
        ("Imran", "Farhan", "Kamal", "Tariq", "Usman", "Rashed"),
        ("Khan", "Rahman", "Chowdhury", "Siddiqui", "Hossain", "Qureshi", "Malik", "Islam"),
    ),
    "china": _Origin(
        {"CN": "zh", "TW": "zh"}, False,
        ("Mei", "Xiu", "Yan", "Qing", "Jing", "Hui"),
        ("Wei", "Jun", "Hao", "Lei", "Bo", "Tao"),
        ("Wang", "Li", "Zhang", "Chen", "Liu", "Huang", "Zhou", "Wu", "Xu"),
    ),
    "korea": _Origin(
        {"KR": "ko"}, False,
        ("Ji-woo", "Seo-yeon", "Min-ji", "Eun-ji"),
        ("Min-jun", "Sung-ho", "Ji-hoon", "Hyun-woo"),
        ("Kim", "Park", "Lee", "Choi", "Jung", "Kang"),
    ),
    "vietnam": _Origin(
        {"VN": "vi"}, False,
        ("Linh", "Thu", "Lan", "Mai", "Hoa"),
        ("Minh", "Tuan", "Duc", "Quang", "Huy"),
        ("Nguyen", "Tran", "Pham", "Le", "Hoang", "Vo"),
    ),
    "philippines": _Origin(
        {"PH": "tl"}, False,
        ("Maria", "Kristine", "Joy", "Angelica", "Rowena", "Liza"),
        ("Jose", "Mark", "Paolo", "Ramon", "Jerome", "Carlo"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Villanueva", "Aquino"),
    ),
    "middle_east": _Origin(
        {"SY": "ar", "LB": "ar", "EG": "ar", "JO": "ar", "IQ": "ar"}, False,
        ("Rania", "Layla", "Nour", "Huda", "Dina", "Salma", "Yasmin", "Maha"),
        ("Omar", "Khaled", "Ahmad", "Youssef", "Karim", "Sami", "Bilal", "Hassan"),
        ("Haddad", "Khoury", "Nasser", "Saleh", "Mansour", "Aziz", "Hamdan", "Farah",
         "Ibrahim", "Darwish"),
    ),
    "iran_afghanistan": _Origin(
        {"IR": "fa", "AF": "fa"}, False,
        ("Shirin", "Maryam", "Parisa", "Nazanin", "Zahra", "Leila"),
        ("Reza", "Ali", "Amir", "Dariush", "Hamid", "Farid"),
        ("Ahmadi", "Hosseini", "Karimi", "Rostami", "Moradi", "Tehrani", "Rahimi", "Jafari"),
    ),
    "spanish_america": _Origin(
        {"CO": "es", "MX": "es", "VE": "es", "PE": "es", "CL": "es"}, False,
        ("Camila", "Valentina", "Daniela", "Lucía", "Gabriela", "Paula", "Carolina"),
        ("Carlos", "Andrés", "Diego", "Javier", "Luis", "Alejandro", "Sebastián"),
        ("González", "Rodríguez", "Martínez", "López", "Hernández", "Ramírez", "Torres",
         "Castillo", "Rojas", "Vargas"),
    ),
    "brazil": _Origin(
        {"BR": "pt"}, False,
        ("Ana", "Juliana", "Fernanda", "Beatriz", "Larissa"),
        ("Mateus", "Rafael", "Felipe", "Thiago", "Gustavo"),
        ("Silva", "Pereira", "Oliveira", "Santos", "Costa", "Almeida", "Souza"),
    ),
    "west_africa_en": _Origin(
        {"NG": "yo", "GH": "ak"}, False,
        ("Chioma", "Ngozi", "Funmilayo", "Ama", "Abena", "Adwoa"),
        ("Chinedu", "Emeka", "Tunde", "Kwame", "Kofi", "Yaw"),
        ("Okafor", "Adeyemi", "Nwosu", "Okonkwo", "Mensah", "Osei", "Boateng", "Asante"),
    ),
    "horn_of_africa": _Origin(
        {"ET": "am", "ER": "ti"}, False,
        ("Hiwot", "Selam", "Meron", "Saba", "Tsion"),
        ("Dawit", "Yonas", "Samuel", "Biniam", "Tesfay"),
        ("Tesfaye", "Haile", "Bekele", "Abebe", "Gebremedhin", "Kidane", "Girma"),
    ),
    "ukraine": _Origin(
        {"UA": "uk"}, False,
        ("Olena", "Iryna", "Oksana", "Natalia", "Kateryna", "Yulia"),
        ("Andriy", "Dmytro", "Oleksandr", "Taras", "Serhiy", "Bohdan"),
        ("Kovalenko", "Shevchenko", "Bondarenko", "Melnyk", "Kravchuk", "Tkachenko",
         "Boyko"),
    ),
    "maghreb": _Origin(
        {"MA": "ar", "DZ": "ar", "TN": "ar"}, True,
        ("Amina", "Khadija", "Samira", "Imane", "Nadia", "Sarah", "Yasmine", "Leïla"),
        ("Mohamed", "Karim", "Mehdi", "Youssef", "Rachid", "Nabil", "Hicham", "Sofiane"),
        ("Benali", "El Amrani", "Bouzid", "Haddadi", "Cherif", "Mansouri", "Belkacem",
         "Trabelsi", "Ouali", "Zeroual"),
    ),
    "west_africa_fr": _Origin(
        {"SN": "wo", "CI": "fr", "BJ": "fr", "ML": "bm", "GN": "ff"}, True,
        ("Fatou", "Aminata", "Mariam", "Aïcha", "Awa", "Rokia"),
        ("Moussa", "Ibrahima", "Mamadou", "Koffi", "Ousmane", "Seydou"),
        ("Diallo", "Ndiaye", "Traoré", "Koné", "Sow", "Diop", "Kouassi", "Camara", "Bamba"),
    ),
    "central_africa_fr": _Origin(
        {"CM": "fr", "CD": "ln", "RW": "rw", "BI": "rn"}, True,
        ("Clarisse", "Grace", "Solange", "Inès", "Josiane", "Chantal"),
        ("Serge", "Patrice", "Emmanuel", "Didier", "Jean-Baptiste", "Thierry"),
        ("Kabongo", "Mbarga", "Nkurunziza", "Uwimana", "Habimana", "Tchoumi", "Mukendi",
         "Ngono"),
    ),
    "haiti": _Origin(
        {"HT": "ht"}, True,
        ("Roseline", "Nadège", "Widline", "Marie-Carmel", "Guerline"),
        ("Jean-Robert", "Wilner", "Frantz", "Réginald", "Jocelyn"),
        ("Joseph", "Pierre", "Jean-Louis", "Charles", "Baptiste", "Étienne", "Désir",
         "Augustin"),
    ),
    "europe_fr": _Origin(
        {"FR": "fr", "BE": "fr", "CH": "fr"}, True,
        ("Camille", "Claire", "Élodie", "Manon", "Julie", "Sophie"),
        ("Julien", "Thomas", "Nicolas", "Mathieu", "Antoine", "Guillaume"),
        ("Martin", "Bernard", "Dubois", "Lefebvre", "Moreau", "Laurent", "Girard", "Mercier"),
    ),
}  # fmt: skip

# The world region each origin's people may declare as their background (never inferred:
# the demo draws who chose to declare it).
_ORIGIN_REGIONS = {
    "canada_en": "north_america", "canada_fr": "north_america", "india": "south_asia",
    "pakistan_bangladesh": "south_asia", "china": "east_asia", "korea": "east_asia",
    "vietnam": "southeast_asia", "philippines": "southeast_asia", "middle_east": "middle_east",
    "iran_afghanistan": "middle_east", "spanish_america": "latin_america", "brazil": "latin_america",
    "west_africa_en": "west_africa", "horn_of_africa": "east_africa", "ukraine": "eastern_europe",
    "maghreb": "north_africa", "west_africa_fr": "west_africa", "central_africa_fr": "central_africa",
    "haiti": "caribbean", "europe_fr": "western_europe",
}  # fmt: skip

# Where each agency's clients come from (weights): the francophone centre serves
# mostly francophone Africa, the Maghreb, Haiti and France.
_AGENCY_ORIGINS: dict[str, dict[str, int]] = {
    _RIDEAU: {"india": 12, "pakistan_bangladesh": 8, "middle_east": 18, "china": 8,
             "korea": 2, "vietnam": 3, "philippines": 6, "spanish_america": 9, "brazil": 3,
             "iran_afghanistan": 10, "west_africa_en": 8, "horn_of_africa": 5, "ukraine": 6,
             "maghreb": 2},
    _BYTOWN: {"india": 14, "pakistan_bangladesh": 8, "china": 10, "korea": 2, "vietnam": 3,
             "middle_east": 12, "spanish_america": 9, "brazil": 3, "ukraine": 8,
             "west_africa_en": 8, "horn_of_africa": 4, "philippines": 6,
             "iran_afghanistan": 6, "maghreb": 4},
    _EST: {"maghreb": 30, "west_africa_fr": 18, "central_africa_fr": 17, "haiti": 15,
          "europe_fr": 12, "middle_east": 8},
}  # fmt: skip
_AGENCY_SHARE = {_RIDEAU: 35, _BYTOWN: 33, _EST: 32}
_AGENCY_CITIES: dict[str, dict[str, int]] = {
    _RIDEAU: {"Ottawa": 55, "Vanier": 10, "Nepean": 12, "Barrhaven": 8, "Kanata": 8,
             "Gloucester": 7},
    _BYTOWN: {"Ottawa": 45, "Nepean": 15, "Kanata": 12, "Barrhaven": 10, "Stittsville": 5,
             "Gloucester": 8, "Orléans": 5},
    _EST: {"Orléans": 35, "Ottawa": 30, "Vanier": 18, "Gloucester": 12, "Rockland": 5},
}  # fmt: skip
# Many mentors were newcomers themselves.
_MENTOR_ORIGINS = {
    "canada_en": 40, "canada_fr": 20, "india": 5, "pakistan_bangladesh": 2, "china": 4,
    "vietnam": 1, "middle_east": 5, "spanish_america": 3, "brazil": 2, "ukraine": 2,
    "maghreb": 4, "west_africa_fr": 2, "central_africa_fr": 2, "west_africa_en": 2,
    "horn_of_africa": 1, "iran_afghanistan": 2, "philippines": 1,
}  # fmt: skip
_MENTOR_CITIES = {
    "Ottawa": 40, "Kanata": 15, "Orléans": 9, "Nepean": 8, "Barrhaven": 5, "Gatineau": 12,
    "Vanier": 4, "Stittsville": 3, "Gloucester": 4,
}  # fmt: skip
_QUEBEC_CITIES = frozenset({"Gatineau"})


@dataclass(frozen=True)
class _MentorPool:
    slug: str
    size: int
    affiliation: MentorAffiliation
    occupations: dict[str, int]
    naics: str | None  # the organization's own industry, when it has one


_MENTOR_POOLS = (
    _MentorPool(_NORTHBRIDGE, 54, MentorAffiliation.EMPLOYER,
                {"software": 40, "data": 15, "it": 15, "engineering": 10, "hr": 8,
                 "finance": 7, "business": 5}, "5415"),
    _MentorPool(_ASSOCIATION, 63, MentorAffiliation.ASSOCIATION,
                {"finance": 30, "hr": 18, "business": 15, "engineering": 22, "science": 7,
                 "health": 8}, None),
    _MentorPool(_COLLEGE, 35, MentorAffiliation.EMPLOYER,
                {"education": 30, "it": 15, "health": 25, "science": 10, "software": 10,
                 "design": 10}, "6112"),
    _MentorPool(_HUB, 47, MentorAffiliation.INDIVIDUAL, _NEWCOMER_OCCUPATIONS, None),
)  # fmt: skip
# Weekly slots people actually offer: evenings, weekends, a few weekday afternoons.
_MENTOR_SLOTS = {
    "mon_evening": 6, "tue_evening": 9, "wed_evening": 9, "thu_evening": 8, "fri_afternoon": 3,
    "wed_afternoon": 3, "sat_morning": 7, "sat_afternoon": 3, "sun_afternoon": 3,
}  # fmt: skip
_NEWCOMER_SLOTS = sorted(AVAILABILITY_SLOTS - {"sat_evening", "sun_evening", "fri_evening"})

# --- Texts, as (English, French): French ones written for francophones -----------------

_Text = tuple[str, str]
_REFERRAL_NOTES: tuple[_Text, ...] = (
    ("Action plan ready; résumé reviewed at the agency.",
     "Plan d'action prêt; CV révisé avec l'organisme."),
    ("Client attended our job-search workshop and is ready for a mentor.",
     "La personne a suivi notre atelier de recherche d'emploi et est prête pour un mentorat."),
    ("Strong profile; prefers evening meetings.",
     "Profil solide; préfère des rencontres en soirée."),
)  # fmt: skip
_SELF_REFERRAL_NOTE: _Text = (
    "I would like a mentor who works in my field in Ottawa.",
    "J'aimerais rencontrer une personne mentore qui travaille dans mon domaine à Ottawa.",
)
_ADMISSION_NOTES: tuple[_Text, ...] = (
    ("Criteria verified at the needs-assessment meeting; orientation booked.",
     "Critères vérifiés lors de l'évaluation des besoins; séance d'orientation réservée."),
    ("Eligible; attended the orientation session.",
     "Admissible; a assisté à la séance d'orientation."),
)  # fmt: skip
_RETURN_REASONS: dict[str, _Text] = {
    "language": (
        "Language benchmark below CLB 5 in English and French: an enhanced language "
        "training course first would help.",
        "Niveau de compétence linguistique inférieur à NCLC 5 en français et en anglais : "
        "un cours de formation linguistique serait utile d'abord.",
    ),
    "workshop": (
        "Has not attended a job-search workshop yet: please register the client in the "
        "next one and refer again.",
        "N'a pas encore suivi d'atelier de recherche d'emploi : inscrire la personne au "
        "prochain atelier, puis la diriger de nouveau.",
    ),
    "residence": (
        "Lives in Gatineau (Quebec): the program serves Ontario residents; a Quebec program "
        "would fit better.",
        "Réside à Gatineau (Québec) : le programme s'adresse aux résidents de l'Ontario; un "
        "programme québécois conviendrait mieux.",
    ),
    "status": (
        "Temporary resident or refugee claimant: the program is open to permanent "
        "residents, citizens and Convention refugees.",
        "Statut de résident temporaire ou de demandeur d'asile : le programme s'adresse aux "
        "résidents permanents, aux citoyens et aux réfugiés au sens de la Convention.",
    ),
    "training": (
        "Trained in Canada: the program serves internationally trained professionals.",
        "Formation acquise au Canada : le programme s'adresse aux personnes formées à l'étranger.",
    ),
}
_FAILURES = {"language": 6, "workshop": 6, "residence": 3, "status": 4, "training": 1}
_ACTION_STEPS: tuple[_Text, ...] = (
    ("Adapt the résumé to Canadian conventions.", "Adapter le CV aux usages canadiens."),
    ("Practise behavioural interview questions.",
     "S'exercer aux questions d'entrevue comportementale."),
    ("List 20 target employers in Ottawa.", "Dresser une liste de 20 employeurs cibles à Ottawa."),
    ("Hold two informational interviews with people in the field.",
     "Faire deux entrevues d'information avec des gens du domaine."),
    ("Start the credential assessment with the regulatory body.",
     "Entreprendre l'évaluation des diplômes auprès de l'ordre professionnel."),
    ("Update the LinkedIn profile and join two local groups.",
     "Mettre à jour le profil LinkedIn et se joindre à deux groupes locaux."),
)  # fmt: skip
_CASE_NOTES: tuple[_Text, ...] = (
    ("Intake done; childcare in the evenings is a constraint.",
     "Accueil fait; la garde des enfants le soir est une contrainte."),
    ("Needs-assessment completed; credential evaluation (WES) in progress.",
     "Évaluation des besoins faite; évaluation des diplômes (WES) en cours."),
    ("Works part time in retail while looking for work in the field.",
     "Travaille à temps partiel dans la vente en attendant un emploi dans son domaine."),
    ("", ""),
)  # fmt: skip
_GOAL_EXTRAS: tuple[_Text, ...] = (
    ("Open to a first contract or a bridging role.",
     "Ouverture à un premier contrat ou à un poste de transition."),
    ("Would like to meet people at the City of Ottawa or in the federal public service.",
     "Aimerait rencontrer des gens de la Ville d'Ottawa ou de la fonction publique fédérale."),
    ("Interested in the Kanata North technology park.",
     "Intérêt pour le parc technologique de Kanata-Nord."),
    ("", ""),
)  # fmt: skip
_MEETING_NOTES: tuple[_Text, ...] = (
    ("Reviewed the résumé and tailored it to a posting.",
     "Révision du CV et adaptation à une offre d'emploi."),
    ("Mock interview with behavioural questions; worked on STAR answers.",
     "Simulation d'entrevue comportementale; travail sur la méthode STAR."),
    ("Mapped local employers and three people to contact.",
     "Repérage d'employeurs locaux et de trois personnes à contacter."),
    ("Talked about licensing steps and how long they take.",
     "Discussion des étapes d'obtention du permis et des délais."),
    ("LinkedIn profile review and message templates for networking.",
     "Révision du profil LinkedIn et modèles de messages de réseautage."),
    ("Prepared an informational interview for next week.",
     "Préparation d'une entrevue d'information pour la semaine prochaine."),
    ("Went to a sector networking event together.",
     "Participation ensemble à une activité de réseautage du secteur."),
    ("Debrief after a real interview; next steps agreed.",
     "Retour sur une vraie entrevue; prochaines étapes convenues."),
)  # fmt: skip
_MEETING_MODES = {
    MeetingMode.VIDEO: 40, MeetingMode.IN_PERSON: 35, MeetingMode.PHONE: 20,
    MeetingMode.EMAIL: 5,
}  # fmt: skip
_MENTOR_DECLINES: tuple[_Text, ...] = (
    ("I am away on a work assignment for the next two months.",
     "Je serai en affectation à l'extérieur pour les deux prochains mois."),
    ("I think someone closer to this specialty would help more.",
     "Une personne plus proche de cette spécialité serait plus utile."),
)  # fmt: skip
_MENTEE_DECLINES: tuple[_Text, ...] = (
    ("The client would prefer a mentor who works in the public sector.",
     "La personne préférerait une personne mentore du secteur public."),
    ("The client starts a bridging program next month and cannot commit now.",
     "La personne commence un programme relais le mois prochain et ne peut pas s'engager."),
)  # fmt: skip
# The program's survey, asked at midpoint and at completion.
_SURVEY_QUESTIONS = (
    lifecycle.QuestionData(
        QuestionKind.SCALE,
        text_en="How useful was the mentoring for your job search?",
        text_fr="Le mentorat vous a-t-il été utile dans votre recherche d’emploi ?",
        scale_min=1,
        scale_max=5,
        min_label_en="Not at all",
        min_label_fr="Pas du tout",
        max_label_en="Very useful",
        max_label_fr="Très utile",
    ),
    lifecycle.QuestionData(
        QuestionKind.TEXT,
        text_en="What would you change in the program?",
        text_fr="Que changeriez-vous au programme ?",
        position=1,
    ),
)
_EXTENSION_REASONS: tuple[_Text, ...] = (
    ("Extended to finish mock interviews before a hiring process.",
     "Prolongé pour terminer les simulations d'entrevue avant un processus d'embauche."),
    ("Extended: the licensing exam is next month.",
     "Prolongé : l'examen d'accès à la profession a lieu le mois prochain."),
)  # fmt: skip
_COMPLETION_REASONS: tuple[_Text, ...] = (
    ("Goals of the action plan met.", "Objectifs du plan d'action atteints."),
    ("End of the term; the client feels ready for the job search.",
     "Fin de la période; la personne se sent prête pour sa recherche d'emploi."),
)  # fmt: skip
_FOUND_JOB: _Text = (
    "The client found a full-time job in their field.",
    "La personne a trouvé un emploi à temps plein dans son domaine.",
)
_EARLY_ENDINGS: tuple[_Text, ...] = (
    _FOUND_JOB,
    ("The mentor was transferred to Toronto.", "La personne mentore a été mutée à Toronto."),
    ("Scheduling conflicts: the client started evening classes.",
     "Conflits d'horaire : la personne a commencé des cours du soir."),
    ("The client moved to Calgary for a job offer.",
     "La personne a déménagé à Calgary pour une offre d'emploi."),
)  # fmt: skip
_OUTCOME_NOTES: tuple[_Text, ...] = (
    ("Confirmed by phone.", "Confirmé par téléphone."),
    ("Confirmed by email with the client.", "Confirmé par courriel avec la personne."),
    ("", ""),
)  # fmt: skip

# --- The stories -------------------------------------------------------------------------


class _Stage(enum.Enum):
    """Where a newcomer's story stops on the day of seeding."""

    REGISTERED = "registered"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    READMITTED = "readmitted"  # returned, prepared by the agency, referred and admitted
    WITHDRAWN = "withdrawn"
    ADMITTED = "admitted"
    PROPOSED = "proposed"
    REPROPOSED = "reproposed"  # a first proposal declined, the second one pending
    EXPIRED = "expired"
    ACTIVE = "active"
    EXTENDED = "extended"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"


_STAGE_COUNTS = {
    _Stage.REGISTERED: 38, _Stage.SUBMITTED: 24, _Stage.RETURNED: 22, _Stage.READMITTED: 6,
    _Stage.WITHDRAWN: 14, _Stage.ADMITTED: 24, _Stage.PROPOSED: 16, _Stage.REPROPOSED: 6,
    _Stage.EXPIRED: 10, _Stage.ACTIVE: 52, _Stage.EXTENDED: 8, _Stage.COMPLETED: 66,
    _Stage.ENDED_EARLY: 14,
}  # fmt: skip
# Newcomers who also get an account (besides the demo login): they log meetings and
# report outcomes themselves. Argon2 hashing is slow, so only a few.
_ACCOUNTS = {_Stage.ACTIVE: 4, _Stage.COMPLETED: 3, _Stage.PROPOSED: 1, _Stage.ADMITTED: 1}

_SIDES = ("mentor", "mentee")
_TERM_DAYS = 84  # the open program's 12 weeks
# Each outcome stage and a number of days after closure by which it is due whatever the
# lengths of the months in between (3 months are at most 92 days, 6 at most 184...).
_FOLLOW_UPS = (
    (OutcomeStage.CLOSURE, 0),
    (OutcomeStage.MONTH_3, 92),
    (OutcomeStage.MONTH_6, 184),
    (OutcomeStage.MONTH_12, 366),
)
# The open plugin's criteria, and the reason staff give when one fails.
_RULE_FAILURES = {
    "open.language_benchmark": "language",
    "open.job_search_workshop": "workshop",
    "open.provincial_resident": "residence",
    "open.admitted_immigrant_or_refugee": "status",
    "open.trained_abroad": "training",
}
_MENTOR_LOGIN = f"mentor@{_NORTHBRIDGE}.{DEMO_DOMAIN}"
_MENTEE_LOGIN = f"newcomer@{DEMO_DOMAIN}"
_T = TypeVar("_T")
Step = Callable[[], Awaitable[object]]


def _known(value: _T | None) -> _T:
    """A row an earlier step of the story created; replay order guarantees it."""
    if value is None:
        raise RuntimeError("demo step replayed before the step it depends on")
    return value


def _say(text: _Text, language: Language) -> str:
    return text[1] if language == Language.FR else text[0]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in plain.lower() if char.isalnum() or char == "-")


@dataclass(frozen=True)
class _Skill:
    """A language and its Canadian Language Benchmark, as register_mentee takes them."""

    language: str
    clb: int


@dataclass
class _PlannedStep:
    days_ago: int
    order: int
    evening: bool
    run: Step


@dataclass(order=True)
class _Event:
    moment: datetime
    order: int
    run: Step = field(compare=False)


@dataclass
class _Story:
    """One newcomer's path through the flow: planned first, then replayed."""

    stage: _Stage
    agency: str
    occupation: _Occupation
    profile: dict[str, Any]
    french: bool
    program_staff: Actor
    account: bool = False
    mentor_email: str | None = None  # proposed to this mentor instead of the matcher's pick
    agreement_days: int | None = None
    steps: list[_PlannedStep] = field(default_factory=list)
    # Set while replaying. Holding the rows also keeps them in the session's identity
    # map (which references objects weakly), so the services' lookups by id at each
    # later step need no query.
    mentee: MenteeProfile | None = None
    mentee_actor: Actor | None = None
    referral: Referral | None = None
    proposal: MatchProposal | None = None
    mentor: MentorProfile | None = None
    mentorship: Mentorship | None = None

    def plan(self, days_ago: int, run: Step, *, evening: bool = False) -> None:
        self.steps.append(_PlannedStep(days_ago, len(self.steps), evening, run))

    def say(self, text: _Text) -> str:
        """In the newcomer's language, which the pair and their file use."""
        return _say(text, Language.FR if self.french else Language.EN)


def _actor(user: User, organization_id: uuid.UUID, role: Role) -> Actor:
    roles = frozenset({role})
    return Actor(
        user_id=user.id,
        display_name=user.display_name,
        language=Language(user.preferred_language),
        organization_id=organization_id,
        roles=roles,
        memberships={organization_id: roles},
    )


class _Seeder:
    def __init__(self, session: AsyncSession, seed: int, anchor: datetime, password_hash: str):
        self.session = session
        self.rng = random.Random(seed)
        self.anchor = anchor
        self.password_hash = password_hash
        self.organizations: dict[str, Organization] = {}
        self.staff: dict[str, Actor] = {}  # by email
        self.program: Program | None = None
        self.mentor_actors: dict[uuid.UUID, Actor] = {}
        self.mentors: dict[str, MentorProfile] = {}  # by email
        self.emails: set[str] = {staff.email for staff in _STAFF} | {_MENTOR_LOGIN, _MENTEE_LOGIN}
        self.events: list[_Event] = []

    # --- helpers ---------------------------------------------------------------------

    def moment(self, days_ago: int, hour: int = 9) -> datetime:
        return self.anchor - timedelta(days=days_ago) + timedelta(hours=hour)

    def day(self, days_ago: int) -> date:
        return (self.anchor - timedelta(days=days_ago)).date()

    def pick(self, weights: Mapping[_T, int]) -> _T:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def staff_of(self, slug: str, mailbox: str = "coordinator") -> Actor:
        return self.staff[f"{mailbox}@{slug}.{DEMO_DOMAIN}"]

    def unique_email(self, local: str, domain: str) -> str:
        candidate, number = f"{local}@{domain}", 1
        while candidate in self.emails:
            number += 1
            candidate = f"{local}{number}@{domain}"
        self.emails.add(candidate)
        return candidate

    def schedule(self, steps: list[_PlannedStep]) -> None:
        """Give each step a moment on its day (office hours, meetings in the evening),
        keeping the steps of one story in their planned order."""
        last: datetime | None = None
        for step in sorted(steps, key=lambda step: (-step.days_ago, step.order)):
            if step.days_ago < 1:
                raise ValueError("demo steps happen before the day of seeding")
            hours = (18, 21) if step.evening else (9, 16)
            moment = self.moment(step.days_ago, self.rng.randint(*hours)) + timedelta(
                minutes=self.rng.randrange(60)
            )
            if last is not None and moment <= last:
                moment = last + timedelta(minutes=self.rng.randint(1, 15))
            self.events.append(_Event(moment, len(self.events), step.run))
            last = moment

    # --- phase 1: organizations, staff, the program ------------------------------------

    async def set_up(self) -> None:
        with clock.frozen_at(self.moment(760, 10)):
            for org in _ORGANIZATIONS:
                self.organizations[org.slug] = await organizations.create_organization(
                    self.session, org.slug, org.name_en, org.name_fr, org.kind, "ON", org.city
                )
            for staff in _STAFF:
                user = await accounts.create_user(
                    self.session,
                    staff.email,
                    staff.name,
                    None,
                    staff.language,
                    password_hash=self.password_hash,
                )
                organization_id = self.organizations[staff.slug].id
                self.session.add(
                    Membership(user_id=user.id, organization_id=organization_id, role=staff.role)
                )
                self.staff[staff.email] = _actor(user, organization_id, staff.role)
        hub_admin = self.staff_of(_HUB, "admin")
        with clock.frozen_at(self.moment(750, 11)):
            await organizations.set_plugin_enabled(self.session, hub_admin, "open", True)
        with clock.frozen_at(self.moment(745, 14)):
            program = await programs.create_program(
                self.session,
                hub_admin,
                ProgramData(
                    program_type="open",
                    name_en="Career Mentoring Program",
                    name_fr="Programme de mentorat professionnel",
                    description_en="Skilled newcomers meet a professional of their field "
                    "about one hour a week for three months, in English or in French.",
                    description_fr="Les personnes immigrantes qualifiées rencontrent une "
                    "personne de leur domaine environ une heure par semaine pendant trois "
                    "mois, en français ou en anglais.",
                    capacity=_PROGRAM_CAPACITY,
                    languages=["en", "fr"],
                ),
            )
        with clock.frozen_at(self.moment(744, 10)):
            # The collaborative chose to weigh declared backgrounds and work styles a little.
            await matching.update_matching_settings(
                self.session, hub_admin, program.id, weights=[("culture", 0.05), ("work_style", 0.05)]
            )
            for question in _SURVEY_QUESTIONS:
                await lifecycle.add_survey_question(self.session, hub_admin, program.id, question)
        self.program = program

    # --- phase 2: planning -------------------------------------------------------------

    def plan(self) -> None:
        self.plan_mentor_login()
        for pool in _MENTOR_POOLS:
            for index in range(pool.size):
                self.plan_mentor(pool, index)
        for story in self.stories():
            self.plan_story(story)
            self.schedule(story.steps)

    def plan_mentor_login(self) -> None:
        data = MentorData(
            occupation_noc="21231",
            job_title="Principal Software Engineer",
            industry_naics="5415",
            years_local_experience=14,
            languages=["en", "fr", "pt"],
            city="Kanata",
            capacity=3,
            availability=["tue_evening", "thu_evening", "sat_morning"],
            bio="Principal software engineer at Northbridge. I came to Canada from Brazil "
            "myself and remember how hard the first Canadian job was. Happy to help with "
            "résumés, technical interviews and introductions.",
            affiliation=MentorAffiliation.EMPLOYER,
        )
        join = partial(self.join_as_mentor, _NORTHBRIDGE, _MENTOR_LOGIN, "Sofia Martins", Language.EN, data)
        self.schedule([_PlannedStep(700, 0, False, join)])

    def plan_mentor(self, pool: _MentorPool, index: int) -> None:
        rng = self.rng
        occupation = _OCCUPATIONS[self.pick(pool.occupations)]
        origin_key = self.pick(_MENTOR_ORIGINS)
        origin = _ORIGINS[origin_key]
        female = rng.random() < 0.5
        first = rng.choice(origin.female if female else origin.male)
        last = rng.choice(origin.last)
        country, mother_tongue = rng.choice(sorted(origin.mother_tongues.items()))
        if origin.francophone:
            languages = ["fr", "en"] if rng.random() < 0.85 else ["fr"]
        else:
            languages = ["en", "fr"] if rng.random() < 0.25 else ["en"]
        if mother_tongue not in ("en", "fr") and rng.random() < 0.85:
            languages.append(mother_tongue)
        french = origin.francophone
        if french:
            masculine, feminine = rng.choice(occupation.titles_fr)
            title = feminine if female else masculine
        else:
            title = rng.choice(occupation.titles_en)
        # A few mentors lack the two years of local experience the open program asks for:
        # the eligibility plugin keeps them out of its suggestions.
        years = rng.randint(0, 1) if index % 35 == 7 else rng.randint(2, 28)
        city = self.pick(_MENTOR_CITIES)
        visibility, shared = MentorVisibility.PLATFORM, []
        if pool.slug != _HUB:
            draw = rng.random()
            if draw < 0.08:
                visibility = MentorVisibility.OWN_ORGANIZATION
            elif draw < 0.15:
                visibility = MentorVisibility.CHOSEN_ORGANIZATIONS
                agencies = rng.sample(_AGENCIES, 2)
                chosen = [_HUB, agencies[0]] if rng.random() < 0.7 else agencies
                shared = [self.organizations[slug].id for slug in chosen]
        data = MentorData(
            occupation_noc=rng.choice(occupation.nocs),
            job_title=title,
            industry_naics=pool.naics or rng.choice(occupation.naics),
            years_local_experience=years,
            languages=languages,
            city=city,
            province="QC" if city in _QUEBEC_CITIES else "ON",
            open_to_virtual=rng.random() < 0.85,
            capacity=self.pick({1: 40, 2: 40, 3: 20}),
            availability=self.sample_slots(_MENTOR_SLOTS, rng.randint(2, 4)),
            bio=self.mentor_bio(title, years, country, french),
            affiliation=pool.affiliation,
            visibility=visibility,
            shared_with_organization_ids=shared,
            **self.declared_traits(origin_key, declare=0.6),
        )
        email = self.unique_email(f"{_ascii(first)}.{_ascii(last)}", f"{pool.slug}.{DEMO_DOMAIN}")
        # A first cohort was recruited before the launch; the pool has grown since.
        joined = rng.randint(700, 730) if rng.random() < 0.35 else rng.randint(15, 700)
        join = partial(
            self.join_as_mentor,
            pool.slug,
            email,
            f"{first} {last}",
            Language.FR if french else Language.EN,
            data,
        )
        self.schedule([_PlannedStep(joined, 0, False, join)])

    def declared_traits(self, origin_key: str, *, declare: float) -> dict[str, Any]:
        """What some people chose to declare for matching: a background, and answers
        to the work-style questionnaire."""
        rng = self.rng
        backgrounds = [_ORIGIN_REGIONS[origin_key]] if rng.random() < declare else []
        answers = {item: rng.randint(1, 5) for item in WORK_STYLE_ITEMS} if rng.random() < 0.4 else {}
        return {"cultural_backgrounds": backgrounds, "work_style": answers}

    def sample_slots(self, weights: Mapping[str, int], count: int) -> list[str]:
        slots: set[str] = set()
        while len(slots) < count:
            slots.add(self.pick(weights))
        return sorted(slots)

    def mentor_bio(self, title: str, years: int, country: str, french: bool) -> str:
        if french:
            text = f"{title}, {years} ans d'expérience dans la région d'Ottawa."
        else:
            text = f"{title} with {years} years of experience in the Ottawa area."
        if country != "CA":
            origin = Locale("fr" if french else "en").territories[country]
            text += (
                f" J'ai moi-même immigré au Canada (pays d'origine : {origin})."
                if french
                else f" I came to Canada from {origin} myself."
            )
        text += (
            " Je peux aider pour le CV, les entrevues et le réseautage."
            if french
            else " Happy to help with résumés, interviews and networking."
        )
        return text

    def stories(self) -> list[_Story]:
        """Three stories the demo logins need, then the rest in a seeded order."""
        software = _OCCUPATIONS["software"]
        newcomer = self.story(_Stage.ACTIVE, _RIDEAU, software, account=True, origin="india")
        newcomer.profile.update(
            first_name="Ravi", last_name="Krishnan", email=_MENTEE_LOGIN, target_noc="21232", city="Kanata"
        )
        newcomer.agreement_days = 45  # long enough for a meeting log
        history = self.story(_Stage.COMPLETED, self.pick(_AGENCY_SHARE), software)
        waiting = self.story(_Stage.PROPOSED, self.pick(_AGENCY_SHARE), software)
        special = [newcomer, history, waiting]
        for story in special:
            story.mentor_email = _MENTOR_LOGIN
        stages = [stage for stage, count in _STAGE_COUNTS.items() for _ in range(count)]
        for story in special:
            stages.remove(story.stage)
        self.rng.shuffle(stages)
        accounts_left = dict(_ACCOUNTS)
        generic = []
        for stage in stages:
            account = accounts_left.get(stage, 0) > 0
            if account:
                accounts_left[stage] -= 1
            occupation = _OCCUPATIONS[self.pick(_NEWCOMER_OCCUPATIONS)]
            generic.append(self.story(stage, self.pick(_AGENCY_SHARE), occupation, account))
        return special + generic

    def story(
        self,
        stage: _Stage,
        agency: str,
        occupation: _Occupation,
        account: bool = False,
        origin: str | None = None,
    ) -> _Story:
        failure = None
        if stage == _Stage.RETURNED or (stage == _Stage.SUBMITTED and self.rng.random() < 0.15):
            failure = self.pick(_FAILURES)
        elif stage == _Stage.READMITTED:
            failure = "workshop"
        workshop = failure != "workshop" and (stage != _Stage.REGISTERED or self.rng.random() < 0.6)
        profile, french = self.newcomer_profile(agency, occupation, failure, workshop, origin)
        if account:  # user emails are unique, clients' file emails need not be
            local = f"{_ascii(profile['first_name'])}.{_ascii(profile['last_name'])}"
            profile["email"] = self.unique_email(local, "example.com")
        hub = self.staff_of(_HUB, self.rng.choice(("coordinator", "facilitator")))
        return _Story(stage, agency, occupation, profile, french, hub, account)

    def newcomer_profile(
        self,
        agency: str,
        occupation: _Occupation,
        failure: str | None,
        workshop: bool,
        origin_key: str | None,
    ) -> tuple[dict[str, Any], bool]:
        rng = self.rng
        origins = _AGENCY_ORIGINS[agency]
        if failure == "language":  # francophones have French: their benchmark is high
            origins = {key: weight for key, weight in origins.items() if not _ORIGINS[key].francophone}
        origin_key = origin_key or self.pick(origins)
        origin = _ORIGINS[origin_key]
        female = rng.random() < 0.5
        first = rng.choice(origin.female if female else origin.male)
        last = rng.choice(origin.last)
        country, mother_tongue = rng.choice(sorted(origin.mother_tongues.items()))
        french = origin.francophone
        if french:
            skills = [_Skill("fr", rng.randint(7, 10))]
            if rng.random() < 0.6:
                skills.append(_Skill("en", rng.randint(4, 8)))
        elif failure == "language":
            skills = [_Skill("en", 4)]
        else:
            skills = [_Skill("en", rng.randint(5, 10))]
            if rng.random() < 0.15:
                skills.append(_Skill("fr", rng.randint(3, 6)))
        # Benchmarks measure English and French only; a mother tongue is recorded at the
        # top of the scale so that the matcher can find mentors who share it.
        if mother_tongue not in ("en", "fr"):
            skills.append(_Skill(mother_tongue, 12))
        city = "Gatineau" if failure == "residence" else self.pick(_AGENCY_CITIES[agency])
        if failure == "status":
            status = rng.choice((ImmigrationStatus.TEMPORARY_RESIDENT, ImmigrationStatus.REFUGEE_CLAIMANT))
        else:
            status = self.pick(
                {
                    ImmigrationStatus.PERMANENT_RESIDENT: 80,
                    ImmigrationStatus.CONVENTION_REFUGEE: 12,
                    ImmigrationStatus.NATURALIZED_CITIZEN: 8,
                }
            )
        trained_in = "CA" if failure == "training" else country
        language = Language.FR if french else Language.EN
        credential = rng.choice(occupation.credentials_fr if french else occupation.credentials_en)
        place = Locale(language).territories[trained_in]
        experience = rng.randint(2, 15)
        goal = _say((occupation.goal_en, occupation.goal_fr), language)
        extra = _say(rng.choice(_GOAL_EXTRAS), language)
        steps = rng.sample(_ACTION_STEPS, 3)
        local = f"{_ascii(first)}.{_ascii(last)}"
        profile: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "email": f"{local}@example.{rng.choice(('com', 'org', 'net'))}" if rng.random() < 0.8 else None,
            "phone": f"{rng.choice(('613', '343'))}-555-01{rng.randrange(100):02d}",
            "immigration_status": status,
            "country_of_training": trained_in,
            "credentials": [
                f"{credential} ({place})",
                f"{experience} ans d'expérience" if french else f"{experience} years of experience",
            ],
            "target_noc": rng.choice(occupation.nocs),
            "industry_naics": rng.choice(occupation.naics) if rng.random() < 0.5 else None,
            "languages": skills,
            "preferred_language": language,
            "city": city,
            "province": "QC" if city in _QUEBEC_CITIES else "ON",
            "career_goal": f"{goal} {extra}".strip(),
            "availability": sorted(rng.sample(_NEWCOMER_SLOTS, rng.randint(2, 5))),
            "action_plan": "\n".join(
                f"{number}. {_say(step, language)}" for number, step in enumerate(steps, 1)
            ),
            "job_search_workshop": workshop,
            "open_to_virtual": rng.random() < 0.9,
            **self.declared_traits(origin_key, declare=0.5),
            "case_notes": _say(rng.choice(_CASE_NOTES), language),
        }
        return profile, french

    # --- planning one story ----------------------------------------------------------

    def plan_story(self, story: _Story) -> None:
        rng, stage = self.rng, story.stage
        if stage == _Stage.REGISTERED:
            self.plan_registration(story, rng.randint(1, 90))
        elif stage == _Stage.SUBMITTED:
            self.plan_referral(story, rng.randint(1, 20))
        elif stage in (_Stage.RETURNED, _Stage.READMITTED):
            returned = rng.randint(60, 300) if stage == _Stage.READMITTED else rng.randint(2, 400)
            self.plan_referral(story, returned + rng.randint(2, 12))
            story.plan(returned, partial(self.return_referral, story))
            if stage == _Stage.READMITTED:
                prepared = returned - rng.randint(10, 40)
                story.plan(prepared, partial(self.attend_workshop, story))
                referred = prepared - rng.randint(1, 3)
                story.plan(referred, partial(self.refer, story))
                story.plan(referred - rng.randint(2, 10), partial(self.admit, story))
        elif stage == _Stage.WITHDRAWN:
            withdrawn = rng.randint(3, 300)
            if rng.random() < 0.5:
                self.plan_referral(story, withdrawn + rng.randint(2, 20))
            else:
                self.plan_admission(story, withdrawn + rng.randint(5, 40))
            story.plan(withdrawn, partial(self.withdraw, story))
        elif stage == _Stage.ADMITTED:
            self.plan_admission(story, rng.randint(1, 45))
        elif stage == _Stage.PROPOSED:
            proposed = rng.randint(2, 10)
            self.plan_proposal(story, proposed)
            if story.mentor_email is not None:
                # The agency said yes for its client; the mentor login still has to answer.
                story.plan(proposed - 1, partial(self.answer, story, "mentee", True))
            elif rng.random() < 0.4:
                side = rng.choice(_SIDES)
                story.plan(rng.randint(1, proposed - 1), partial(self.answer, story, side, True))
        elif stage == _Stage.REPROPOSED:
            proposed = rng.randint(1, 10)
            self.plan_declined_proposal(story, proposed + rng.randint(1, 7))
            story.plan(proposed, partial(self.propose, story))
        elif stage == _Stage.EXPIRED:
            # Proposed longer ago than proposals wait, and never answered by both.
            proposed = get_settings().proposal_ttl_days + rng.randint(5, 180)
            self.plan_proposal(story, proposed)
            if rng.random() < 0.4:
                side = rng.choice(_SIDES)
                story.plan(proposed - rng.randint(1, 5), partial(self.answer, story, side, True))
        else:
            self.plan_mentorship(story)

    def plan_registration(self, story: _Story, registered: int) -> None:
        story.profile["arrival_date"] = self.day(registered + self.rng.randint(60, 1800))
        story.plan(registered, partial(self.register, story))

    def plan_referral(self, story: _Story, referred: int) -> None:
        self.plan_registration(story, referred + self.rng.randint(1, 20))
        story.plan(referred, partial(self.refer, story))

    def plan_admission(self, story: _Story, admitted: int) -> None:
        self.plan_referral(story, admitted + self.rng.randint(2, 12))
        story.plan(admitted, partial(self.admit, story))

    def plan_proposal(self, story: _Story, proposed: int) -> None:
        """Admitted, then a wait for the right mentor, then proposed."""
        self.plan_admission(story, proposed + self.rng.randint(3, 35))
        story.plan(proposed, partial(self.propose, story))

    def plan_declined_proposal(self, story: _Story, declined: int) -> None:
        self.plan_proposal(story, declined + self.rng.randint(1, 5))
        side = self.rng.choice(_SIDES)
        reason = self.rng.choice(_MENTOR_DECLINES if side == "mentor" else _MENTEE_DECLINES)
        story.plan(declined, partial(self.answer, story, side, False, reason))

    def plan_mentorship(self, story: _Story) -> None:
        rng, stage = self.rng, story.stage
        closed: int | None = None
        extension_weeks = 0
        if stage == _Stage.ACTIVE:
            agreement = story.agreement_days or rng.randint(3, 80)
        elif stage == _Stage.EXTENDED:
            # Past the 12-week term, extended far enough to be still running today.
            agreement = rng.randint(80, 115)
            extension_weeks = rng.choice((6, 8))
        elif stage == _Stage.COMPLETED:
            closed = rng.randint(3, 440)
            extension_weeks = rng.choice((4, 6)) if rng.random() < 0.15 else 0
            agreement = closed + _TERM_DAYS + 7 * extension_weeks + rng.randint(-10, 7)
        else:
            closed = rng.randint(3, 330)
            agreement = closed + rng.randint(14, 60)
        first_answer = agreement + rng.randint(1, 4)
        proposed = first_answer + rng.randint(1, 5)
        if story.mentor_email is None and rng.random() < 0.15:
            self.plan_declined_proposal(story, proposed + rng.randint(1, 7))
            story.plan(proposed, partial(self.propose, story))
        else:
            self.plan_proposal(story, proposed)
        first, second = rng.sample(_SIDES, 2)
        story.plan(first_answer, partial(self.answer, story, first, True))
        story.plan(agreement, partial(self.answer, story, second, True))
        self.plan_meetings(story, agreement, closed or 0)
        if extension_weeks:
            extended = agreement - rng.randint(70, 78)
            story.plan(extended, partial(self.extend, story, extension_weeks))
        if closed is None:
            return
        if stage == _Stage.COMPLETED:
            status, reason = MentorshipStatus.COMPLETED, rng.choice(_COMPLETION_REASONS)
        else:
            status, reason = MentorshipStatus.ENDED_EARLY, rng.choice(_EARLY_ENDINGS)
        story.plan(closed, partial(self.close, story, status, reason))
        self.plan_outcomes(story, closed, found_job=reason == _FOUND_JOB)

    def plan_meetings(self, story: _Story, agreement: int, closed: int) -> None:
        """About weekly from the agreement to the closure (or yesterday), a few missed."""
        day, number = agreement - self.rng.randint(2, 6), 0
        while day > closed:
            if self.rng.random() < 0.85:
                story.plan(day, partial(self.meet, story, self.day(day), number), evening=True)
                number += 1
            day -= self.rng.randint(5, 9)

    def plan_outcomes(self, story: _Story, closed: int, *, found_job: bool) -> None:
        statuses = self.trajectory(found_job)
        jobs = {status: self.job_noc(story, status) for status in dict.fromkeys(statuses)}
        for (stage, due_after), status in zip(_FOLLOW_UPS, statuses, strict=True):
            day = closed - due_after - self.rng.randint(0, 12)
            if day < 1:
                break
            if stage != OutcomeStage.CLOSURE and self.rng.random() < 0.1:
                continue  # a follow-up call nobody made: shows as overdue
            note = self.rng.choice(_OUTCOME_NOTES)
            story.plan(day, partial(self.record_outcome, story, stage, status, jobs[status], note))

    def trajectory(self, found_job: bool) -> list[EmploymentStatus]:
        """Employment at closure, 3, 6 and 12 months. Most find work in their field
        within the year (67% in the Toronto program), often after a stopgap job."""
        if found_job:
            return [EmploymentStatus.EMPLOYED_IN_FIELD] * len(_FOLLOW_UPS)
        final = self.pick(
            {
                EmploymentStatus.EMPLOYED_IN_FIELD: 60,
                EmploymentStatus.EMPLOYED_RELATED_FIELD: 15,
                EmploymentStatus.EMPLOYED_OUTSIDE_FIELD: 10,
                EmploymentStatus.IN_TRAINING: 5,
                EmploymentStatus.SEARCHING: 10,
            }
        )
        before = self.pick(
            {
                EmploymentStatus.SEARCHING: 70,
                EmploymentStatus.IN_TRAINING: 15,
                EmploymentStatus.EMPLOYED_OUTSIDE_FIELD: 15,
            }
        )
        turn = self.pick({0: 30, 1: 30, 2: 25, 3: 15})
        return [before if index < turn else final for index in range(len(_FOLLOW_UPS))]

    def job_noc(self, story: _Story, status: EmploymentStatus) -> str | None:
        target: str = story.profile["target_noc"]
        if status == EmploymentStatus.EMPLOYED_IN_FIELD:
            return target
        if status == EmploymentStatus.EMPLOYED_RELATED_FIELD:
            return self.rng.choice([noc for noc in story.occupation.nocs if noc != target] or [target])
        if status == EmploymentStatus.EMPLOYED_OUTSIDE_FIELD:
            return self.rng.choice(_STOPGAP_NOCS)
        return None

    # --- phase 3: replay, each step as the person who takes it -----------------------

    async def replay(self) -> None:
        for event in sorted(self.events):
            with clock.frozen_at(event.moment):
                await event.run()

    async def join_as_mentor(
        self, slug: str, email: str, name: str, language: Language, data: MentorData
    ) -> None:
        user = await accounts.create_user(
            self.session, email, name, None, language, password_hash=self.password_hash
        )
        organization_id = self.organizations[slug].id
        self.session.add(Membership(user_id=user.id, organization_id=organization_id, role=Role.MENTOR))
        actor = _actor(user, organization_id, Role.MENTOR)
        mentor = await mentors.save_my_mentor_profile(self.session, actor, data)
        self.mentor_actors[mentor.id] = actor
        self.mentors[email] = mentor

    async def register(self, story: _Story) -> None:
        mentee = await mentees.register_mentee(
            self.session,
            self.staff_of(story.agency),
            story.profile,
            account_password=DEMO_PASSWORD if story.account else None,
        )
        story.mentee = mentee
        if mentee.user_id is not None:
            user = await self.session.get_one(User, mentee.user_id)
            story.mentee_actor = _actor(user, mentee.owner_organization_id, Role.MENTEE)

    async def refer(self, story: _Story) -> None:
        agency = self.staff_of(story.agency)
        if story.mentee_actor is not None and self.rng.random() < 0.5:
            actor, note = story.mentee_actor, story.say(_SELF_REFERRAL_NOTE)
        else:
            actor, note = agency, _say(self.rng.choice(_REFERRAL_NOTES), agency.language)
        referral = await referrals.submit_referral(
            self.session,
            actor,
            _known(story.mentee).id,
            _known(self.program).id,
            consent=True,
            note=note,
        )
        story.referral = referral

    async def review_file(self, story: _Story) -> None:
        """Program staff read the referred file before deciding: an audited read."""
        await mentees.get_mentee(self.session, story.program_staff, _known(story.mentee).id)

    async def admit(self, story: _Story) -> None:
        await self.review_file(story)
        note = _say(self.rng.choice(_ADMISSION_NOTES), self.staff_of(story.agency).language)
        await referrals.admit_referral(
            self.session, story.program_staff, _known(story.referral).id, note=note
        )
        # Orientation follows admission: the needs assessment, then the session.
        await self.orient(story.program_staff, mentee_id=_known(story.mentee).id)

    async def orient(
        self, staff: Actor, *, mentee_id: uuid.UUID | None = None, mentor_id: uuid.UUID | None = None
    ) -> None:
        """Record the orientation steps the person has not been through yet, today."""
        for entry in await lifecycle.orientation(
            self.session, staff, mentee_id=mentee_id, mentor_id=mentor_id
        ):
            if entry.record is None:
                await lifecycle.record_orientation_step(
                    self.session,
                    staff,
                    step=entry.step,
                    completed_on=clock.now().date(),
                    mentee_id=mentee_id,
                    mentor_id=mentor_id,
                )

    async def return_referral(self, story: _Story) -> None:
        await self.review_file(story)
        referral_id = _known(story.referral).id
        check = await referrals.check_eligibility(self.session, story.program_staff, referral_id)
        language = self.staff_of(story.agency).language
        reasons = [
            _say(_RETURN_REASONS[_RULE_FAILURES[record["rule"]]], language) for record in check.blocking
        ]
        await referrals.return_referral(self.session, story.program_staff, referral_id, reasons=reasons)

    async def attend_workshop(self, story: _Story) -> None:
        """The agency acts on the return reasons: the client attended the workshop."""
        await mentees.update_mentee(
            self.session,
            self.staff_of(story.agency),
            _known(story.mentee).id,
            {"job_search_workshop": True},
        )

    async def withdraw(self, story: _Story) -> None:
        await referrals.withdraw_referral(
            self.session, self.staff_of(story.agency), _known(story.referral).id
        )

    async def propose(self, story: _Story) -> None:
        referral_id = _known(story.referral).id
        if story.mentor_email is not None:
            mentor_id = self.mentors[story.mentor_email].id
        else:
            suggestions = await matching.suggest_mentors(
                self.session, story.program_staff, referral_id, limit=5
            )
            # The mentor login's capacity is kept for the stories its demo needs.
            reserved = self.mentors[_MENTOR_LOGIN].id
            choices = [found.mentor.id for found in suggestions.items if found.mentor.id != reserved]
            if not choices:
                raise RuntimeError("the demo mentor pool has no room left")
            # Staff mostly take the best suggestion, sometimes another of the top three.
            mentor_id = choices[0] if self.rng.random() < 0.8 else self.rng.choice(choices[:3])
        # A mentor's first proposal comes after their orientation and training.
        await self.orient(story.program_staff, mentor_id=mentor_id)
        proposal = await proposals.propose_match(self.session, story.program_staff, referral_id, mentor_id)
        story.proposal, story.mentor = proposal, await self.session.get_one(MentorProfile, mentor_id)

    async def answer(self, story: _Story, side: str, accept: bool, reason: _Text | None = None) -> None:
        if side == "mentor":
            actor = self.mentor_actors[_known(story.mentor).id]
            # The mentor reads the newcomer's card before answering: an audited read.
            await mentees.get_mentee(self.session, actor, _known(story.mentee).id)
            language = actor.language
        else:
            # The newcomer, or the agency on their behalf.
            actor = story.mentee_actor or self.staff_of(story.agency)
            language = Language.FR if story.french else Language.EN
        proposal = await proposals.answer_proposal(
            self.session,
            actor,
            _known(story.proposal).id,
            accept=accept,
            reason=_say(reason, language) if reason else "",
        )
        if proposal.status == ProposalStatus.ACCEPTED:
            story.mentorship = await self.session.scalar(
                select(Mentorship).where(col(Mentorship.proposal_id) == proposal.id)
            )
            # Both sides sign the agreement the platform drew up as the mentorship starts.
            mentorship_id = _known(story.mentorship).id
            await lifecycle.accept_agreement(
                self.session, self.mentor_actors[_known(story.mentor).id], mentorship_id
            )
            mentee_side = story.mentee_actor or self.staff_of(story.agency)
            await lifecycle.accept_agreement(self.session, mentee_side, mentorship_id)

    async def meet(self, story: _Story, occurred_on: date, number: int) -> None:
        mentor = _known(story.mentor)
        actor = self.mentor_actors[mentor.id]
        if story.mentee_actor is not None and self.rng.random() < 0.5:
            actor = story.mentee_actor
        in_french = story.french and "fr" in mentor.languages
        await mentorships.log_meeting(
            self.session,
            actor,
            _known(story.mentorship).id,
            occurred_on=occurred_on,
            minutes=self.pick({30: 10, 45: 15, 60: 50, 75: 10, 90: 15}),
            mode=self.pick(_MEETING_MODES),
            # The notes follow the usual course of a mentorship, résumé first.
            notes=_say(
                _MEETING_NOTES[number % len(_MEETING_NOTES)],
                Language.FR if in_french else Language.EN,
            ),
            notes_visibility=NotesVisibility.STAFF if self.rng.random() < 0.3 else NotesVisibility.PAIR,
        )

    async def extend(self, story: _Story, weeks: int) -> None:
        mentorship = _known(story.mentorship)
        await mentorships.extend_mentorship(
            self.session,
            story.program_staff,
            mentorship.id,
            new_end=mentorship.planned_end + timedelta(weeks=weeks),
            reason=story.say(self.rng.choice(_EXTENSION_REASONS)),
        )

    async def close(self, story: _Story, status: MentorshipStatus, reason: _Text) -> None:
        mentorship_id = _known(story.mentorship).id
        # The facilitator's check-ins that fell due, recorded as closure comes: most
        # pairs on track, every third needing a word (no draw: the story stays the same).
        for index, check_in in enumerate(
            await lifecycle.check_ins(self.session, story.program_staff, mentorship_id)
        ):
            if check_in.due_on <= clock.now().date():
                await lifecycle.record_check_in(
                    self.session,
                    story.program_staff,
                    check_in.id,
                    pair_status=PairStatus.NEEDS_ATTENTION if index % 3 == 2 else PairStatus.ON_TRACK,
                )
        await mentorships.close_mentorship(
            self.session,
            story.program_staff,
            mentorship_id,
            status=status,
            reason=story.say(reason),
        )
        if status != MentorshipStatus.COMPLETED:
            return
        await lifecycle.issue_certificate(self.session, story.program_staff, mentorship_id)
        if story.mentee_actor is not None:
            questions = await lifecycle.survey_questions(self.session, _known(self.program).id)
            usefulness = 3 + len(_known(story.mentee).first_name) % 3
            await lifecycle.answer_survey(
                self.session,
                story.mentee_actor,
                mentorship_id,
                stage=SurveyStage.COMPLETION,
                answers=[
                    lifecycle.AnswerData(question.id, scale_value=usefulness)
                    for question in questions
                    if question.kind == QuestionKind.SCALE
                ],
            )

    async def record_outcome(
        self,
        story: _Story,
        stage: OutcomeStage,
        status: EmploymentStatus,
        job_noc: str | None,
        note: _Text,
    ) -> None:
        # Program staff record the outcome at closure; later follow-ups come from the
        # agency, the program, or the newcomer reporting their own news.
        actor = story.program_staff
        if stage != OutcomeStage.CLOSURE:
            draw = self.rng.random()
            if story.mentee_actor is not None and draw < 0.4:
                actor = story.mentee_actor
            elif draw < 0.75:
                actor = self.staff_of(story.agency)
        await mentorships.record_outcome(
            self.session,
            actor,
            _known(story.mentorship).id,
            stage=stage,
            status=status,
            job_noc=job_noc,
            note=story.say(note),
        )


_LOGINS = (
    DemoLogin(
        Role.ORG_ADMIN.value,
        f"admin@{_HUB}.{DEMO_DOMAIN}",
        _HUB,
        "Administrator of the lead organization: enabled plugins and the Career Mentoring Program.",
    ),
    DemoLogin(
        Role.COORDINATOR.value,
        f"coordinator@{_HUB}.{DEMO_DOMAIN}",
        _HUB,
        "Program coordinator: admits or returns referrals, proposes matches with the "
        "matcher's help, extends and closes mentorships, records outcomes.",
    ),
    DemoLogin(
        Role.COORDINATOR.value,
        f"coordinator@{_RIDEAU}.{DEMO_DOMAIN}",
        _RIDEAU,
        "Agency coordinator: registers newcomers, refers them with consent, answers "
        "proposals on their behalf, follows up on outcomes.",
    ),
    DemoLogin(
        Role.COORDINATOR.value,
        f"coordinator@{_EST}.{DEMO_DOMAIN}",
        _EST,
        "Coordinator of the francophone agency, working in French.",
    ),
    DemoLogin(
        Role.ORG_ADMIN.value,
        f"admin@{_RIDEAU}.{DEMO_DOMAIN}",
        _RIDEAU,
        "Agency administrator: the audit trail shows who outside the agency read or "
        "changed its clients' files.",
    ),
    DemoLogin(
        Role.MENTOR.value,
        _MENTOR_LOGIN,
        _NORTHBRIDGE,
        "Mentor at an employer: one active mentorship (with the newcomer login), a "
        "completed one, and a proposal waiting for an answer.",
    ),
    DemoLogin(
        Role.MENTEE.value,
        _MENTEE_LOGIN,
        _RIDEAU,
        "Newcomer registered by an agency, in an active mentorship: meetings, action plan, own file.",
    ),
    DemoLogin(
        Role.EMPLOYER_REP.value,
        f"rep@{_NORTHBRIDGE}.{DEMO_DOMAIN}",
        _NORTHBRIDGE,
        "Employer representative who recruits mentors among colleagues.",
    ),
    DemoLogin(
        Role.VIEWER.value,
        f"viewer@{_HUB}.{DEMO_DOMAIN}",
        _HUB,
        "Read-only staff of the lead organization (a funder liaison): referrals, "
        "mentorships and outcomes, no changes.",
    ),
)


def demo_logins() -> list[DemoLogin]:
    """The people to sign in as, one or more per role; the same for every seed."""
    return list(_LOGINS)


async def seed_demo(
    sessions: async_sessionmaker[AsyncSession], *, seed: int = 2026
) -> list[DemoLogin] | None:
    """Seed the demo into an empty platform and return its logins (every role, all with
    ``DEMO_PASSWORD``); None, writing nothing, when any organization already exists.

    The history ends the day before ``clock.now()`` (today, unless the clock is frozen).
    It is written in one transaction: a seed that fails halfway leaves nothing behind,
    so the "already seeded" check stays truthful and the next run starts clean."""
    async with sessions() as session:
        if await session.scalar(select(col(Organization.id)).limit(1)) is not None:
            return None
        # Argon2 is deliberately slow: one hash serves every staff and mentor account.
        password_hash = security.hash_password(DEMO_PASSWORD)
        anchor = clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        with deterministic_ids(seed):
            seeder = _Seeder(session, seed, anchor, password_hash)
            await seeder.set_up()
            seeder.plan()
            await seeder.replay()
        await session.commit()
    return demo_logins()
