"""The embedded search engine: tantivy, in-process, the default (nothing to install).

One index under ``<data_dir>/search/mentors`` (or in memory for tests), one writer guarded
by a lock, one reader reloaded after every commit so that a write is visible when the
method returns. tantivy calls block, so every method runs them in a worker thread.

Text matching (the same rules as the Meilisearch settings, as near as tantivy allows):

- the text fields go through one analyzer that splits on non-alphanumerics, lower-cases
  and folds accents to ASCII ("ingenieur" finds "Ingénieur", "oeuvre" finds "œuvre"); the
  query text goes through the same analyzer;
- every query word must match (AND across words); a word matches a document when any text
  field holds it (OR across fields): exactly, or within a Levenshtein distance of 1 for
  words of 4 to 7 letters and 2 for 8 letters and more (a transposition costs 1); the last
  word also matches as a prefix (search as you type, and "ingenieur" finds "ingenieure");
- tantivy scores every fuzzy or prefix hit 1.0, so the exact term query (BM25) is added
  boosted ×3: exact matches rank above typos; fields weigh job title > occupation titles
  > synonyms > bio;
- ties are broken by id, ascending, so pages are deterministic.

Queries are built with ``tantivy.Query`` constructors only, never parsed from user text.
"""

import asyncio
import json
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from itertools import groupby
from pathlib import Path
from typing import Any

import tantivy

from core.search.port import EVERYONE, FACETS, MentorDocument, MentorQuery, SearchResult

TOKENIZER = "tremplin_folded"
TEXT_FIELDS: dict[str, float] = {"job_title": 1.5, "occupation_titles": 1.2, "synonyms": 1.0, "bio": 0.6}
# Untokenized, multi-valued, fast: filters and facet counts.
RAW_FIELDS = (*FACETS, "audience", "province", "occupation_code")
_LIST_FIELDS = ("audience", "languages", "program_types")
# A bio's vocabulary is large: two typos there walk most of its term dictionary (about
# 5 ms a word on 100,000 mentors), so a bio word matches with one typo at most.
MAX_DISTANCE = {"job_title": 2, "occupation_titles": 2, "synonyms": 2, "bio": 1}
EXACT_BOOST = 3.0
MAX_WORDS = 16  # longer texts keep their first 16 distinct words (Meilisearch keeps 10)
MAX_FUZZY_LENGTH = 64  # a longer "word" is only matched exactly
# Hits tied at a page's end are ordered by id within this many hits past the page; beyond
# it (a huge tie) the engine's own deterministic order is kept.
TIE_WINDOW = 1_000
WRITER_HEAP = 50_000_000
FACET_SIZE = 1_000


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, fast=True, tokenizer_name="raw")
    # The id's first 8 bytes as a big-endian number: orders tied hits by id without
    # reading the stored documents (fast fields hold numbers cheaply, text less so).
    builder.add_unsigned_field("id_key", fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="freq")
    for name in RAW_FIELDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("document", stored=True)  # JSON, to rebuild the MentorDocument
    return builder.build()


def _encode(document: MentorDocument) -> bytes:
    return json.dumps(asdict(document), ensure_ascii=False, separators=(",", ":")).encode()


def _decode(data: bytes) -> MentorDocument:
    values: dict[str, Any] = json.loads(data)
    for name in _LIST_FIELDS:
        values[name] = tuple(values[name])
    return MentorDocument(**values)


def _count(result: tantivy.SearchResult) -> int:
    count: int | None = getattr(result, "count", None)  # asked for with count=True
    return count or 0


def _id_key(id_: str) -> int:
    return int.from_bytes(id_.encode()[:8].ljust(8, b"\0"), "big")


def _raw_values(document: MentorDocument, name: str) -> Iterable[str]:
    if name == "open_to_virtual":
        return ("true" if document.open_to_virtual else "false",)
    value = getattr(document, name)
    # An empty value ("" industry, unknown region) is not a facet value.
    return (value,) if isinstance(value, str) and value else tuple(v for v in value if v)


