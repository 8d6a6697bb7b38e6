/* The ids of the words and syllables of segmented texts, in C.
 *
 * Same ids as token_ids._lookup_python, which remains the fallback where this module
 * cannot be built; tests compare the two on corpus text and on random strings. A text
 * is lower-cased by its own str.lower() and split as str.split() splits it (runs of
 * Py_UNICODE_ISSPACE); a word's syllables are its parts between "_", empty ones left
 * out. Tokens are found in an open-addressing hash table over their code points, so
 * no string is made for a word or a syllable.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct {
    PyObject_HEAD
    PyObject *tokens;   /* tuple of str: token i has id i */
    uint64_t *hashes;   /* hash of each token */
    Py_ssize_t *slots;  /* hash table: a token's id, or -1 for an empty slot */
    size_t mask;        /* slots - 1, slots a power of two */
} TokenIdsObject;

/* FNV-1a over the code points text[start:end], whatever the string's kind. */
static uint64_t
span_hash(int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    uint64_t hash = 14695981039346656037ULL;
    for (Py_ssize_t i = start; i < end; i++) {
        hash ^= PyUnicode_READ(kind, data, i);
        hash *= 1099511628211ULL;
    }
    return hash;
}

/* Whether token is the code points text[start:end]. */
static int
span_equals(PyObject *token, int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    if (PyUnicode_GET_LENGTH(token) != end - start)
        return 0;
    int token_kind = PyUnicode_KIND(token);
    const void *token_data = PyUnicode_DATA(token);
    for (Py_ssize_t i = start; i < end; i++)
        if (PyUnicode_READ(token_kind, token_data, i - start) != PyUnicode_READ(kind, data, i))
            return 0;
    return 1;
}

/* The id of the token text[start:end], or -1; with insert, the token gets id ``id`` if
 * it has none (and the id it had is returned). */
static Py_ssize_t
find(TokenIdsObject *self, int kind, const void *data, Py_ssize_t start, Py_ssize_t end,
     Py_ssize_t insert)
{
    uint64_t hash = span_hash(kind, data, start, end);
    for (size_t at = hash & self->mask;; at = (at + 1) & self->mask) {
        Py_ssize_t id = self->slots[at];
        if (id < 0) {
            if (insert >= 0) {
                self->slots[at] = insert;
                self->hashes[insert] = hash;
            }
            return -1;
        }
        if (self->hashes[id] == hash
            && span_equals(PyTuple_GET_ITEM(self->tokens, id), kind, data, start, end))
            return id;
    }
}

static void
TokenIds_dealloc(TokenIdsObject *self)
{
    Py_XDECREF(self->tokens);
    PyMem_Free(self->hashes);
    PyMem_Free(self->slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
TokenIds_init(TokenIdsObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"tokens", NULL};
    PyObject *tokens;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!:TokenIds", keywords, &PyTuple_Type,
                                     &tokens))
        return -1;
    if (self->tokens != NULL || self->hashes != NULL || self->slots != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "TokenIds is already initialised");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(tokens);
    size_t size = 8;
    while (size < 2 * (size_t)n)
        size *= 2;
    self->hashes = PyMem_New(uint64_t, n ? n : 1);
    self->slots = PyMem_New(Py_ssize_t, size);
    if (self->hashes == NULL || self->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < size; i++)
        self->slots[i] = -1;
    self->mask = size - 1;
    Py_INCREF(tokens);
    self->tokens = tokens;
    for (Py_ssize_t id = 0; id < n; id++) {
        PyObject *token = PyTuple_GET_ITEM(tokens, id);
        if (!PyUnicode_Check(token)) {
            PyErr_Format(PyExc_TypeError, "token %zd is %.100s, not str", id,
                         Py_TYPE(token)->tp_name);
            return -1;
        }
        Py_ssize_t had = find(self, PyUnicode_KIND(token), PyUnicode_DATA(token), 0,
                              PyUnicode_GET_LENGTH(token), id);
        if (had >= 0) {
            PyErr_Format(PyExc_ValueError, "token %R is given twice (ids %zd and %zd)", token,
                         had, id);
            return -1;
        }
    }
    return 0;
}

