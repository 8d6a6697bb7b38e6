/* A hash table of distinct str, looked up by the code points of a span of another str.
 *
 * Shared by the compiled modules that look words up where they stand in a text: the
 * dictionary segmenter's syllables (segmenters/_longest_match.c) and the TF-IDF step's
 * tokens (classifier/_token_ids.c). A key is hashed by FNV-1a over its code points,
 * whatever the kind of the str that holds it, so no str is made for a word; with
 * ``lowered``, a span is hashed and compared lower-cased character by character
 * (Py_UNICODE_TOLOWER). Everything here is static inline: each module gets its copy.
 */
#ifndef NEWSCAT_STR_TABLE_H
#define NEWSCAT_STR_TABLE_H

#include <Python.h>
#include <stdint.h>

/* Some characters of a str: data[start:end] of the given kind. */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t start, end;
} Span;

static inline Span
whole(PyObject *s)
{
    Span span = {PyUnicode_KIND(s), PyUnicode_DATA(s), 0, PyUnicode_GET_LENGTH(s)};
    return span;
}

static inline Span
sub(Span s, Py_ssize_t start, Py_ssize_t end)
{
    Span out = {s.kind, s.data, s.start + start, s.start + end};
    return out;
}

static inline Py_UCS4
at(Span s, Py_ssize_t i)
{
    return PyUnicode_READ(s.kind, s.data, s.start + i);
}

static inline Py_ssize_t
length(Span s)
{
    return s.end - s.start;
}

static inline Py_UCS4
folded(Py_UCS4 ch, int lowered)
{
    return lowered ? Py_UNICODE_TOLOWER(ch) : ch;
}

static inline uint64_t
span_hash(Span s, int lowered)
{
    uint64_t hash = 14695981039346656037ULL;
    for (Py_ssize_t i = 0; i < length(s); i++)
        hash = (hash ^ folded(at(s, i), lowered)) * 1099511628211ULL;
    return hash;
}

/* A power of two at least twice n: the slots of an open-addressing table of n keys. */
static inline size_t
table_size(Py_ssize_t n)
{
    size_t size = 8;
    while (size < 2 * (size_t)n)
        size *= 2;
    return size;
}

typedef struct {
    PyObject *keys;    /* a list or tuple of str, held: key i has id i */
    uint64_t *hashes;  /* the hash of each key with a slot */
    Py_ssize_t *slots; /* a key's id, or -1 for an empty slot */
    size_t mask;       /* slots - 1, slots a power of two */
} StrTable;

/* An empty table with room for ``capacity`` of the keys (a list or tuple, held);
 * -1 with MemoryError set. */
static inline int
str_table_init(StrTable *table, PyObject *keys, Py_ssize_t capacity)
{
    size_t size = table_size(capacity);
    table->hashes = PyMem_New(uint64_t, capacity ? capacity : 1);
    table->slots = PyMem_New(Py_ssize_t, size);
    if (table->hashes == NULL || table->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < size; i++)
        table->slots[i] = -1;
    table->mask = size - 1;
    Py_INCREF(keys);
    table->keys = keys;
    return 0;
}

static inline void
str_table_clear(StrTable *table)
{
    Py_CLEAR(table->keys);
    PyMem_Free(table->hashes);
    PyMem_Free(table->slots);
    table->hashes = NULL;
    table->slots = NULL;
}

/* The slot of the key equal to s (lowered: to s lower-cased), or of the empty slot
 * where it would go. */
static inline size_t
str_table_slot(const StrTable *table, uint64_t hash, Span s, int lowered)
{
    for (size_t slot = hash & table->mask;; slot = (slot + 1) & table->mask) {
        Py_ssize_t id = table->slots[slot];
        if (id < 0)
            return slot;
        PyObject *key = PySequence_Fast_GET_ITEM(table->keys, id);
        if (table->hashes[id] != hash || PyUnicode_GET_LENGTH(key) != length(s))
            continue;
        Span known = whole(key);
        Py_ssize_t i = 0;
        while (i < length(s) && at(known, i) == folded(at(s, i), lowered))
            i++;
        if (i == length(s))
            return slot;
    }
}

/* The id of the key equal to s (lowered: to s lower-cased), or -1. */
static inline Py_ssize_t
str_table_find(const StrTable *table, Span s, int lowered)
{
    return table->slots[str_table_slot(table, span_hash(s, lowered), s, lowered)];
}

/* Give key ``id`` (a str already at keys[id], within the capacity) its slot; the id of
 * an equal key that has one already, or -1. */
static inline Py_ssize_t
str_table_add(StrTable *table, Py_ssize_t id)
{
    Span s = whole(PySequence_Fast_GET_ITEM(table->keys, id));
    uint64_t hash = span_hash(s, 0);
    size_t slot = str_table_slot(table, hash, s, 0);
    if (table->slots[slot] >= 0)
        return table->slots[slot];
    table->slots[slot] = id;
    table->hashes[id] = hash;
    return -1;
}

#endif
