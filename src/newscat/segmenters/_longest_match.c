/* The dictionary segmenter's hot path in C: syllables and longest match.
 *
 * Same results as the pure-Python functions of dictionary.py (``syllables`` and
 * ``DictionarySegmenter._segment_line_python``), which remain the fallback where
 * this module cannot be built; tests compare the two on corpus text and on
 * random strings. Python's own str predicates are used character by character
 * (Py_UNICODE_ISALPHA and the like), so the rules are those of str.isalpha(),
 * str.islower(), str.istitle() and str.isdecimal(). Chunks that are not plain
 * words are handed to the Python callable ``regex_tokens`` (underthesea's
 * tokenizer regex), as the Python version does.
 *
 * A Lexicon holds the word trie as integers: each distinct syllable of the words
 * (and of the name titles) gets an id in a hash table over its code points
 * (../_str_table.h, shared with the TF-IDF step's token ids), each
 * trie node a number, and each edge (node, syllable) a slot of a second hash table.
 * A line's tokens stay spans of the line (or the strings regex_tokens gave); a
 * token's syllable id is found by hashing its characters lower-cased one by one
 * (str.lower() itself for the two characters whose lower case is not one simple
 * character: U+0130 and the final-sigma rule of U+03A3), and the segmented line is
 * written once, character by character.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "../_str_table.h"

/* ------------------------------------------------------------------ characters */

static int
alpha(Py_UCS4 ch)
{
    return Py_UNICODE_ISALPHA(ch);
}

static int
decimal(Py_UCS4 ch)
{
    return Py_UNICODE_ISDECIMAL(ch);
}

/* Every character passes test (and there is at least one): str.isalpha() with
 * alpha, str.isdecimal() with decimal. */
static int
all_chars(Span s, int (*test)(Py_UCS4))
{
    if (length(s) <= 0)
        return 0;
    for (Py_ssize_t i = 0; i < length(s); i++)
        if (!test(at(s, i)))
            return 0;
    return 1;
}

/* str.islower(): some cased character, none upper or title case. */
static int
is_lower(Span s)
{
    int cased = 0;
    for (Py_ssize_t i = 0; i < length(s); i++) {
        Py_UCS4 ch = at(s, i);
        if (Py_UNICODE_ISUPPER(ch) || Py_UNICODE_ISTITLE(ch))
            return 0;
        if (Py_UNICODE_ISLOWER(ch))
            cased = 1;
    }
    return cased;
}

/* str.istitle(): upper case only at the start of each run of cased characters. */
static int
is_title(Span s)
{
    int cased = 0, previous_is_cased = 0;
    for (Py_ssize_t i = 0; i < length(s); i++) {
        Py_UCS4 ch = at(s, i);
        if (Py_UNICODE_ISUPPER(ch) || Py_UNICODE_ISTITLE(ch)) {
            if (previous_is_cased)
                return 0;
            previous_is_cased = cased = 1;
        }
        else if (Py_UNICODE_ISLOWER(ch)) {
            if (!previous_is_cased)
                return 0;
            previous_is_cased = cased = 1;
        }
        else
            previous_is_cased = 0;
    }
    return cased;
}

/* dictionary._plain: letters only, and not cut by underthesea's Th.S pattern
 * (chunk[:2] == "Th" and chunk[3:4] in ("s", "S")). */
static int
is_plain(Span s)
{
    if (!all_chars(s, alpha))
        return 0;
    if (length(s) >= 4 && at(s, 0) == 'T' && at(s, 1) == 'h')
        return at(s, 3) != 's' && at(s, 3) != 'S';
    return 1;
}

/* ------------------------------------------------------------------ tokens */

/* A token: a span of the line, or of a string regex_tokens gave (held in owner). */
typedef struct {
    Span span;
    PyObject *owner;
    Py_ssize_t syllable; /* id of its lower case in the lexicon, or -1 */
} Token;

typedef struct {
    Token *items;
    Py_ssize_t size, capacity;
} Tokens;

static void
clear_tokens(Tokens *tokens)
{
    for (Py_ssize_t i = 0; i < tokens->size; i++)
        Py_XDECREF(tokens->items[i].owner);
    PyMem_Free(tokens->items);
    tokens->items = NULL;
    tokens->size = tokens->capacity = 0;
}

