"""How close a newcomer's career goal is to a mentor's experience, in French or English.

Each text becomes a bag of terms and then an L2-normalised TF-IDF vector (sublinear term
frequency, smoothed IDF fitted on the mentor pool), so the career-goal criterion is the
cosine of two vectors and the engine scores one goal against the whole pool with one
sparse product, ``experiences @ goal.T``.

Why the terms look the way they do:

- A French goal must find an English profile and the other way round, so career words go
  through a bilingual glossary (``core/data/glossary.csv``): "ingénieures", "engineering"
  and "génie" all become the term ``c:engineer``. Other words stay words (``w:<stem>``)
  and only match texts in the same language.
- People type without accents, in the plural or the feminine: words are folded (case,
  accents, œ and æ) and stemmed with Snowball in the text's language, and glossary entries
  are analysed the same way, so "ingenieures" finds "Ingénieur".
- A shared term must mean a shared interest: stopwords of both languages go, and so does
  the filler every profile holds (years of experience, the Ottawa area, being happy to
  help, wanting to find work), unless it is part of a glossary phrase ("Canadian
  experience", "help desk").
- The engine explains a score with the terms both texts hold, in the reader's language:
  a concept has an English and a French label, a plain word shows as the goal wrote it.
- A pool of 100,000 profiles is vectorised in seconds: texts repeat their words, so the
  analysis of each distinct word is kept and a document costs a split, a dictionary
  look-up per word and array arithmetic.
"""

import csv
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain, compress, repeat
from operator import attrgetter
from pathlib import Path
from typing import Literal, Self

import numpy as np
import snowballstemmer
from scipy.sparse import csr_matrix

from core.taxonomy import _fold

Language = Literal["en", "fr"]

GLOSSARY_PATH = Path(__file__).parents[1] / "data" / "glossary.csv"

_OTHER: dict[Language, Language] = {"en": "fr", "fr": "en"}
# Words are runs of letters and digits, so apostrophes and hyphens split them
# ("l'expérience", "full-stack"). Punctuation between words, and a full stop that ends a
# word, are tokens too: a glossary phrase must not run across "networks, security".
_TOKEN = re.compile(r"[^\W_]+|[,;:!?()\[\]{}/|]|\.(?!\w)")
_WORD = re.compile(r"[^\W_]+")

_STOPWORDS_EN = """
a about above across after again against all almost along already also although always am
among an and another any anyone anything are around as at be because been before being
below between both but by can cannot could did do does doing done down during each either
else enough etc even ever every few for from further had has have having he her here hers
herself him himself his how however i if in into is it its itself just least less let like
made make many may me might mine more most much must my myself neither no nor not now of
off often on once one only onto or other others otherwise our ours ourselves out over own
per quite rather really same shall she should since so some something such than that the
their theirs them themselves then there therefore these they this those though through
throughout thus to together too toward towards under until upon us very via was we well
were what whatever when where whether which while who whom whose why will with within
without would yet you your yours yourself yourselves
s t d m ll re ve don doesn didn isn aren wasn weren haven hasn hadn couldn wouldn shouldn won
"""
_STOPWORDS_FR = """
à au aux avec ce ceci cela ça celle celles celui ces cet cette ceux chez comme dans de des du
elle elles en entre et eux il ils je la le les leur leurs lui ma mais me même mes moi mon ne
ni nos notre nous on ou où par pas pour que quel quelle quelles quels qui quoi sa sans se ses
si son sur ta te tes toi ton tu un une unes uns vos votre vous y ci là ici auprès
c d j l m n s t qu jusqu lorsqu puisqu quoiqu presqu quelqu
être été suis es est sommes êtes sont étais était étions étiez étaient serai seras sera serons
serez seront serais serait serions seraient sois soit soyons soient
avoir ai as a avons avez ont avais avait avions aviez avaient aurai aura aurons auront aurais
aurait aurions auraient aie ait eu eue eus
fait faire fais faisant font peux peut pouvons pouvez peuvent pourrai pourrait pourrais veux
veut voulons voudrais voudrait souhaite souhaiterais aimerais aimerait dois doit devons devrait
ainsi alors après assez aucun aucune aussi autant autre autres avant beaucoup bien car
cependant chaque déjà depuis donc dont encore enfin jamais lequel laquelle lesquels lesquelles
auquel auxquels duquel desquels moins notamment or parce parmi pendant peu plus plusieurs
plutôt pourquoi puis quand quelque quelques selon sous souvent surtout tant tel telle tels
telles toujours tous tout toute toutes très trop vers voici voilà afin contre
"""
# Words every goal or profile holds that say nothing about a shared interest: time spent,
# the region (location is another criterion's business), helping, looking for work, the
# program. Unlike stopwords they still count inside a glossary phrase ("Canadian
# experience", "start-up", "non-profit").
_FILLER = """
experience experiences experienced year years month months area areas region regions field
fields sector sectors happy glad help helping helped helps ottawa canada canadian canadians
ontario quebec gatineau kanata orleans nepean on qc city find finding get getting obtain
start starting begin move moving return returning become becoming want wanting looking
hope hoping work working worked works ideally meanwhile count counts way first new people
person someone thing things lot lots time times day days week weeks today next last great
good best love enjoy back came come immigrated immigrant immigrants newcomer newcomers related
company companies organization organizations office offices program programs programme
programmes up one two three four five six seven eight nine ten twenty
expérience expériences expérimenté expérimentée an ans année années mois région régions
domaine domaines secteur secteurs heureux heureuse ravi ravie aider aide aides canadien
canadienne canadiens canadiennes ontarien ontarienne ontariens québécois québécoise ville
trouver obtenir décrocher commencer reprendre retourner devenir chercher cherche travailler
travail travaille idéalement attendant pays origine immigré immigrée immigrés immigrante
nouvel nouveaux nouvelle arrivant arrivants gens personne personnes premier première nouveau
fois jour jours semaine semaines aujourd hui prochain prochaine prochains prochaines bon bonne
bons bonnes meilleur meilleure meilleurs meilleures premiers premières nouvelles
connexe connexes entreprise entreprises organisme organismes abord non
deux trois quatre cinq sept huit neuf dix vingt
"""


