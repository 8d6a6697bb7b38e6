/* The neighbour votes' search of neighbours.py, in C: each text's nearest remembered
 * texts, and their similarities added up by label.
 *
 * Same sums as neighbours._nearest_weights_python, which remains the fallback where this
 * module cannot be built; tests compare the two on random and tied similarities. A row
 * is read once, keeping its k largest positive similarities in a small sorted buffer
 * (a later one enters only when it is larger than the smallest kept, so equal values
 * keep the lowest column); the kept ones are then added up in column order, as
 * numpy.bincount adds them. This replaces numpy.argpartition over the whole row, which
 * took longer than the product that makes the similarities.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A buffer of arg as a C-contiguous array of ndim dimensions and itemsize bytes whose
 * struct format is one of formats; on failure, an exception naming arg and no buffer. */
static int
get_array(PyObject *arg, Py_buffer *view, const char *name, int ndim, Py_ssize_t itemsize,
          const char *formats, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(arg, view, flags) < 0)
        return -1;
    const char *format = view->format;
    if (format != NULL && (format[0] == '<' || format[0] == '=' || format[0] == '@'))
        format++;
    if (view->ndim != ndim || view->itemsize != itemsize || format == NULL
        || strlen(format) != 1 || strchr(formats, format[0]) == NULL) {
        PyErr_Format(PyExc_TypeError, "%s must be a C-contiguous %d-D array of %zd-byte items",
                     name, ndim, itemsize);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Insert (value, column) into the first `kept` slots, sorted by value from the largest,
 * equal values by column; the last slot falls off when all k are taken. */
static Py_ssize_t
keep(float *values, Py_ssize_t *columns, Py_ssize_t kept, Py_ssize_t k, float value,
     Py_ssize_t column)
{
    Py_ssize_t at = kept < k ? kept : k - 1;
    while (at > 0 && values[at - 1] < value) {
        values[at] = values[at - 1];
        columns[at] = columns[at - 1];
        at--;
    }
    values[at] = value;
    columns[at] = column;
    return kept < k ? kept + 1 : k;
}

/* Add one row's kept similarities to its label sums, in column order (the buffer is
 * sorted by column first). */
static void
add_by_column(float *values, Py_ssize_t *columns, Py_ssize_t kept, const int32_t *labels,
              double *sums)
{
    for (Py_ssize_t i = 1; i < kept; i++) {
        float value = values[i];
        Py_ssize_t column = columns[i], j = i;
        while (j > 0 && columns[j - 1] > column) {
            values[j] = values[j - 1];
            columns[j] = columns[j - 1];
            j--;
        }
        values[j] = value;
        columns[j] = column;
    }
    for (Py_ssize_t i = 0; i < kept; i++)
        sums[labels[columns[i]]] += (double)values[i];
}

PyDoc_STRVAR(nearest_weights_doc,
"nearest_weights(similarity, labels, k, out)\n\n"
"For each row of similarity (float32, texts x remembered texts), add the k largest\n"
"positive similarities (equal ones: the lowest columns first) to out[row, label],\n"
"where label is labels[column] (int32); out (float64, texts x labels) starts at zero.");

static PyObject *
nearest_weights(PyObject *module, PyObject *args)
{
    PyObject *similarity_arg, *labels_arg, *out_arg;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "OOnO:nearest_weights", &similarity_arg, &labels_arg, &k,
                          &out_arg))
        return NULL;
    if (k < 1) {
        PyErr_Format(PyExc_ValueError, "k must be at least 1, got %zd", k);
        return NULL;
    }
    Py_buffer similarity, labels, out;
    if (get_array(similarity_arg, &similarity, "similarity", 2, 4, "f", 0) < 0)
        return NULL;
    if (get_array(labels_arg, &labels, "labels", 1, 4, "il", 0) < 0) {
        PyBuffer_Release(&similarity);
        return NULL;
    }
    if (get_array(out_arg, &out, "out", 2, 8, "d", 1) < 0) {
        PyBuffer_Release(&similarity);
        PyBuffer_Release(&labels);
        return NULL;
    }
    Py_ssize_t rows = similarity.shape[0], n = similarity.shape[1], n_labels = out.shape[1];
    const int32_t *label = labels.buf;
    PyObject *result = NULL;
    float *values = NULL;
    Py_ssize_t *columns = NULL;
    if (labels.shape[0] != n || out.shape[0] != rows) {
        PyErr_Format(PyExc_ValueError,
                     "shapes do not match: similarity %zd x %zd, labels %zd, out %zd rows",
                     rows, n, labels.shape[0], out.shape[0]);
        goto done;
    }
    for (Py_ssize_t j = 0; j < n; j++) {
        if (label[j] < 0 || label[j] >= n_labels) {
            PyErr_Format(PyExc_ValueError, "labels[%zd] is %d, not below the %zd columns of out",
                         j, (int)label[j], n_labels);
            goto done;
        }
    }
    if (k > n)
        k = n;
    values = PyMem_Malloc(sizeof(float) * (size_t)(k ? k : 1));
    columns = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(k ? k : 1));
    if (values == NULL || columns == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t row = 0; row < rows; row++) {
        const float *at = (const float *)similarity.buf + row * n;
        Py_ssize_t kept = 0;
        float least = 0.0f; /* what a similarity must exceed to be kept */
        for (Py_ssize_t j = 0; j < n; j++) {
            if (at[j] > least) {
                kept = keep(values, columns, kept, k, at[j], j);
                if (kept == k)
                    least = values[k - 1];
            }
        }
        add_by_column(values, columns, kept, label, (double *)out.buf + row * n_labels);
    }
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(values);
    PyMem_Free(columns);
    PyBuffer_Release(&similarity);
    PyBuffer_Release(&labels);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"nearest_weights", nearest_weights, METH_VARARGS, nearest_weights_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_nearest",
    .m_doc = "The neighbour votes' nearest-text search, compiled.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__nearest(void)
{
    return PyModule_Create(&module_def);
}
