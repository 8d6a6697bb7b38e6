/* The letter counts behind the out-of-domain checks of domain.py, in C.
 *
 * Same counts as domain._letter_counts_python, which remains the fallback where this
 * module cannot be built; tests compare the two on corpus text and on random strings.
 * A letter is what str.isalpha() calls one (Py_UNICODE_ISALPHA). The other check, the
 * share of known words, is counted by token id (token_ids.TokenIds.known_counts).
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

static PyMethodDef methods[] = {
    {"letter_counts", letter_counts, METH_VARARGS, letter_counts_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_domain_counts",
    .m_doc = "The letter counts of the out-of-domain checks, compiled.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__domain_counts(void)
{
    return PyModule_Create(&module_def);
}
