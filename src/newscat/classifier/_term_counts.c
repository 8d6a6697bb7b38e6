/* The count matrix of the TF-IDF step's unigram and bigram terms, in C.
 *
 * Same matrix as tfidf._counts_python, which remains the fallback where this module
 * cannot be built; tests compare the two on corpus text and odd texts. Each text's
 * token ids of each kind (words, syllables) are read in order: a known token's unigram
 * column is counted, and two neighbouring known tokens are a bigram term when their
 * key (left * n_tokens + right) is among the sorted keys of the vocabulary's bigrams
 * (a binary search among the keys of the left token, which start at starts[left]).
 * Each column is counted in a dense array; a text's distinct columns are then sorted:
 * the CSR row of scikit-learn's CountVectorizer.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The arrays of one kind of token: the ids of all texts' tokens in order (-1 unknown),
 * how many each text has, the unigram column of each id (-1 none), the sorted keys of
 * the bigram terms with their columns, and where the keys of each left token start. */
enum { IDS, COUNTS, UNIGRAM, KEYS, BIGRAM, STARTS, N_ARRAYS };
static const char *array_names[N_ARRAYS] = {"ids",    "counts", "unigram",
                                            "keys",   "bigram", "starts"};

typedef struct {
    Py_buffer views[N_ARRAYS];
    const int64_t *at[N_ARRAYS];
    Py_ssize_t size[N_ARRAYS];
    int acquired;
} Kind;

static void
release(Kind *kind)
{
    for (int k = 0; k < kind->acquired; k++)
        PyBuffer_Release(&kind->views[k]);
    kind->acquired = 0;
}

/* Take the five int64 arrays of a kind from a tuple; on failure none is held. */
static int
acquire(PyObject *arrays, Kind *kind, Py_ssize_t index)
{
    if (!PyTuple_Check(arrays) || PyTuple_GET_SIZE(arrays) != N_ARRAYS) {
        PyErr_Format(PyExc_TypeError, "kind %zd must be a tuple of %d arrays", index, N_ARRAYS);
        return -1;
    }
    for (int k = 0; k < N_ARRAYS; k++) {
        Py_buffer *view = &kind->views[k];
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(arrays, k), view,
                               PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
            release(kind);
            return -1;
        }
        kind->acquired++;
        const char *format = view->format;
        if (view->ndim != 1 || view->itemsize != 8 || format == NULL
            || (strcmp(format, "q") != 0 && strcmp(format, "l") != 0)) {
            PyErr_Format(PyExc_TypeError, "kind %zd: %s must be a one-dimensional int64 array",
                         index, array_names[k]);
            release(kind);
            return -1;
        }
        kind->at[k] = (const int64_t *)view->buf;
        kind->size[k] = view->shape[0];
    }
    if (kind->size[KEYS] != kind->size[BIGRAM]) {
        PyErr_Format(PyExc_ValueError, "kind %zd: %zd bigram keys but %zd columns", index,
                     kind->size[KEYS], kind->size[BIGRAM]);
        release(kind);
        return -1;
    }
    return 0;
}

/* A growing array of int32. */
typedef struct {
    int32_t *data;
    Py_ssize_t size, capacity;
} Int32s;

static int
push(Int32s *array, int32_t value)
{
    if (array->size == array->capacity) {
        Py_ssize_t capacity = array->capacity ? 2 * array->capacity : 1024;
        int32_t *data = PyMem_Resize(array->data, int32_t, capacity);
        if (data == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        array->data = data;
        array->capacity = capacity;
    }
    array->data[array->size++] = value;
    return 0;
}

/* The column of the bigram term of tokens left and right, or -1: a branch-free binary
 * search (the halving does not depend on the comparisons, which compile to conditional
 * moves) for the last of the left token's keys that is at most the pair's key. */
static int64_t
bigram_column(const Kind *kind, int64_t left, int64_t right, int64_t n_tokens)
{
    int64_t key = left * n_tokens + right, first = kind->at[STARTS][left];
    int64_t n = kind->at[STARTS][left + 1] - first;
    if (n == 0)
        return -1;
    const int64_t *base = kind->at[KEYS] + first;
    while (n > 1) {
        int64_t half = n / 2;
        base = base[half] <= key ? base + half : base;
        n -= half;
    }
    return *base == key ? kind->at[BIGRAM][base - kind->at[KEYS]] : -1;
}

/* Count a column in count; the first time, push it to row. */
static int
add_column(int64_t column, int64_t n_features, int32_t *count, Int32s *row)
{
    if (column < 0)
        return 0;
    if (column >= n_features) {
        PyErr_Format(PyExc_ValueError, "column %lld is outside the %lld features",
                     (long long)column, (long long)n_features);
        return -1;
    }
    return count[column]++ == 0 ? push(row, (int32_t)column) : 0;
}

/* Count the terms among ids[0:n]: each in count, each new column pushed to row. */
static int
add_terms(const Kind *kind, const int64_t *ids, Py_ssize_t n, int64_t n_tokens,
          int64_t n_features, int unigrams, int bigrams, int32_t *count, Int32s *row)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t id = ids[i];
        if (id < -1 || id >= n_tokens) {
            PyErr_Format(PyExc_ValueError, "token id %lld is outside -1 to %lld",
                         (long long)id, (long long)n_tokens - 1);
            return -1;
        }
        if (id < 0)
            continue;
        if (unigrams && add_column(kind->at[UNIGRAM][id], n_features, count, row) < 0)
            return -1;
        if (!bigrams || i == 0 || ids[i - 1] < 0)
            continue;
        int64_t column = bigram_column(kind, ids[i - 1], id, n_tokens);
        if (add_column(column, n_features, count, row) < 0)
            return -1;
    }
    return 0;
}

