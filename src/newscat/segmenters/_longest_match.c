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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *WORD_END;   /* "": the key of a trie node that ends a word */
static PyObject *SPACE;      /* " " */
static PyObject *JOINER;     /* "_" */

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

/* Characters [start, end) of s pass test (and there is at least one): str.isalpha()
 * with alpha, str.isdecimal() with decimal. */
static int
all_chars(PyObject *s, Py_ssize_t start, Py_ssize_t end, int (*test)(Py_UCS4))
{
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    if (end <= start)
        return 0;
    for (Py_ssize_t i = start; i < end; i++) {
        if (!test(PyUnicode_READ(kind, data, i)))
            return 0;
    }
    return 1;
}

/* str.islower(): some cased character, none upper or title case. */
static int
is_lower(PyObject *s, Py_ssize_t start, Py_ssize_t end)
{
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    int cased = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISUPPER(ch) || Py_UNICODE_ISTITLE(ch))
            return 0;
        if (!cased && Py_UNICODE_ISLOWER(ch))
            cased = 1;
    }
    return cased;
}

/* str.istitle(): upper case only at the start of each run of cased characters. */
static int
is_title(PyObject *s)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    int cased = 0, previous_is_cased = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
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

/* dictionary._plain on characters [0, end) of s: letters only, and not cut by
 * underthesea's Th.S pattern (chunk[:2] == "Th" and chunk[3:4] in ("s", "S")). */
static int
is_plain(PyObject *s, Py_ssize_t end)
{
    if (!all_chars(s, 0, end, alpha))
        return 0;
    if (end >= 4 && PyUnicode_READ_CHAR(s, 0) == 'T' && PyUnicode_READ_CHAR(s, 1) == 'h') {
        Py_UCS4 ch = PyUnicode_READ_CHAR(s, 3);
        return ch != 's' && ch != 'S';
    }
    return 1;
}

/* Append the tokens of regex_tokens(chunk) to out; 0 on success, -1 on error. */
static int
extend_with_regex(PyObject *out, PyObject *regex_tokens, PyObject *chunk)
{
    PyObject *tokens = PyObject_CallOneArg(regex_tokens, chunk);
    if (tokens == NULL)
        return -1;
    PyObject *seq = PySequence_Fast(tokens, "regex_tokens must return a sequence");
    Py_DECREF(tokens);
    if (seq == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyList_Append(out, items[i]) < 0) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

static int
append_new(PyObject *out, PyObject *item)
{
    if (item == NULL)
        return -1;
    int rc = PyList_Append(out, item);
    Py_DECREF(item);
    return rc;
}

/* One chunk that is not the line's last; see dictionary.syllables. */
static int
split_chunk(PyObject *out, PyObject *regex_tokens, PyObject *chunk)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(chunk);
    if (is_plain(chunk, n))
        return PyList_Append(out, chunk);
    Py_UCS4 tail = PyUnicode_READ_CHAR(chunk, n - 1);
    int split = 0;
    if (tail == ',' || tail == ';' || tail == '!' || tail == '?' || tail == ')')
        split = is_plain(chunk, n - 1);
    else if (tail == '.')
        split = is_lower(chunk, 0, n - 1) && all_chars(chunk, 0, n - 1, alpha);
    if (split) {
        if (append_new(out, PyUnicode_Substring(chunk, 0, n - 1)) < 0)
            return -1;
        return append_new(out, PyUnicode_Substring(chunk, n - 1, n));
    }
    if (all_chars(chunk, 0, n, decimal))
        return PyList_Append(out, chunk);
    /* The space keeps lookaheads such as (?!$) seeing what the full line has. */
    PyObject *spaced = PyUnicode_Concat(chunk, SPACE);
    if (spaced == NULL)
        return -1;
    int rc = extend_with_regex(out, regex_tokens, spaced);
    Py_DECREF(spaced);
    return rc;
}

static PyObject *
split_syllables(PyObject *line, PyObject *regex_tokens)
{
    PyObject *chunks = PyUnicode_Split(line, NULL, -1);
    if (chunks == NULL)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(chunks);
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        Py_DECREF(chunks);
        return NULL;
    }
    for (Py_ssize_t i = 0; i + 1 < n; i++) {
        if (split_chunk(out, regex_tokens, PyList_GET_ITEM(chunks, i)) < 0)
            goto error;
    }
    if (n > 0) {
        PyObject *last = PyList_GET_ITEM(chunks, n - 1);
        int rc = is_plain(last, PyUnicode_GET_LENGTH(last))
            ? PyList_Append(out, last)
            : extend_with_regex(out, regex_tokens, last);
        if (rc < 0)
            goto error;
    }
    Py_DECREF(chunks);
    return out;
error:
    Py_DECREF(chunks);
    Py_DECREF(out);
    return NULL;
}

/* The child of a trie node under key; NULL if there is none, or on an error (with an
 * exception set). */
static PyObject *
child(PyObject *node, PyObject *key)
{
    PyObject *next = PyDict_GetItemWithError(node, key);
    if (next != NULL && !PyDict_Check(next)) {
        PyErr_SetString(PyExc_TypeError, "trie nodes must be dicts");
        return NULL;
    }
    return next;
}

