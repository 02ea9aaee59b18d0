"""The career-goal criterion's text similarity: a goal in French or English against mentor
job titles and bios in either language, through the bilingual career glossary."""

import csv

import numpy as np
import pytest

from core import taxonomy
from core.matching.text import GLOSSARY_PATH, SharedTerm, TextModel, glossary, similarity, terms

SOFTWARE_EN = "Software engineer with 10 years of experience"
NURSE_EN = "Registered nurse with 10 years of experience"
SOFTWARE_FR = "Ingénieure logiciel, 10 ans d'expérience dans la région d'Ottawa."
NURSE_FR = "Infirmière autorisée, 10 ans d'expérience dans la région d'Ottawa."
POOL = [
    SOFTWARE_EN,
    NURSE_EN,
    SOFTWARE_FR,
    NURSE_FR,
    "Civil Engineer, P.Eng. Happy to help with résumés, interviews and networking.",
    "Senior Accountant, CPA, with 15 years of experience in the Ottawa area.",
    "Comptable principale, 8 ans d'expérience. Je peux aider pour le CV et les entrevues.",
    "Pharmacist in a community pharmacy; I came to Canada from India myself.",
    "Développeuse full-stack, 6 ans d'expérience dans une entreprise de Kanata.",
    "High School Teacher and volunteer with newcomer families.",
]


@pytest.fixture(scope="module")
def model() -> TextModel:
    return TextModel.fit(POOL)


def scores(model: TextModel, goal: str, *experiences: str) -> list[float]:
    return [float(score) for score in similarity(model.vectors([goal]), model.vectors(experiences))[0]]


# --- Across languages ---------------------------------------------------------------------


def test_a_french_goal_finds_the_english_profile_of_its_field(model: TextModel) -> None:
    software, nurse = scores(model, "Travailler comme ingénieure logiciel à Ottawa", SOFTWARE_EN, NURSE_EN)
    assert software > nurse
    assert nurse == 0


def test_a_french_nursing_goal_finds_the_english_nurse(model: TextModel) -> None:
    software, nurse = scores(model, "Travailler comme infirmière à Ottawa", SOFTWARE_EN, NURSE_EN)
    assert nurse > software
    assert software == 0


def test_an_english_goal_finds_the_french_bio_of_its_field(model: TextModel) -> None:
    software, nurse = scores(model, "Find a software engineering job in Ottawa", SOFTWARE_FR, NURSE_FR)
    assert software > nurse
    nurse_goal = scores(model, "Work as a registered nurse again", SOFTWARE_FR, NURSE_FR)
    assert nurse_goal[1] > nurse_goal[0]


def test_a_french_bio_naming_an_english_title_meets_an_english_goal() -> None:
    assert "c:data_science" in terms("Data Scientist, 5 ans d'expérience au gouvernement fédéral")
    assert "c:data_science" in terms("Become a data scientist")


# --- Words ----------------------------------------------------------------------------------


def test_plurals_and_feminine_forms_match() -> None:
    assert terms("ingénieures") == terms("ingénieur") == terms("Engineers") == ["c:engineer"]
    # Outside the glossary too, through the French stemmer.
    assert terms("Je suis boulangère") == terms("Je suis boulanger") == terms("Nous sommes boulangers")


def test_accents_and_case_are_ignored() -> None:
    assert terms("ingenieur") == terms("INGÉNIEUR") == terms("ingénieur")
    assert terms("Je suis pâtissière") == terms("je suis patissiere")
    assert terms("Œuvres d'art") == terms("oeuvres d'art")


def test_stopwords_and_filler_are_no_terms() -> None:
    assert terms("the and of with à la de les des l'") == []
    assert terms("Happy to help with 12 years of experience in the Ottawa area, Canada") == []
    assert terms("Je peux aider : 12 ans d'expérience dans la région d'Ottawa au Canada") == []


def test_filler_counts_inside_a_glossary_phrase() -> None:
    assert terms("Canadian experience") == terms("expérience canadienne") == ["c:canadian_experience"]
    assert terms("help desk") == ["c:it_support"]


def test_stopwords_and_filler_are_never_shared(model: TextModel) -> None:
    goal = "I want to find work in the Ottawa area, where I hope my years of experience will help."
    experience = "Happy to help, with 20 years of experience in the Ottawa area of Canada."
    assert model.shared_terms(goal, experience) == []
    assert scores(model, goal, experience) == [0]


def test_a_phrase_does_not_run_across_punctuation() -> None:
    assert terms("network security") == ["c:security"]
    assert terms("networks, security") == ["c:networks", "c:security"]


def test_capitals_make_an_acronym_of_a_stopword() -> None:
    assert terms("IT manager") == ["c:information_technology", "c:management"]
    assert terms("it is done") == []