/* Append a token; owner (if any) is a new reference, which the tokens take. */
static int
push_token(Tokens *tokens, Span span, PyObject *owner)
{
    if (tokens->size == tokens->capacity) {
        Py_ssize_t capacity = tokens->capacity ? 2 * tokens->capacity : 64;
        Token *items = PyMem_Resize(tokens->items, Token, capacity);
        if (items == NULL) {
            Py_XDECREF(owner);
            PyErr_NoMemory();
            return -1;
        }
        tokens->items = items;
        tokens->capacity = capacity;
    }
    Token token = {span, owner, -1};
    tokens->items[tokens->size++] = token;
    return 0;
}

/* Append the tokens of regex_tokens(chunk) (chunk a new reference, taken). */
static int
push_regex_tokens(Tokens *tokens, PyObject *regex_tokens, PyObject *chunk)
{
    if (chunk == NULL)
        return -1;
    PyObject *found = PyObject_CallOneArg(regex_tokens, chunk);
    Py_DECREF(chunk);
    if (found == NULL)
        return -1;
    PyObject *seq = PySequence_Fast(found, "regex_tokens must return a sequence");
    Py_DECREF(found);
    if (seq == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "regex_tokens must give str, not %.100s",
                         Py_TYPE(item)->tp_name);
            Py_DECREF(seq);
            return -1;
        }
        Py_INCREF(item);
        if (push_token(tokens, whole(item), item) < 0) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

static PyObject *SPACE; /* " " */

/* One chunk that is not the line's last (see dictionary.syllables). */
static int
split_chunk(Tokens *tokens, PyObject *regex_tokens, PyObject *line, Span chunk)
{
    Py_ssize_t n = length(chunk);
    if (is_plain(chunk))
        return push_token(tokens, chunk, NULL);
    Py_UCS4 tail = at(chunk, n - 1);
    Span head = sub(chunk, 0, n - 1);
    int split = 0;
    if (tail == ',' || tail == ';' || tail == '!' || tail == '?' || tail == ')')
        split = is_plain(head);
    else if (tail == '.')
        split = is_lower(head) && all_chars(head, alpha);
    if (split) {
        if (push_token(tokens, head, NULL) < 0)
            return -1;
        return push_token(tokens, sub(chunk, n - 1, n), NULL);
    }
    if (all_chars(chunk, decimal))
        return push_token(tokens, chunk, NULL);
    /* The space keeps lookaheads such as (?!$) seeing what the full line has. */
    PyObject *text = PyUnicode_Substring(line, chunk.start, chunk.end);
    if (text == NULL)
        return -1;
    PyObject *with_space = PyUnicode_Concat(text, SPACE);
    Py_DECREF(text);
    return push_regex_tokens(tokens, regex_tokens, with_space);
}

/* The syllables, numbers and punctuation of line (see dictionary.syllables). */
static int
split_line(Tokens *tokens, PyObject *line, PyObject *regex_tokens)
{
    Span all = whole(line);
    Py_ssize_t n = length(all), i = 0;
    Span last = {0};
    int has_last = 0;
    for (;;) {
        while (i < n && Py_UNICODE_ISSPACE(at(all, i)))
            i++;
        if (i == n)
            break;
        Py_ssize_t start = i;
        while (i < n && !Py_UNICODE_ISSPACE(at(all, i)))
            i++;
        if (has_last && split_chunk(tokens, regex_tokens, line, last) < 0)
            return -1;
        last = sub(all, start, i);
        has_last = 1;
    }
    if (!has_last)
        return 0;
    if (is_plain(last))
        return push_token(tokens, last, NULL);
    return push_regex_tokens(tokens, regex_tokens,
                             PyUnicode_Substring(line, last.start, last.end));
}

/* ------------------------------------------------------------------ lexicon */

typedef struct {
    PyObject_HEAD
    StrTable syllables;   /* a list of str: syllable i has id i */
    char *titles;         /* per syllable: one of the name titles */
    int64_t *edges;       /* edge hash table: node * n_syllables + syllable, or -1 */
    Py_ssize_t *children; /* the child node of each edge slot */
    size_t edge_mask;
    char *ends;           /* per node: a word ends here */
    Py_ssize_t n_nodes;
} LexiconObject;

/* The id of a str as it is, added if new (at build time); -1 on error. */
static Py_ssize_t
add_syllable(LexiconObject *self, PyObject *syllable)
{
    Py_ssize_t id = str_table_find(&self->syllables, whole(syllable), 0);
    if (id >= 0)
        return id;
    id = PyList_GET_SIZE(self->syllables.keys);
    if (PyList_Append(self->syllables.keys, syllable) < 0)
        return -1;
    str_table_add(&self->syllables, id);
    return id;
}