def _folded_set(words: str) -> frozenset[str]:
    return frozenset(_fold(word) for word in words.split())


def _written_set(words: str) -> frozenset[str]:
    """The forms a word may have in a text before folding, for counting stopwords on raw
    tokens: as listed, without accents, and capitalised at the start of a sentence."""
    forms = {form for word in words.split() for form in (word, _fold(word))}
    return frozenset(forms | {form.capitalize() for form in forms})


_STOPWORDS: dict[Language, frozenset[str]] = {
    "en": _folded_set(_STOPWORDS_EN),
    "fr": _folded_set(_STOPWORDS_FR),
}
_WRITTEN_STOPWORDS: dict[Language, frozenset[str]] = {
    "en": _written_set(_STOPWORDS_EN),
    "fr": _written_set(_STOPWORDS_FR),
}
# Texts mix languages (a French bio naming an English job title), so both lists are
# dropped from every text, except a French conjunction that is an English noun.
_DROPPED: dict[Language, frozenset[str]] = {
    "en": _STOPWORDS["en"] | (_STOPWORDS["fr"] - {"car"}),
    "fr": _STOPWORDS["fr"] | _STOPWORDS["en"],
}
_FILLERS = _folded_set(_FILLER)
# A word the other language's glossary column holds as written is read through it
# (French bios name English titles and tools, a bare title may be taken for the wrong
# language), except these false friends: an English "stage" is no internship nor a
# "placement" an investment, a French "licence" is a degree and a "résumé" a summary. A
# single word only as written, since stems of one language's words in the other's stemmer
# meet by accident ("date" and "data"); a phrase is specific enough to match by stems.
_NOT_BORROWED: dict[Language, frozenset[str]] = {
    "en": frozenset({"stage", "stages", "placement", "placements"}),
    "fr": frozenset({"licence", "licences", "resume", "resumes"}),
}

# --- Words ------------------------------------------------------------------------------

_STEMMERS = {"en": snowballstemmer.stemmer("english"), "fr": snowballstemmer.stemmer("french")}
# A Snowball stemmer keeps the word being stemmed in its own state.
_STEMMER_LOCK = threading.Lock()
# The French stemmer merges some feminine and plural forms but not others ("boulangers",
# "boulangère", "développeuse", "directrice", "employée"), and folding took away the
# accent its rules read in "sécurité": French words are brought to the masculine singular
# first, in texts and glossary alike.
_FRENCH_ENDINGS = {"euse": "eur", "trice": "teur", "ere": "er", "ive": "if", "ee": "e", "ite": "ité"}


def _french_base(folded: str) -> str:
    if len(folded) > 3 and folded.endswith("s") and not folded.endswith("ss"):
        folded = folded[:-1]
    for ending, replacement in _FRENCH_ENDINGS.items():
        if folded.endswith(ending):
            return folded[: -len(ending)] + replacement
    return folded