class EmbeddedSearch:
    name = "embedded"

    def __init__(self, directory: Path | None) -> None:
        self._directory = directory
        self._schema = _schema()
        self._analyzer = _analyzer()
        self._lock = threading.Lock()
        self._index = self._open()
        self._writer: tantivy.IndexWriter | None = None

    def _open(self) -> tantivy.Index:
        if self._directory is None:
            index = tantivy.Index(self._schema)
        else:
            self._directory.mkdir(parents=True, exist_ok=True)
            try:
                index = tantivy.Index(self._schema, str(self._directory), reuse=True)
            except ValueError:
                # An index written with another schema: the outbox rebuilds it.
                shutil.rmtree(self._directory)
                self._directory.mkdir(parents=True)
                index = tantivy.Index(self._schema, str(self._directory), reuse=True)
        # Custom tokenizers live in memory only: register them on every open.
        index.register_tokenizer(TOKENIZER, self._analyzer)
        index.config_reader(reload_policy="manual")
        return index

    # -- writes ---------------------------------------------------------------------------

    def _write(self, action: Any) -> None:
        with self._lock:
            if self._writer is None:  # lazily: the writer locks the directory
                self._writer = self._index.writer(heap_size=WRITER_HEAP)
            try:
                action(self._writer)
                self._writer.commit()
            except BaseException:
                self._writer.rollback()
                raise
            self._index.reload()

    def _to_tantivy(self, document: MentorDocument) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("id", document.id)
        doc.add_unsigned("id_key", _id_key(document.id))
        for name in TEXT_FIELDS:
            doc.add_text(name, getattr(document, name))
        for name in RAW_FIELDS:
            for value in _raw_values(document, name):
                doc.add_text(name, value)
        doc.add_bytes("document", _encode(document))
        return doc

    def _upsert(self, documents: Sequence[MentorDocument]) -> None:
        latest = {document.id: document for document in documents}  # the last one wins
        docs = [self._to_tantivy(document) for document in latest.values()]

        def action(writer: tantivy.IndexWriter) -> None:
            for id_, doc in zip(latest, docs, strict=True):
                writer.delete_documents_by_term("id", id_)
                writer.add_document(doc)

        self._write(action)

    async def configure(self) -> None:
        """Nothing to do: the schema is created with the index."""

    async def upsert(self, documents: Sequence[MentorDocument]) -> None:
        if documents:
            await asyncio.to_thread(self._upsert, documents)

    async def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return

        def action(writer: tantivy.IndexWriter) -> None:
            for id_ in set(ids):
                writer.delete_documents_by_term("id", id_)

        await asyncio.to_thread(self._write, action)

    async def clear(self) -> None:
        await asyncio.to_thread(self._write, lambda writer: writer.delete_all_documents())

    # -- reads ----------------------------------------------------------------------------

    def _text_query(self, text: str) -> tantivy.Query | None:
        words = list(dict.fromkeys(self._analyzer.analyze(text)))[:MAX_WORDS]
        if not words:
            return None
        schema = self._schema
        Q = tantivy.Query
        clauses = []
        for position, word in enumerate(words):
            last = position == len(words) - 1
            variants: list[tantivy.Query] = []
            distance = 0 if len(word) < 4 or len(word) > MAX_FUZZY_LENGTH else 1 if len(word) < 8 else 2
            for field, weight in TEXT_FIELDS.items():
                variants.append(Q.boost_query(Q.term_query(schema, field, word), EXACT_BOOST * weight))
                if distance:
                    fuzzy = Q.fuzzy_term_query(schema, field, word, min(distance, MAX_DISTANCE[field]), True)
                    variants.append(Q.boost_query(fuzzy, weight))
                if last and len(word) >= 2:
                    prefix = Q.fuzzy_term_query(schema, field, word, 0, True, True)
                    variants.append(Q.boost_query(prefix, weight))
            clauses.append(
                (tantivy.Occur.Must, Q.boolean_query([(tantivy.Occur.Should, q) for q in variants]))
            )
        return Q.boolean_query(clauses)

    def _query(self, query: MentorQuery) -> tuple[tantivy.Query, bool]:
        """The whole query (visibility, text, filters, exclusions), and whether it has text."""
        schema = self._schema
        Q = tantivy.Query
        unknown = set(query.filters) - set(FACETS) or set(query.facets) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facets: {sorted(unknown)}")
        clauses = [(tantivy.Occur.Must, Q.term_set_query(schema, "audience", [EVERYONE, query.organization]))]
        text = self._text_query(query.text)
        if text is not None:
            clauses.append((tantivy.Occur.Must, text))
        for facet, values in query.filters.items():
            clauses.append((tantivy.Occur.Must, Q.term_set_query(schema, facet, list(values))))
        if query.exclude_ids:
            clauses.append((tantivy.Occur.MustNot, Q.term_set_query(schema, "id", sorted(query.exclude_ids))))
        return Q.boolean_query(clauses), text is not None

    def _page(
        self, searcher: tantivy.Searcher, query: tantivy.Query, has_text: bool, offset: int, limit: int
    ) -> tuple[list[str], int]:
        if has_text:
            return self._ranked(searcher, query, offset, limit)
        # Every hit scores the same: the id order is the ranking.
        result = searcher.search(
            query, limit, count=True, order_by_field="id", order=tantivy.Order.Asc, offset=offset
        )
        return [key for key, _ in result.hits], _count(result)

    def _ranked(
        self, searcher: tantivy.Searcher, query: tantivy.Query, offset: int, limit: int
    ) -> tuple[list[str], int]:
        """The page ``[offset, offset + limit)`` by score descending, ties by id ascending."""
        end = offset + limit
        # Hits tied with the page's last one may lie beyond it: fetch a window past the page
        # (a larger top-k costs tantivy next to nothing).
        result = searcher.search(query, end + TIE_WINDOW, count=True)
        total, hits = _count(result), result.hits
        if offset >= len(hits) or limit == 0:
            return [], total
        # Only the hits scoring like the page's first or last one can move across its
        # bounds: order from the first hit tied with the page's first to the last hit tied
        # with the page's last; the hits before are strictly better.
        first_score, last_score = hits[offset][0], hits[min(end, len(hits)) - 1][0]
        start = offset
        while start > 0 and hits[start - 1][0] == first_score:
            start -= 1
        stop = min(end, len(hits))
        while stop < len(hits) and hits[stop][0] == last_score:
            stop += 1
        window = hits[start:stop]
        keys = searcher.fast_field_values("id_key", [address for _, address in window])
        rows = sorted(
            (-score, key or 0, position)
            for position, ((score, _), key) in enumerate(zip(window, keys, strict=True))
        )
        # Ids sharing their first 8 bytes (rare) need the stored id to compare.
        ordered: list[str] = []
        for _, group in groupby(rows, key=lambda row: row[:2]):
            members = [window[row[2]][1] for row in group]
            ordered.extend(sorted(searcher.doc(address)["id"][0] for address in members))
            if len(ordered) >= end - start:
                break
        return ordered[offset - start : end - start], total

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, facets: Sequence[str]
    ) -> dict[str, dict[str, int]]:
        # Facet counts are taken among the current matches, filters included ("faceted
        # search as filtered"): a filtered facet only counts its selected values. The
        # Meilisearch adapter counts the same way (its facetDistribution follows the filter).
        aggregations = {facet: {"terms": {"field": facet, "size": FACET_SIZE}} for facet in facets}
        answer: Mapping[str, Any] = searcher.aggregate(query, aggregations)
        return {
            facet: {bucket["key"]: bucket["doc_count"] for bucket in answer.get(facet, {}).get("buckets", [])}
            for facet in facets
        }

    def _documents(self) -> list[MentorDocument]:
        searcher = self._index.searcher()
        if not searcher.num_docs:
            return []
        hits = searcher.search(
            tantivy.Query.all_query(),
            searcher.num_docs,
            count=False,
            order_by_field="id",
            order=tantivy.Order.Asc,
        ).hits
        return [_decode(searcher.doc(address)["document"][0]) for _, address in hits]

    async def search(self, query: MentorQuery) -> SearchResult:
        if query.limit < 0 or query.offset < 0:
            raise ValueError("limit and offset must not be negative")
        tantivy_query, has_text = self._query(query)
        searcher = self._index.searcher()  # one snapshot for the page and the counts
        # tantivy releases the GIL: the page and the facet counts run side by side.
        page = asyncio.to_thread(self._page, searcher, tantivy_query, has_text, query.offset, query.limit)
        if not query.facets:
            ids, total = await page
            return SearchResult(ids=ids, total=total, facets={})
        (ids, total), facets = await asyncio.gather(
            page, asyncio.to_thread(self._facets, searcher, tantivy_query, query.facets)
        )
        return SearchResult(ids=ids, total=total, facets=facets)

    async def documents(self) -> list[MentorDocument]:
        return await asyncio.to_thread(self._documents)
