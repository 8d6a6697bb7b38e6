"""Where batches are labelled: local processes or a Dask cluster."""