@lru_cache(maxsize=1 << 18)
def _stem(folded: str, language: Language) -> str:
    if language == "fr":
        folded = _french_base(folded)
    with _STEMMER_LOCK:
        stem: str = _STEMMERS[language].stemWord(folded)
    return _fold(stem)


def _is_stopword(token: str, folded: str, language: Language) -> bool:
    """Whether to drop the word; capitals make an acronym of it ("IT", "AI")."""
    return folded in _DROPPED[language] and not (len(token) > 1 and token.isupper())


def _language(tokens: Sequence[str]) -> Language:
    """The language with more distinct stopwords in the text; a text with as many of each
    (a bare job title) is French when it has letters outside ASCII."""
    english = len(_WRITTEN_STOPWORDS["en"].intersection(tokens))
    french = len(_WRITTEN_STOPWORDS["fr"].intersection(tokens))
    if english != french:
        return "en" if english > french else "fr"
    return "en" if all(token.isascii() for token in tokens) else "fr"


# --- Glossary ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Concept:
    """A row of the glossary: its words and phrases in each language, label first."""

    key: str
    en: tuple[str, ...]
    fr: tuple[str, ...]

    def entries(self, language: Language) -> tuple[str, ...]:
        return self.en if language == "en" else self.fr


def _entry_keys(entry: str, language: Language) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An entry's words folded, then stemmed, as in a text of its language."""
    folded = []
    for token in _WORD.findall(entry):
        word = _fold(token)
        if not _is_stopword(token, word, language):
            folded.append(word)
    return tuple(folded), tuple(_stem(word, language) for word in folded)


@cache
def glossary() -> dict[str, Concept]:
    """The concepts of ``core/data/glossary.csv`` by key. Refuses a row without an entry in
    each language, an entry of only stopwords, a single filler word, and the same words
    (accents and case aside, in either language) for two concepts."""
    concepts: dict[str, Concept] = {}
    owners: dict[tuple[str, ...], str] = {}
    with GLOSSARY_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = row["concept"]
            concept = Concept(key, _split(row["en"]), _split(row["fr"]))
            if key in concepts or not concept.en or not concept.fr:
                raise ValueError(f"glossary: concept {key!r} repeated or missing a language")
            for language in ("en", "fr"):
                for entry in concept.entries(language):
                    folded, _ = _entry_keys(entry, language)
                    if not folded or (len(folded) == 1 and folded[0] in _FILLERS):
                        raise ValueError(f"glossary: {entry!r} ({key}) holds no meaningful word")
                    if owners.setdefault(folded, key) != key:
                        raise ValueError(f"glossary: {entry!r} is in {owners[folded]!r} and {key!r}")
            concepts[key] = concept
    return concepts


def _split(cell: str) -> tuple[str, ...]:
    return tuple(entry.strip() for entry in cell.split("|") if entry.strip())


@dataclass(frozen=True, slots=True)
class _Index:
    """The glossary entries of one language, as word sequences → term."""

    exact: dict[tuple[str, ...], str]  # folded words
    stemmed: dict[tuple[str, ...], str]  # stems; a stem two concepts share matches neither
    # First word (folded or stem) of the entries of two words or more → the longest of
    # them, and the words (folded or stems) that may follow it.
    phrases: dict[str, tuple[int, frozenset[str]]]


@cache
def _indexes() -> dict[Language, _Index]:
    indexes: dict[Language, _Index] = {}
    for language in ("en", "fr"):
        exact: dict[tuple[str, ...], str] = {}
        stemmed: dict[tuple[str, ...], set[str]] = {}
        phrases: dict[str, tuple[int, frozenset[str]]] = {}
        for concept in glossary().values():
            term = "c:" + concept.key
            for entry in concept.entries(language):
                folded, stems = _entry_keys(entry, language)
                exact[folded] = term
                stemmed.setdefault(stems, set()).add(term)
                if len(folded) > 1:
                    for first in (folded[0], stems[0]):
                        longest, seconds = phrases.get(first, (0, frozenset()))
                        phrases[first] = (max(longest, len(folded)), seconds | {folded[1], stems[1]})
        # "network" (computers) and "networking" (people) share a stem: each still matches
        # its own forms exactly, but other forms of the stem must not pick one at random.
        unambiguous = {stems: terms.pop() for stems, terms in stemmed.items() if len(terms) == 1}
        indexes[language] = _Index(exact, unambiguous, phrases)
    return indexes


