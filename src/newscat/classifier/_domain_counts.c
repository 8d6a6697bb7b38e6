/* The counts behind the out-of-domain checks of domain.py, in C.
 *
 * Same counts as the pure-Python functions of domain.py (_letter_counts_python and
 * _known_counts_python), which remain the fallback where this module cannot be
 * built; tests compare the two on corpus text and on random strings. Characters
 * are classified as Python's str methods and re classify them: a letter for
 * str.isalpha() is Py_UNICODE_ISALPHA; a letter for re's [^\W\d_] is alphanumeric
 * (\w without "_") and not a decimal digit (\d); whitespace for str.split() is
 * Py_UNICODE_ISSPACE.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Whether ch is one of the sorted characters of chars (binary search). */
static int
in_sorted(PyObject *chars, Py_UCS4 ch)
{
    int kind = PyUnicode_KIND(chars);
    const void *data = PyUnicode_DATA(chars);
    Py_ssize_t low = 0, high = PyUnicode_GET_LENGTH(chars);
    while (low < high) {
        Py_ssize_t mid = low + (high - low) / 2;
        Py_UCS4 at = PyUnicode_READ(kind, data, mid);
        if (at == ch)
            return 1;
        if (at < ch)
            low = mid + 1;
        else
            high = mid;
    }
    return 0;
}

PyDoc_STRVAR(letter_counts_doc,
"letter_counts(text, chars) -> (letters, matches)\n\n"
"How many characters of text are letters (str.isalpha) and how many are among\n"
"chars, a str of sorted, distinct characters.");

static PyObject *
letter_counts(PyObject *module, PyObject *args)
{
    PyObject *text, *chars;
    if (!PyArg_ParseTuple(args, "UU:letter_counts", &text, &chars))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), letters = 0, matches = 0;
    Py_ssize_t n_chars = PyUnicode_GET_LENGTH(chars);
    Py_UCS4 first = n_chars ? PyUnicode_READ_CHAR(chars, 0) : 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISALPHA(ch))
            letters++;
        if (n_chars && ch >= first && in_sorted(chars, ch))
            matches++;
    }
    return Py_BuildValue("(nn)", letters, matches);
}

/* mark + text[start:end] as a new str (in the canonical, smallest representation). */
static PyObject *
marked(PyObject *mark, PyObject *text, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t n_mark = PyUnicode_GET_LENGTH(mark);
    Py_UCS4 maxchar = 0;
    for (Py_ssize_t i = 0; i < n_mark; i++)
        maxchar = Py_MAX(maxchar, PyUnicode_READ_CHAR(mark, i));
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = start; i < end; i++)
        maxchar = Py_MAX(maxchar, PyUnicode_READ(kind, data, i));
    PyObject *out = PyUnicode_New(n_mark + end - start, maxchar);
    if (out == NULL)
        return NULL;
    /* Character by character: PyUnicode_CopyCharacters refuses to copy an ASCII slice
     * of a string holding other Latin-1 characters into an ASCII string. */
    int out_kind = PyUnicode_KIND(out);
    void *out_data = PyUnicode_DATA(out);
    for (Py_ssize_t i = 0; i < n_mark; i++)
        PyUnicode_WRITE(out_kind, out_data, i, PyUnicode_READ_CHAR(mark, i));
    for (Py_ssize_t i = start; i < end; i++)
        PyUnicode_WRITE(out_kind, out_data, n_mark + i - start, PyUnicode_READ(kind, data, i));
    return out;
}

/* Add 1 to *total and, if term is in vocabulary, to *known; steals term. */
static int
count_term(PyObject *term, PyObject *vocabulary, Py_ssize_t *known, Py_ssize_t *total)
{
    if (term == NULL)
        return -1;
    int found = PySequence_Contains(vocabulary, term);
    Py_DECREF(term);
    if (found < 0)
        return -1;
    *known += found;
    *total += 1;
    return 0;
}

/* Count the word low[start:end], or with a mark each of its syllables (split at "_"). */
static int
count_word(PyObject *low, Py_ssize_t start, Py_ssize_t end, PyObject *vocabulary,
           PyObject *mark, Py_ssize_t *known, Py_ssize_t *total)
{
    if (mark == Py_None)
        return count_term(PyUnicode_Substring(low, start, end), vocabulary, known, total);
    int kind = PyUnicode_KIND(low);
    const void *data = PyUnicode_DATA(low);
    Py_ssize_t part = start;
    for (Py_ssize_t i = start; i <= end; i++) {
        if (i < end && PyUnicode_READ(kind, data, i) != '_')
            continue;
        if (i > part && count_term(marked(mark, low, part, i), vocabulary, known, total) < 0)
            return -1;
        part = i + 1;
    }
    return 0;
}

PyDoc_STRVAR(known_counts_doc,
"known_counts(segmented, vocabulary, mark) -> (known, total)\n\n"
"Of the words of segmented (lower-cased, split at whitespace) that hold a letter,\n"
"how many are in vocabulary, and how many there are; with mark a str, each such\n"
"word's syllables (split at \"_\") are looked up as mark + syllable instead.");

static PyObject *
known_counts(PyObject *module, PyObject *args)
{
    PyObject *segmented, *vocabulary, *mark;
    if (!PyArg_ParseTuple(args, "UOO:known_counts", &segmented, &vocabulary, &mark))
        return NULL;
    if (mark != Py_None && !PyUnicode_Check(mark)) {
        PyErr_Format(PyExc_TypeError, "mark must be str or None, not %.100s",
                     Py_TYPE(mark)->tp_name);
        return NULL;
    }
    PyObject *low = PyObject_CallMethod(segmented, "lower", NULL);
    if (low == NULL)
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(low), known = 0, total = 0;
    int kind = PyUnicode_KIND(low);
    const void *data = PyUnicode_DATA(low);
    Py_ssize_t i = 0;
    while (i < n) {
        while (i < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            i++;
        Py_ssize_t start = i;
        int has_letter = 0;
        for (; i < n; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            if (Py_UNICODE_ISSPACE(ch))
                break;
            if (Py_UNICODE_ISALNUM(ch) && !Py_UNICODE_ISDECIMAL(ch))
                has_letter = 1;
        }
        if (has_letter && count_word(low, start, i, vocabulary, mark, &known, &total) < 0) {
            Py_DECREF(low);
            return NULL;
        }
    }
    Py_DECREF(low);
    return Py_BuildValue("(nn)", known, total);
}

static PyMethodDef methods[] = {
    {"letter_counts", letter_counts, METH_VARARGS, letter_counts_doc},
    {"known_counts", known_counts, METH_VARARGS, known_counts_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_domain_counts",
    .m_doc = "The counts of the out-of-domain checks, compiled.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__domain_counts(void)
{
    return PyModule_Create(&module_def);
}