/* Sort a[0:n] in place: quicksort (Hoare's partition around the median of three,
 * moved to the front), insertion sort for short runs. */
static void
sort_int32(int32_t *a, Py_ssize_t n)
{
    while (n > 16) {
        int32_t x = a[0], y = a[n / 2], z = a[n - 1];
        Py_ssize_t m = (x < y) == (y < z) ? n / 2 : (y < x) == (x < z) ? 0 : n - 1;
        int32_t pivot = a[m];
        a[m] = a[0];
        a[0] = pivot;
        Py_ssize_t i = -1, j = n;
        for (;;) {
            do
                i++;
            while (a[i] < pivot);
            do
                j--;
            while (a[j] > pivot);
            if (i >= j)
                break;
            int32_t swap = a[i];
            a[i] = a[j];
            a[j] = swap;
        }
        /* a[0:j+1] <= pivot <= a[j+1:n], both parts non-empty: sort the smaller first */
        if (j + 1 < n - j - 1) {
            sort_int32(a, j + 1);
            a += j + 1;
            n -= j + 1;
        }
        else {
            sort_int32(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        int32_t value = a[i];
        Py_ssize_t j = i;
        for (; j > 0 && a[j - 1] > value; j--)
            a[j] = a[j - 1];
        a[j] = value;
    }
}

/* Check that the kind's counts add up to its ids and that its unigram array covers
 * every token; set where each text's ids start. */
static int
check(const Kind *kind, Py_ssize_t index, Py_ssize_t n_texts, int64_t n_tokens)
{
    if (kind->size[COUNTS] != n_texts) {
        PyErr_Format(PyExc_ValueError, "kind %zd: %zd counts for %zd texts", index,
                     kind->size[COUNTS], n_texts);
        return -1;
    }
    int64_t total = 0;
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        if (kind->at[COUNTS][t] < 0) {
            PyErr_Format(PyExc_ValueError, "kind %zd: a negative count", index);
            return -1;
        }
        total += kind->at[COUNTS][t];
    }
    if (kind->size[STARTS] != n_tokens + 1 || (n_tokens && kind->at[STARTS][0] != 0)
        || kind->at[STARTS][n_tokens] != kind->size[KEYS]) {
        PyErr_Format(PyExc_ValueError, "kind %zd: starts must run from 0 to the %zd keys, "
                     "one for each of the %lld tokens and one more", index, kind->size[KEYS],
                     (long long)n_tokens);
        return -1;
    }
    for (int64_t i = 0; i < n_tokens; i++) {
        if (kind->at[STARTS][i] > kind->at[STARTS][i + 1]) {
            PyErr_Format(PyExc_ValueError, "kind %zd: starts must not decrease", index);
            return -1;
        }
    }
    if (total != kind->size[IDS] || kind->size[UNIGRAM] < n_tokens) {
        PyErr_Format(PyExc_ValueError,
                     "kind %zd: counts add up to %lld for %zd ids; %zd unigram columns for "
                     "%lld tokens", index, (long long)total, kind->size[IDS],
                     kind->size[UNIGRAM], (long long)n_tokens);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(term_counts_doc,
"term_counts(kinds, n_tokens, n_features, unigrams, bigrams) -> (indptr, indices, data)\n\n"
"The CSR count matrix of the terms of each text. kinds is a sequence of tuples of six\n"
"int64 arrays (ids, counts, unigram, keys, bigram, starts), one per kind of token\n"
"(words, syllables): every text's token ids in order (-1 unknown, below n_tokens),\n"
"how many each text has, each id's unigram column (-1 none), the sorted bigram keys\n"
"(left * n_tokens + right) with their columns (below n_features), and where the keys\n"
"of each left token start (n_tokens + 1 of them). Returns bytearrays of int32 row\n"
"pointers, int32 columns (sorted within each row) and float32 counts.");

static PyObject *
term_counts(PyObject *module, PyObject *args)
{
    PyObject *kinds_object;
    long long n_tokens, n_features;
    int unigrams, bigrams;
    if (!PyArg_ParseTuple(args, "OLLpp:term_counts", &kinds_object, &n_tokens, &n_features,
                          &unigrams, &bigrams))
        return NULL;
    if (n_tokens < 0 || n_tokens > INT32_MAX || n_features < 0 || n_features > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError,
                        "n_tokens and n_features must be between 0 and 2**31 - 1");
        return NULL;
    }
    PyObject *sequence = PySequence_Fast(kinds_object, "kinds must be a sequence");
    if (sequence == NULL)
        return NULL;
    Py_ssize_t n_kinds = PySequence_Fast_GET_SIZE(sequence);
    Kind *kinds = PyMem_Calloc(n_kinds ? n_kinds : 1, sizeof(Kind));
    int32_t *count = PyMem_Calloc(n_features ? n_features : 1, sizeof(int32_t));
    Int32s row = {0}, indptr = {0}, indices = {0}, counts = {0};
    PyObject *result = NULL;
    Py_ssize_t acquired = 0;
    if (kinds == NULL || count == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (; acquired < n_kinds; acquired++)
        if (acquire(PySequence_Fast_GET_ITEM(sequence, acquired), &kinds[acquired], acquired))
            goto done;
    Py_ssize_t n_texts = n_kinds ? kinds[0].size[COUNTS] : 0;
    for (Py_ssize_t k = 0; k < n_kinds; k++)
        if (check(&kinds[k], k, n_texts, n_tokens) < 0)
            goto done;
    Py_ssize_t *start = PyMem_Calloc(n_kinds ? n_kinds : 1, sizeof(Py_ssize_t));
    if (start == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int failed = push(&indptr, 0);
    for (Py_ssize_t t = 0; t < n_texts && !failed; t++) {
        row.size = 0;
        for (Py_ssize_t k = 0; k < n_kinds && !failed; k++) {
            Py_ssize_t n = (Py_ssize_t)kinds[k].at[COUNTS][t];
            failed = add_terms(&kinds[k], kinds[k].at[IDS] + start[k], n, n_tokens, n_features,
                               unigrams, bigrams, count, &row);
            start[k] += n;
        }
        if (failed)
            break;
        sort_int32(row.data, row.size);
        for (Py_ssize_t i = 0; i < row.size && !failed; i++) {
            failed = push(&indices, row.data[i]) || push(&counts, count[row.data[i]]);
            count[row.data[i]] = 0;
        }
        if (!failed && indices.size > INT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "more than 2**31 - 1 cells");
            failed = 1;
        }
        failed = failed || push(&indptr, (int32_t)indices.size);
    }
    PyMem_Free(start);
    if (failed)
        goto done;
    /* the counts as float32, in place of their int32 */
    for (Py_ssize_t i = 0; i < counts.size; i++) {
        float value = (float)counts.data[i];
        memcpy(&counts.data[i], &value, sizeof(float));
    }
    result = Py_BuildValue(
        "(NNN)",
        PyByteArray_FromStringAndSize((const char *)indptr.data, indptr.size * 4),
        PyByteArray_FromStringAndSize((const char *)indices.data, indices.size * 4),
        PyByteArray_FromStringAndSize((const char *)counts.data, counts.size * 4));
done:
    for (Py_ssize_t k = 0; k < acquired; k++)
        release(&kinds[k]);
    PyMem_Free(kinds);
    PyMem_Free(count);
    PyMem_Free(row.data);
    PyMem_Free(indptr.data);
    PyMem_Free(indices.data);
    PyMem_Free(counts.data);
    Py_DECREF(sequence);
    return result;
}

static PyMethodDef methods[] = {
    {"term_counts", term_counts, METH_VARARGS, term_counts_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_term_counts",
    .m_doc = "The count matrix of the TF-IDF step's terms, compiled.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__term_counts(void)
{
    return PyModule_Create(&module_def);
}