/* A growing array of int64. */
typedef struct {
    int64_t *data;
    Py_ssize_t size, capacity;
} Ids;

static int
push(Ids *ids, int64_t value)
{
    if (ids->size == ids->capacity) {
        Py_ssize_t capacity = ids->capacity ? 2 * ids->capacity : 1024;
        int64_t *data = PyMem_Resize(ids->data, int64_t, capacity);
        if (data == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        ids->data = data;
        ids->capacity = capacity;
    }
    ids->data[ids->size++] = value;
    return 0;
}

/* The array as bytes (native int64), freed. */
static PyObject *
take_bytes(Ids *ids)
{
    PyObject *out = PyBytes_FromStringAndSize((const char *)ids->data,
                                              ids->size * (Py_ssize_t)sizeof(int64_t));
    PyMem_Free(ids->data);
    ids->data = NULL;
    return out;
}

static int
is_space(Py_UCS4 ch)
{
    return Py_UNICODE_ISSPACE(ch);
}

static int
is_joiner(Py_UCS4 ch)
{
    return ch == '_';
}

/* The next run of characters that are not separators in data[*at:end]: its start,
 * with *at moved to its end; -1 when none is left. */
static Py_ssize_t
next_run(int kind, const void *data, Py_ssize_t end, Py_ssize_t *at, int (*separator)(Py_UCS4))
{
    while (*at < end && separator(PyUnicode_READ(kind, data, *at)))
        (*at)++;
    if (*at == end)
        return -1;
    Py_ssize_t start = *at;
    while (*at < end && !separator(PyUnicode_READ(kind, data, *at)))
        (*at)++;
    return start;
}

/* Push the ids of the words of text (lower-cased) and, if syllables, of their syllables;
 * push how many of each to the lengths. */
static int
lookup_text(TokenIdsObject *self, PyObject *low, int syllables, Ids out[4])
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(low), words = 0, parts = 0, i = 0, start;
    int kind = PyUnicode_KIND(low);
    const void *data = PyUnicode_DATA(low);
    while ((start = next_run(kind, data, n, &i, is_space)) >= 0) {
        if (push(&out[0], find(self, kind, data, start, i, -1)) < 0)
            return -1;
        words++;
        Py_ssize_t j = start, part;
        while (syllables && (part = next_run(kind, data, i, &j, is_joiner)) >= 0) {
            if (push(&out[2], find(self, kind, data, part, j, -1)) < 0)
                return -1;
            parts++;
        }
    }
    if (push(&out[1], words) < 0 || (syllables && push(&out[3], parts) < 0))
        return -1;
    return 0;
}

PyDoc_STRVAR(lookup_doc,
"lookup(texts, syllables) -> (words, word_counts, syllables, syllable_counts)\n\n"
"The id of each word of each text (lower-cased, split at whitespace; -1 for a word\n"
"that is no token), how many words each text has, and if syllables is true the same\n"
"for the syllables of the words (their parts between \"_\"; else empty). Each is\n"
"bytes holding native int64 values.");

static PyObject *
TokenIds_lookup(TokenIdsObject *self, PyObject *args)
{
    PyObject *texts;
    int syllables;
    if (!PyArg_ParseTuple(args, "Op:lookup", &texts, &syllables))
        return NULL;
    if (self->tokens == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "TokenIds is not initialised");
        return NULL;
    }
    PyObject *sequence = PySequence_Fast(texts, "texts must be a sequence of str");
    if (sequence == NULL)
        return NULL;
    Ids out[4] = {{0}};
    PyObject *result = NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(sequence);
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *text = PySequence_Fast_GET_ITEM(sequence, t);
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "text %zd is %.100s, not str", t,
                         Py_TYPE(text)->tp_name);
            goto done;
        }
        PyObject *low = PyObject_CallMethod(text, "lower", NULL);
        if (low == NULL)
            goto done;
        int failed = lookup_text(self, low, syllables, out);
        Py_DECREF(low);
        if (failed)
            goto done;
    }
    PyObject *parts[4] = {NULL, NULL, NULL, NULL};
    for (int k = 0; k < 4; k++)
        parts[k] = take_bytes(&out[k]);
    if (parts[0] && parts[1] && parts[2] && parts[3])
        result = PyTuple_Pack(4, parts[0], parts[1], parts[2], parts[3]);
    for (int k = 0; k < 4; k++)
        Py_XDECREF(parts[k]);