# --- Vectors and shared terms ---------------------------------------------------------------


def test_shared_terms_are_concepts_in_both_languages_largest_contribution_first() -> None:
    model = TextModel.fit(["Software engineer", "Civil engineer", "Mechanical engineer", "Electrical"])
    goal = "Travailler comme ingénieure logiciel"
    # "software" is rarer in the corpus than "engineer": it weighs more.
    shared = model.shared_terms(goal, "Software engineer")
    assert shared == [SharedTerm(en="software", fr="logiciel"), SharedTerm(en="engineer", fr="ingénieur")]
    assert model.shared_terms(goal, "Software engineer", limit=1) == shared[:1]


def test_a_shared_plain_word_shows_as_the_goal_wrote_it() -> None:
    model = TextModel.fit(["Boulanger depuis dix ans", "Comptable principale"])
    shared = model.shared_terms("Trouver un emploi de Boulangère", "Boulanger depuis dix ans")
    assert shared == [SharedTerm(en="boulangère", fr="boulangère")]


def test_an_empty_goal_is_similar_to_nothing(model: TextModel) -> None:
    for goal in ("", "   ", "de la, the and."):
        vector = model.vectors([goal])
        assert vector.nnz == 0
        assert not similarity(vector, model.vectors(POOL)).any()
        assert model.shared_terms(goal, SOFTWARE_EN) == []


def test_terms_outside_the_vocabulary_are_dropped(model: TextModel) -> None:
    vectors = model.vectors(["Pottery and sailing", "Pottery and software"])
    assert vectors[0].nnz == 0
    assert vectors[1].nnz == 1


def test_vectors_are_l2_normalised_float32(model: TextModel) -> None:
    vectors = model.vectors([*POOL, "", "the"])
    assert vectors.dtype == np.float32
    assert vectors.shape[0] == len(POOL) + 2
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    assert norms[: len(POOL)] == pytest.approx(1, abs=1e-6)
    assert list(norms[len(POOL) :]) == [0, 0]


def test_similarity_is_the_cosine_matrix(model: TextModel) -> None:
    goals = model.vectors(["Travailler comme ingénieure logiciel", "Infirmière"])
    pool = model.vectors(POOL)
    matrix = similarity(goals, pool)
    assert matrix.shape == (2, len(POOL))
    assert matrix[0] == pytest.approx((pool @ goals[0].T).toarray().ravel())
    assert similarity(pool, pool).diagonal() == pytest.approx(1, abs=1e-6)


def test_a_word_every_document_holds_counts_less_than_a_rare_one() -> None:
    model = TextModel.fit(["Cycling and pottery", "Cycling", "Cycling and chess", "Cycling and sailing"])
    common, rare = scores(model, "Cycling, pottery", "Cycling", "Pottery")
    assert rare > common > 0
    assert [term.en for term in model.shared_terms("Cycling, pottery", "Cycling and pottery")] == [
        "pottery",
        "cycling",
    ]


def test_results_are_deterministic() -> None:
    first, second = TextModel.fit(POOL), TextModel.fit(POOL)
    one, two = first.vectors(POOL), second.vectors(POOL)
    assert (one != two).nnz == 0
    assert (one.indices == two.indices).all()
    goal = "Décrocher un poste en comptabilité et devenir CPA"
    assert first.shared_terms(goal, POOL[5]) == second.shared_terms(goal, POOL[5]) != []


# --- Glossary -------------------------------------------------------------------------------


def test_the_glossary_file_is_well_formed() -> None:
    with GLOSSARY_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    keys = [row["concept"] for row in rows]
    assert len(keys) == len(set(keys))
    assert 250 <= len(keys) <= 400
    assert all(key.isascii() and key.replace("_", "").isalnum() and key.islower() for key in keys)
    for row in rows:
        assert row["en"].split("|")[0].strip() and row["fr"].split("|")[0].strip(), row["concept"]
    assert set(glossary()) == set(keys)


def test_every_glossary_entry_counts_as_its_concept() -> None:
    """No entry is stopwords alone, and none is taken by another concept."""
    for key, concept in glossary().items():
        for entry in concept.en:
            assert terms(f"With the {entry} and the") == [f"c:{key}"], entry
        for entry in concept.fr:
            assert terms(f"Avec le {entry} et les") == [f"c:{key}"], entry


def test_the_english_and_french_titles_of_every_noc_group_share_a_concept() -> None:
    with (taxonomy.DATA_DIR / taxonomy.FILES["noc"]).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            shared = set(terms(row["title_en"])) & set(terms(row["title_fr"]))
            assert any(term.startswith("c:") for term in shared), row["code"]