/* End (exclusive) of the longest dictionary word from syllable i; -1 on error. */
static Py_ssize_t
longest(PyObject *trie, PyObject *low, Py_ssize_t i, Py_ssize_t n)
{
    PyObject *node = child(trie, PyList_GET_ITEM(low, i));
    Py_ssize_t end = i + 1;
    for (Py_ssize_t j = i + 1; node != NULL && j < n; j++) {
        node = child(node, PyList_GET_ITEM(low, j));
        if (node == NULL)
            break;
        int has_end = PyDict_Contains(node, WORD_END);
        if (has_end < 0)
            return -1;
        if (has_end)
            end = j + 1;
    }
    return PyErr_Occurred() ? -1 : end;
}

static int
title_word(PyObject *tok)
{
    return is_title(tok) && all_chars(tok, 0, PyUnicode_GET_LENGTH(tok), alpha);
}

/* End of the capitalised run from i, or i + 1 if it is not a name; -1 on error. */
static Py_ssize_t
name_end(PyObject *trie, PyObject *low, PyObject *toks, Py_ssize_t i, Py_ssize_t n)
{
    Py_ssize_t run = i + 1;
    while (run < n && title_word(PyList_GET_ITEM(toks, run)))
        run++;
    for (Py_ssize_t k = i + 1; k < run; k++) {
        Py_ssize_t end = longest(trie, low, k, n);
        if (end < 0)
            return -1;
        if (end > run)
            return k - i >= 2 ? k : i + 1;
    }
    return run;
}

/* The tokens in lower case. A token that lower-casing leaves as it is (most
 * syllables) is reused, hash and all. Lower-casing token by token gives what
 * lower-casing the tokens joined by spaces gives: a final sigma's context stops
 * at the space. */
static PyObject *
lower_tokens(PyObject *toks)
{
    Py_ssize_t n = PyList_GET_SIZE(toks);
    PyObject *low = PyList_New(n);
    if (low == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *tok = PyList_GET_ITEM(toks, i);
        Py_ssize_t len = PyUnicode_GET_LENGTH(tok);
        int kind = PyUnicode_KIND(tok);
        const void *data = PyUnicode_DATA(tok);
        Py_ssize_t k = 0;
        while (k < len) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, k);
            if (Py_UNICODE_TOLOWER(ch) != ch)
                break;
            k++;
        }
        PyObject *lowered;
        if (k == len) {
            Py_INCREF(tok);
            lowered = tok;
        }
        else {
            lowered = PyObject_CallMethod(tok, "lower", NULL);
            if (lowered == NULL) {
                Py_DECREF(low);
                return NULL;
            }
        }
        PyList_SET_ITEM(low, i, lowered);
    }
    return low;
}

static PyObject *
segment(PyObject *line, PyObject *trie, PyObject *name_titles, PyObject *regex_tokens)
{
    PyObject *toks = split_syllables(line, regex_tokens);
    if (toks == NULL)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(toks);
    PyObject *low = NULL, *out = NULL, *result = NULL;
    if (n == 0) {
        result = PyUnicode_FromStringAndSize("", 0);
        goto done;
    }
    low = lower_tokens(toks);
    if (low == NULL)
        goto done;
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_ssize_t end = longest(trie, low, i, n);
        if (end < 0)
            goto done;
        PyObject *tok = PyList_GET_ITEM(toks, i);
        if (title_word(tok)) {
            int is_title_word = PySet_Contains(name_titles, PyList_GET_ITEM(low, i));
            if (is_title_word < 0)
                goto done;
            if (!is_title_word) {
                Py_ssize_t name = name_end(trie, low, toks, i, n);
                if (name < 0)
                    goto done;
                if (name > end)
                    end = name;
            }
        }
        if (end == i + 1) {
            if (PyList_Append(out, tok) < 0)
                goto done;
        }
        else {
            PyObject *parts = PyList_GetSlice(toks, i, end);
            if (parts == NULL)
                goto done;
            PyObject *word = PyUnicode_Join(JOINER, parts);
            Py_DECREF(parts);
            if (append_new(out, word) < 0)
                goto done;
        }
        i = end;
    }
    result = PyUnicode_Join(SPACE, out);
done:
    Py_DECREF(toks);
    Py_XDECREF(low);
    Py_XDECREF(out);
    return result;
}

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
    return split_syllables(line, regex_tokens);
}

PyDoc_STRVAR(segment_line_doc,
"segment_line(line, trie, name_titles, regex_tokens) -> str\n\n"
"Longest match over a trie of syllables (nested dicts, \"\" ending a word) plus\n"
"proper names, as DictionarySegmenter.segment_line does.");

static PyObject *
py_segment_line(PyObject *module, PyObject *args)
{
    PyObject *line, *trie, *name_titles, *regex_tokens;
    if (!PyArg_ParseTuple(args, "UO!O!O:segment_line", &line, &PyDict_Type, &trie,
                          &PyFrozenSet_Type, &name_titles, &regex_tokens))
        return NULL;
    return segment(line, trie, name_titles, regex_tokens);
}

static PyMethodDef methods[] = {
    {"syllables", py_syllables, METH_VARARGS, syllables_doc},
    {"segment_line", py_segment_line, METH_VARARGS, segment_line_doc},
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
    WORD_END = PyUnicode_InternFromString("");
    SPACE = PyUnicode_InternFromString(" ");
    JOINER = PyUnicode_InternFromString("_");
    if (WORD_END == NULL || SPACE == NULL || JOINER == NULL)
        return NULL;
    return PyModule_Create(&module_def);
}