/* The id of the token's lower case, or -1; -2 on error. The lower case is read
 * character by character, except for the two characters whose lower case is not one
 * simple character (U+0130, and U+03A3 with its final-sigma rule): str.lower() then. */
static Py_ssize_t
token_syllable(LexiconObject *self, Span s)
{
    Py_ssize_t i = 0;
    while (i < length(s) && at(s, i) != 0x130 && at(s, i) != 0x3A3)
        i++;
    if (i == length(s))
        return str_table_find(&self->syllables, s, 1);
    PyObject *text = PyUnicode_FromKindAndData(
        s.kind, (const char *)s.data + s.start * s.kind, length(s));
    if (text == NULL)
        return -2;
    PyObject *low = PyObject_CallMethod(text, "lower", NULL);
    Py_DECREF(text);
    if (low == NULL)
        return -2;
    Py_ssize_t id = str_table_find(&self->syllables, whole(low), 0);
    Py_DECREF(low);
    return id;
}

static size_t
edge_slot(int64_t key, size_t mask)
{
    uint64_t hash = (uint64_t)key * 0x9E3779B97F4A7C15ULL;
    return (size_t)(hash ^ (hash >> 29)) & mask;
}

/* The child of a trie node under a syllable id, or -1. */
static Py_ssize_t
child(LexiconObject *self, Py_ssize_t node, Py_ssize_t syllable)
{
    if (syllable < 0)
        return -1;
    int64_t key = (int64_t)node * PyList_GET_SIZE(self->syllables.keys) + syllable;
    for (size_t slot = edge_slot(key, self->edge_mask);; slot = (slot + 1) & self->edge_mask) {
        if (self->edges[slot] == key)
            return self->children[slot];
        if (self->edges[slot] < 0)
            return -1;
    }
}

/* End (exclusive) of the longest dictionary word from token i. */
static Py_ssize_t
longest(LexiconObject *self, const Tokens *tokens, Py_ssize_t i)
{
    Py_ssize_t node = child(self, 0, tokens->items[i].syllable), end = i + 1;
    for (Py_ssize_t j = i + 1; node >= 0 && j < tokens->size; j++) {
        node = child(self, node, tokens->items[j].syllable);
        if (node >= 0 && self->ends[node])
            end = j + 1;
    }
    return end;
}

static int
title_word(Span s)
{
    return is_title(s) && all_chars(s, alpha);
}

/* End of the capitalised run from i, or i + 1 if it is not a name. */
static Py_ssize_t
name_end(LexiconObject *self, const Tokens *tokens, Py_ssize_t i)
{
    Py_ssize_t run = i + 1;
    while (run < tokens->size && title_word(tokens->items[run].span))
        run++;
    for (Py_ssize_t k = i + 1; k < run; k++)
        if (longest(self, tokens, k) > run)
            return k - i >= 2 ? k : i + 1;
    return run;
}

/* The tokens joined: "_" inside a word (tokens i to word_end[i] - 1), " " between. */
static PyObject *
join_words(const Tokens *tokens, const Py_ssize_t *word_end)
{
    Py_ssize_t size = tokens->size - 1;
    Py_UCS4 maxchar = 0;
    for (Py_ssize_t i = 0; i < tokens->size; i++) {
        Span s = tokens->items[i].span;
        size += length(s);
        for (Py_ssize_t k = 0; k < length(s); k++)
            maxchar = Py_MAX(maxchar, at(s, k));
    }
    PyObject *out = PyUnicode_New(size, maxchar);
    if (out == NULL)
        return NULL;
    int kind = PyUnicode_KIND(out);
    void *data = PyUnicode_DATA(out);
    Py_ssize_t w = 0, end = 0;
    for (Py_ssize_t i = 0; i < tokens->size; i++) {
        if (i > 0)
            PyUnicode_WRITE(kind, data, w++, i < end ? '_' : ' ');
        if (i >= end)
            end = word_end[i];
        Span s = tokens->items[i].span;
        for (Py_ssize_t k = 0; k < length(s); k++)
            PyUnicode_WRITE(kind, data, w++, at(s, k));
    }
    return out;
}

