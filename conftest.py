"""Tests and doctests run without the user's segmentation cache (newscat.runtime)."""

import pytest

from newscat.runtime import use


@pytest.fixture(autouse=True)
def _no_segmentation_cache():
    """No test writes to the user's cache unless it names a cache folder itself."""
    with use(cache_dir=False):
        yield