# --- Analysis ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)  # compared by identity, which is C-fast
class _Word:
    surface: str  # lower case, as written: the label of a plain-word term
    keys: tuple[str, str, str]  # folded, stem in the text's language, stem in the other
    term: str | None  # what the word counts as on its own; None for filler
    reach: int  # the longest glossary phrase that may start here, in words (0: none)
    seconds: frozenset[str]  # the keys the second word of such a phrase may have


_NO_KEYS = ("", "", "")
# Stands for punctuation: it counts for nothing and no glossary phrase holds it.
_BOUNDARY = _Word("", _NO_KEYS, None, 0, frozenset())
# The caches below are dictionaries that fill themselves, so that a document is looked up
# with ``map`` at C speed; emptied when full, so that a stream of new words cannot take
# all the memory.
_CACHE_LIMIT = 1 << 18


class _Chunks(dict[str, tuple[str, ...]]):
    """Whitespace-separated chunk of text → its tokens."""

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        tokens = self[chunk] = tuple(_TOKEN.findall(chunk))
        return tokens


class _Words(dict[str, _Word | None]):
    """Token → its analysis in a text of one language (None: a stopword)."""

    def __init__(self, language: Language) -> None:
        super().__init__()
        self.language = language

    def __missing__(self, token: str) -> _Word | None:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        word = self[token] = _word(token, self.language)
        return word


_CHUNKS = _Chunks()
_WORDS: dict[Language, _Words] = {"en": _Words("en"), "fr": _Words("fr")}


def _word(token: str, language: Language) -> _Word | None:
    """The analysis of a token in a text of ``language``; None for a stopword."""
    if not token[0].isalnum():
        return _BOUNDARY
    folded = _fold(token)
    if _is_stopword(token, folded, language):
        return None
    other = _OTHER[language]
    own_stem, other_stem = _stem(folded, language), _stem(folded, other)
    indexes = _indexes()
    own, foreign = indexes[language], indexes[other]
    borrowed = folded not in _NOT_BORROWED[language]
    term = own.exact.get((folded,)) or (foreign.exact.get((folded,)) if borrowed else None)
    if term is None and not (folded in _FILLERS or folded.isdigit() or len(folded) < 2):
        term = own.stemmed.get((own_stem,)) or "w:" + own_stem
    starts = [
        index.phrases[key]
        for index, key in ((own, folded), (own, own_stem), (foreign, folded), (foreign, other_stem))
        if key in index.phrases
    ]
    reach = max((longest for longest, _ in starts), default=0)
    seconds = frozenset[str]().union(*(following for _, following in starts))
    return _Word(token.lower(), (folded, own_stem, other_stem), term, reach, seconds)


@cache
def _concept_word(term: str) -> _Word:
    """What a glossary phrase counts as (concepts are labelled from the glossary)."""
    return _Word("", _NO_KEYS, term, 0, frozenset())


_REACH = attrgetter("reach")
_TERM = attrgetter("term")


def _analyse(text: str) -> list[_Word]:
    """The words of a text that count, in order, glossary phrases merged into one."""
    tokens = list(chain.from_iterable(map(_CHUNKS.__getitem__, text.split())))
    language = _language(tokens)
    words = list(filter(None, map(_WORDS[language].__getitem__, tokens)))
    # Few words may start a phrase, and fewer still are followed by a word that may
    # continue it: only there is a phrase looked up.
    starts = [
        position
        for position in compress(range(len(words) - 1), map(_REACH, words))
        if not words[position].seconds.isdisjoint(words[position + 1].keys)
    ]
    counted: list[_Word] = []
    done = 0
    for start in starts:
        if start < done:
            continue  # inside the phrase just found
        phrase = _phrase(words, start, language)
        if phrase is not None:
            length, term = phrase
            counted.extend(filter(_TERM, words[done:start]))
            counted.append(_concept_word(term))
            done = start + length
    counted.extend(filter(_TERM, words[done:]))
    return counted


def _phrase(words: Sequence[_Word], start: int, language: Language) -> tuple[int, str] | None:
    """The longest glossary phrase of two words or more at ``start``, as its length and
    term; at equal length the text's own language first."""
    indexes = _indexes()
    for length in range(min(words[start].reach, len(words) - start), 1, -1):
        span = words[start : start + length]
        folded = tuple(word.keys[0] for word in span)
        for side, index in enumerate((indexes[language], indexes[_OTHER[language]]), start=1):
            term = index.exact.get(folded) or index.stemmed.get(tuple(word.keys[side] for word in span))
            if term is not None:
                return length, term
    return None