static PyObject *
segment(LexiconObject *self, PyObject *line, PyObject *regex_tokens)
{
    Tokens tokens = {0};
    Py_ssize_t *word_end = NULL;
    PyObject *result = NULL;
    if (split_line(&tokens, line, regex_tokens) < 0)
        goto done;
    if (tokens.size == 0) {
        result = PyUnicode_New(0, 0);
        goto done;
    }
    for (Py_ssize_t i = 0; i < tokens.size; i++) {
        tokens.items[i].syllable = token_syllable(self, tokens.items[i].span);
        if (tokens.items[i].syllable == -2)
            goto done;
    }
    word_end = PyMem_New(Py_ssize_t, tokens.size);
    if (word_end == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < tokens.size;) {
        Py_ssize_t end = longest(self, &tokens, i);
        Token *token = &tokens.items[i];
        if (title_word(token->span) && !(token->syllable >= 0 && self->titles[token->syllable]))
            end = Py_MAX(end, name_end(self, &tokens, i));
        word_end[i] = end;
        i = end;
    }
    result = join_words(&tokens, word_end);
done:
    PyMem_Free(word_end);
    clear_tokens(&tokens);
    return result;
}

/* ------------------------------------------------------------------ building */

/* How many keys other than "" the trie's nodes hold; checks their types. */
static int
count_edges(PyObject *node, Py_ssize_t *count, int depth)
{
    if (!PyDict_Check(node)) {
        PyErr_SetString(PyExc_TypeError, "trie nodes must be dicts");
        return -1;
    }
    if (depth > 100) {
        PyErr_SetString(PyExc_ValueError, "the trie is deeper than 100 syllables");
        return -1;
    }
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(node, &pos, &key, &value)) {
        if (!PyUnicode_Check(key)) {
            PyErr_SetString(PyExc_TypeError, "trie keys must be str");
            return -1;
        }
        if (PyUnicode_GET_LENGTH(key) == 0)
            continue;
        (*count)++;
        if (count_edges(value, count, depth + 1) < 0)
            return -1;
    }
    return 0;
}

/* Number the nodes under node (number id) and insert their edges. */
static int
add_nodes(LexiconObject *self, PyObject *node, Py_ssize_t id, int64_t *parents,
          Py_ssize_t *syllables)
{
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(node, &pos, &key, &value)) {
        if (PyUnicode_GET_LENGTH(key) == 0) {
            self->ends[id] = 1;
            continue;
        }
        Py_ssize_t syllable = add_syllable(self, key);
        if (syllable < 0)
            return -1;
        Py_ssize_t next = self->n_nodes++;
        parents[next] = id;
        syllables[next] = syllable;
        if (add_nodes(self, value, next, parents, syllables) < 0)
            return -1;
    }
    return 0;
}

static int
Lexicon_init(LexiconObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"trie", "name_titles", NULL};
    PyObject *trie, *name_titles;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!:Lexicon", keywords, &PyDict_Type,
                                     &trie, &PyFrozenSet_Type, &name_titles))
        return -1;
    if (self->syllables.keys != NULL || self->syllables.slots != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Lexicon is already initialised");
        return -1;
    }
    Py_ssize_t n_edges = 0;
    if (count_edges(trie, &n_edges, 0) < 0)
        return -1;
    Py_ssize_t n_syllables = n_edges + PySet_GET_SIZE(name_titles), n_nodes = n_edges + 1;
    PyObject *keys = PyList_New(0);
    if (keys == NULL)
        return -1;
    int no_table = str_table_init(&self->syllables, keys, n_syllables);
    Py_DECREF(keys);
    if (no_table)
        return -1;
    self->titles = PyMem_Calloc(n_syllables ? n_syllables : 1, 1);
    self->ends = PyMem_Calloc(n_nodes, 1);
    self->edge_mask = table_size(n_edges) - 1;
    self->edges = PyMem_New(int64_t, self->edge_mask + 1);
    self->children = PyMem_New(Py_ssize_t, self->edge_mask + 1);
    int64_t *parents = PyMem_New(int64_t, n_nodes);
    Py_ssize_t *syllables = PyMem_New(Py_ssize_t, n_nodes);
    int rc = -1;
    if (!self->titles || !self->ends || !self->edges || !self->children || !parents
        || !syllables) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t i = 0; i <= self->edge_mask; i++)
        self->edges[i] = -1;
    self->n_nodes = 1;
    if (add_nodes(self, trie, 0, parents, syllables) < 0)
        goto done;
    PyObject *iterator = PyObject_GetIter(name_titles), *title;
    if (iterator == NULL)
        goto done;
    while ((title = PyIter_Next(iterator)) != NULL) {
        Py_ssize_t id = PyUnicode_Check(title) ? add_syllable(self, title) : -1;
        if (!PyUnicode_Check(title))
            PyErr_SetString(PyExc_TypeError, "name titles must be str");
        Py_DECREF(title);
        if (id < 0)
            break;
        self->titles[id] = 1;
    }
    Py_DECREF(iterator);
    if (PyErr_Occurred())
        goto done;
    /* the edges, now that the number of syllables is known */
    for (Py_ssize_t node = 1; node < self->n_nodes; node++) {
        int64_t key = parents[node] * PyList_GET_SIZE(self->syllables.keys) + syllables[node];
        size_t slot = edge_slot(key, self->edge_mask);
        while (self->edges[slot] >= 0)
            slot = (slot + 1) & self->edge_mask;
        self->edges[slot] = key;
        self->children[slot] = node;
    }
    rc = 0;
