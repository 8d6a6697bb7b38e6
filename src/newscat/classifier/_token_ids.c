/* The ids of the words and syllables of segmented texts, in C.
 *
 * Same ids as token_ids._lookup_python, which remains the fallback where this module
 * cannot be built; tests compare the two on corpus text and on random strings. A text
 * is lower-cased by its own str.lower() and split as str.split() splits it (runs of
 * Py_UNICODE_ISSPACE); a word's syllables are its parts between "_", empty ones left
 * out. Tokens are found in a hash table over their code points (../_str_table.h), so
 * no string is made for a word or a syllable.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "../_str_table.h"

typedef struct {
    PyObject_HEAD
    StrTable table; /* the tokens (a tuple of str): token i has id i */
} TokenIdsObject;

static void
TokenIds_dealloc(TokenIdsObject *self)
{
    str_table_clear(&self->table);
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
    if (self->table.keys != NULL || self->table.hashes != NULL || self->table.slots != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "TokenIds is already initialised");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(tokens);
    if (str_table_init(&self->table, tokens, n) < 0)
        return -1;
    for (Py_ssize_t id = 0; id < n; id++) {
        PyObject *token = PyTuple_GET_ITEM(tokens, id);
        if (!PyUnicode_Check(token)) {
            PyErr_Format(PyExc_TypeError, "token %zd is %.100s, not str", id,
                         Py_TYPE(token)->tp_name);
            return -1;
        }
        Py_ssize_t had = str_table_add(&self->table, id);
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

/* The next run of characters that are not separators in s[*from:]: its span, with
 * *from moved to its end; an empty span when none is left. */
static Span
next_run(Span s, Py_ssize_t *from, int (*separator)(Py_UCS4))
{
    while (*from < length(s) && separator(at(s, *from)))
        (*from)++;
    Py_ssize_t start = *from;
    while (*from < length(s) && !separator(at(s, *from)))
        (*from)++;
    return sub(s, start, *from);
}

/* Push the ids of the words of text (lower-cased) and, if syllables, of their syllables;
 * push how many of each to the lengths. */
static int
lookup_text(TokenIdsObject *self, PyObject *low, int syllables, Ids out[4])
{
    Py_ssize_t words = 0, parts = 0, i = 0;
    Span text = whole(low), word;
    while (length(word = next_run(text, &i, is_space)) > 0) {
        if (push(&out[0], str_table_find(&self->table, word, 0)) < 0)
            return -1;
        words++;
        Py_ssize_t j = 0;
        Span part;
        while (syllables && length(part = next_run(word, &j, is_joiner)) > 0) {
            if (push(&out[2], str_table_find(&self->table, part, 0)) < 0)
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
    if (self->table.keys == NULL) {
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

/* Whether s holds a letter: a character of re's [^\W\d_]. */
static int
has_letter(Span s)
{
    for (Py_ssize_t i = 0; i < length(s); i++) {
        Py_UCS4 ch = at(s, i);
        if (Py_UNICODE_ISALNUM(ch) && !Py_UNICODE_ISDECIMAL(ch))
            return 1;
    }
    return 0;
}

/* Whether s is a token whose flag is set. */
static int
is_known(TokenIdsObject *self, const char *flags, Span s)
{
    Py_ssize_t id = str_table_find(&self->table, s, 0);
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
    Py_ssize_t n_tokens = self->table.keys ? PyTuple_GET_SIZE(self->table.keys) : 0;
    if (self->table.keys == NULL || flags.len != n_tokens) {
        PyErr_Format(PyExc_ValueError, "known must have one byte per token (%zd), not %zd",
                     n_tokens, flags.len);
        goto done;
    }
    low = PyObject_CallMethod(text, "lower", NULL);
    if (low == NULL)
        goto done;
    const char *known_flags = flags.buf;
    Py_ssize_t known = 0, total = 0, i = 0;
    Span lowered = whole(low), word;
    while (length(word = next_run(lowered, &i, is_space)) > 0) {
        if (!has_letter(word))
            continue;
        if (!syllables) {
            known += is_known(self, known_flags, word);
            total++;
            continue;
        }
        Py_ssize_t j = 0;
        Span part;
        while (length(part = next_run(word, &j, is_joiner)) > 0) {
            known += is_known(self, known_flags, part);
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