def terms(text: str) -> list[str]:
    """The terms a text counts as, in order: ``c:<concept>`` for a glossary word or phrase,
    ``w:<stem>`` for another word."""
    return list(map(_TERM, _analyse(text)))


# --- Vectors ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SharedTerm:
    """A term a goal and an experience both hold, to show in either language."""

    en: str
    fr: str


class TextModel:
    """TF-IDF over the vocabulary of a corpus (the mentor pool's job titles and bios)."""

    def __init__(self, vocabulary: Mapping[str, int], idf: np.ndarray) -> None:
        self._vocabulary = dict(vocabulary)
        self._terms = sorted(self._vocabulary, key=self._vocabulary.__getitem__)
        self._idf = idf

    @classmethod
    def fit(cls, documents: Sequence[str]) -> Self:
        """Vocabulary and smoothed IDF, ``log((1 + n) / (1 + df)) + 1``: a term every
        document holds still counts a little, a rare one counts more."""
        analysed = [terms(document) for document in documents]
        vocabulary = {term: index for index, term in enumerate(dict.fromkeys(chain.from_iterable(analysed)))}
        counts = _counts(analysed, vocabulary)
        document_frequency = np.bincount(counts.indices, minlength=len(vocabulary))
        return cls(vocabulary, np.log((1 + len(documents)) / (1 + document_frequency)) + 1)

    def vectors(self, documents: Sequence[str]) -> csr_matrix:
        """One L2-normalised TF-IDF row per document (term frequency ``1 + log tf``),
        float32, of shape (documents, vocabulary). Terms the corpus never held are
        dropped; a text with none left is an all-zero row."""
        counts = _counts([terms(document) for document in documents], self._vocabulary)
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        weights = (1 + np.log(counts.data)) * self._idf[counts.indices]
        norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=counts.shape[0]))
        weights /= norms[rows]
        return csr_matrix((weights.astype(np.float32), counts.indices, counts.indptr), shape=counts.shape)

    def shared_terms(self, goal: str, experience: str, *, limit: int = 3) -> list[SharedTerm]:
        """The terms both texts hold, the largest contribution to their cosine first (then
        by term, so that ties come out the same every time)."""
        vectors = self.vectors([goal, experience])
        goal_row, experience_row = (
            dict(zip(vectors.indices[start:end], vectors.data[start:end], strict=True))
            for start, end in zip(vectors.indptr[:-1], vectors.indptr[1:], strict=True)
        )
        contributions = sorted(
            (-float(weight * experience_row[index]), self._terms[index])
            for index, weight in goal_row.items()
            if index in experience_row
        )
        surfaces: dict[str, str] = {}
        for word in _analyse(goal):
            if word.term is not None:
                surfaces.setdefault(word.term, word.surface)
        return [_label(term, surfaces) for _, term in contributions[:limit]]


def _label(term: str, surfaces: Mapping[str, str]) -> SharedTerm:
    if term.startswith("c:"):
        concept = glossary()[term[2:]]
        return SharedTerm(concept.en[0], concept.fr[0])
    return SharedTerm(surfaces[term], surfaces[term])


def _counts(analysed: Sequence[Sequence[str]], vocabulary: Mapping[str, int]) -> csr_matrix:
    """Term counts per document, terms outside the vocabulary left out."""
    lookup = vocabulary.get
    indices: list[int] = []
    for document in analysed:
        indices.extend(map(lookup, document, repeat(-1)))
    flat = np.array(indices, dtype=np.int64)
    known = flat >= 0
    rows = np.repeat(np.arange(len(analysed)), [len(document) for document in analysed])
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows[known], minlength=len(analysed)))))
    counts = csr_matrix(
        (np.ones(int(known.sum())), flat[known], indptr), shape=(len(analysed), len(vocabulary))
    )
    counts.sum_duplicates()
    return counts


def similarity(goals: csr_matrix, experiences: csr_matrix) -> np.ndarray:
    """Cosine of every goal with every experience, as a dense (goals, experiences) array:
    for tests and small inputs. On the whole pool the engine multiplies the pool matrix by
    one goal row instead, ``experiences @ goal.T``, and keeps the result sparse until it
    ranks. Float32 rounding may put a cosine a hair above 1."""
    return (goals @ experiences.T).toarray()