done:
    for (int k = 0; k < 4; k++)
        PyMem_Free(out[k].data);
    Py_DECREF(sequence);
    return result;
}

/* Whether data[start:end] holds a letter: a character of re's [^\W\d_]. */
static int
has_letter(int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISALNUM(ch) && !Py_UNICODE_ISDECIMAL(ch))
            return 1;
    }
    return 0;
}

/* Whether data[start:end] is a token whose flag is set. */
static int
is_known(TokenIdsObject *self, const char *flags, int kind, const void *data, Py_ssize_t start,
         Py_ssize_t end)
{
    Py_ssize_t id = find(self, kind, data, start, end, -1);
    return id >= 0 && flags[id];
}

PyDoc_STRVAR(known_counts_doc,
"known_counts(text, known, syllables) -> (known, total)\n\n"
"Of the words of text (lower-cased, split at whitespace) that hold a letter, or with\n"
"syllables of their syllables (their parts between \"_\"), how many are tokens whose\n"
"flag in known (bytes-like, one byte per token) is set, and how many there are.");

static PyObject *
TokenIds_known_counts(TokenIdsObject *self, PyObject *args)
{
    PyObject *text;
    Py_buffer flags;
    int syllables;
    if (!PyArg_ParseTuple(args, "Uy*p:known_counts", &text, &flags, &syllables))
        return NULL;
    PyObject *low = NULL;
    if (self->tokens == NULL || flags.len != PyTuple_GET_SIZE(self->tokens)) {
        PyErr_Format(PyExc_ValueError, "known must have one byte per token (%zd), not %zd",
                     self->tokens ? PyTuple_GET_SIZE(self->tokens) : 0, flags.len);
        goto done;
    }
    low = PyObject_CallMethod(text, "lower", NULL);
    if (low == NULL)
        goto done;
    const char *known_flags = flags.buf;
    Py_ssize_t n = PyUnicode_GET_LENGTH(low), known = 0, total = 0, i = 0, start;
    int kind = PyUnicode_KIND(low);
    const void *data = PyUnicode_DATA(low);
    while ((start = next_run(kind, data, n, &i, is_space)) >= 0) {
        if (!has_letter(kind, data, start, i))
            continue;
        if (!syllables) {
            known += is_known(self, known_flags, kind, data, start, i);
            total++;
            continue;
        }
        Py_ssize_t j = start, part;
        while ((part = next_run(kind, data, i, &j, is_joiner)) >= 0) {
            known += is_known(self, known_flags, kind, data, part, j);
            total++;
        }
    }
    PyBuffer_Release(&flags);
    Py_DECREF(low);
    return Py_BuildValue("(nn)", known, total);
done:
    PyBuffer_Release(&flags);
    return NULL;
}

static PyMethodDef TokenIds_methods[] = {
    {"lookup", (PyCFunction)TokenIds_lookup, METH_VARARGS, lookup_doc},
    {"known_counts", (PyCFunction)TokenIds_known_counts, METH_VARARGS, known_counts_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(TokenIds_doc,
"TokenIds(tokens)\n\n"
"A table of distinct tokens (a tuple of str; token i has id i) in which the words\n"
"and syllables of texts are looked up.");

static PyTypeObject TokenIdsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "newscat.classifier._token_ids.TokenIds",
    .tp_basicsize = sizeof(TokenIdsObject),
    .tp_dealloc = (destructor)TokenIds_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = TokenIds_doc,
    .tp_methods = TokenIds_methods,
    .tp_init = (initproc)TokenIds_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_token_ids",
    .m_doc = "The ids of the words and syllables of segmented texts, compiled.",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__token_ids(void)
{
    if (PyType_Ready(&TokenIdsType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL)
        return NULL;
    Py_INCREF(&TokenIdsType);
    if (PyModule_AddObject(module, "TokenIds", (PyObject *)&TokenIdsType) < 0) {
        Py_DECREF(&TokenIdsType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
