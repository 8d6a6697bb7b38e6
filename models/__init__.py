"""Trained models shipped with newscat (installed as ``newscat.models``)."""
