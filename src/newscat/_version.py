"""The version of newscat, recorded in every saved model and scoring run."""

__version__ = "0.1.0"
