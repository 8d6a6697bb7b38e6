"""The optional C extensions, which pyproject.toml can only declare experimentally.

Each is a hot path whose pure-Python version stays in the package: where a module
cannot be compiled (no C compiler or Python headers), the build goes on without it.
Everything else about the package is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "newscat.segmenters._longest_match",
            ["src/newscat/segmenters/_longest_match.c"],
            depends=["src/newscat/_str_table.h"],
            optional=True,
        ),
        Extension(
            "newscat.classifier._domain_counts",
            ["src/newscat/classifier/_domain_counts.c"],
            optional=True,
        ),
        Extension(
            "newscat.classifier._nearest",
            ["src/newscat/classifier/_nearest.c"],
            optional=True,
        ),
        Extension(
            "newscat.classifier._term_counts",
            ["src/newscat/classifier/_term_counts.c"],
            optional=True,
        ),
        Extension(
            "newscat.classifier._token_ids",
            ["src/newscat/classifier/_token_ids.c"],
            depends=["src/newscat/_str_table.h"],
            optional=True,
        ),
    ]
)