done:
    PyMem_Free(parents);
    PyMem_Free(syllables);
    return rc;
}

static void
Lexicon_dealloc(LexiconObject *self)
{
    str_table_clear(&self->syllables);
    PyMem_Free(self->titles);
    PyMem_Free(self->edges);
    PyMem_Free(self->children);
    PyMem_Free(self->ends);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* ------------------------------------------------------------------ Python API */

PyDoc_STRVAR(segment_line_doc,
"segment_line(line, regex_tokens) -> str\n\n"
"Longest match over the lexicon's words plus proper names, as\n"
"DictionarySegmenter.segment_line does; regex_tokens(chunk) tokenises a chunk that\n"
"is not a plain word.");

static PyObject *
Lexicon_segment_line(LexiconObject *self, PyObject *args)
{
    PyObject *line, *regex_tokens;
    if (!PyArg_ParseTuple(args, "UO:segment_line", &line, &regex_tokens))
        return NULL;
    if (self->syllables.keys == NULL || self->edges == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Lexicon is not initialised");
        return NULL;
    }
    return segment(self, line, regex_tokens);
}

static PyMethodDef Lexicon_methods[] = {
    {"segment_line", (PyCFunction)Lexicon_segment_line, METH_VARARGS, segment_line_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(Lexicon_doc,
"Lexicon(trie, name_titles)\n\n"
"The word trie (nested dicts of lower-cased syllables, the key \"\" ending a word)\n"
"and the name titles (a frozenset of lower-cased syllables), as integers.");

static PyTypeObject LexiconType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "newscat.segmenters._longest_match.Lexicon",
    .tp_basicsize = sizeof(LexiconObject),
    .tp_dealloc = (destructor)Lexicon_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = Lexicon_doc,
    .tp_methods = Lexicon_methods,
    .tp_init = (initproc)Lexicon_init,
    .tp_new = PyType_GenericNew,
};

PyDoc_STRVAR(syllables_doc,
"syllables(line, regex_tokens) -> list of str\n\n"
"Split a normalised line into syllables, numbers and punctuation as\n"
"newscat.segmenters.dictionary.syllables does; regex_tokens(chunk) tokenises a\n"
"chunk that is not a plain word.");

static PyObject *
py_syllables(PyObject *module, PyObject *args)
{
    PyObject *line, *regex_tokens;
    if (!PyArg_ParseTuple(args, "UO:syllables", &line, &regex_tokens))
        return NULL;
    Tokens tokens = {0};
    PyObject *out = NULL;
    if (split_line(&tokens, line, regex_tokens) < 0)
        goto done;
    out = PyList_New(tokens.size);
    for (Py_ssize_t i = 0; out != NULL && i < tokens.size; i++) {
        Token *token = &tokens.items[i];
        PyObject *text = token->owner;
        if (text != NULL)
            Py_INCREF(text);
        else
            text = PyUnicode_Substring(line, token->span.start, token->span.end);
        if (text == NULL)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, i, text);
    }
done:
    clear_tokens(&tokens);
    return out;
}

static PyMethodDef methods[] = {
    {"syllables", py_syllables, METH_VARARGS, syllables_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_longest_match",
    .m_doc = "The dictionary segmenter's syllable split and longest match, compiled.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__longest_match(void)
{
    SPACE = PyUnicode_InternFromString(" ");
    if (SPACE == NULL || PyType_Ready(&LexiconType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL)
        return NULL;
    Py_INCREF(&LexiconType);
    if (PyModule_AddObject(module, "Lexicon", (PyObject *)&LexiconType) < 0) {
        Py_DECREF(&LexiconType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
