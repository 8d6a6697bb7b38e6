"""Label a list of texts in parallel with a progress bar, as ``newscat evaluate`` does.

The texts are labelled in batches by the local engine
(:mod:`newscat.scoring.engines.local`): this process and ``jobs - 1`` spawned
workers. A tqdm bar on standard error shows the texts done, their rate and the time
left.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..classifier.estimator import NewsClassifier
from ..classifier.prediction import Prediction
from ..readers.archive import Record
from .batch import DEFAULT_BATCH_SIZE
from .engines import in_order
from .engines.local import local_engine

__all__ = ["classify_all"]


def _prediction(result: dict) -> Prediction:
    """A result row of :func:`~newscat.scoring.batch.score_records` as a :class:`Prediction`."""
    if result["error"] is not None:
        return Prediction(None, None, 0.0, [], True, "empty text")
    top_k = [(top["label"], top["score"]) for top in result["top_k"]]
    fields = ("label", "name", "score")
    return Prediction(*(result[f] for f in fields), top_k, result["uncertain"], result["reason"])


def classify_all(
    model: NewsClassifier,
    texts: Sequence[str],
    *,
    jobs: int = 1,
    top_k: int = 3,
    clean: bool | None = None,
    progress: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[Prediction]:
    """:meth:`NewsClassifier.classify_many` on ``jobs`` processes, with a progress bar.

    The results are those of ``classify_many``, in order; a text empty after
    cleaning gets label ``None``.

    Examples
    --------
    >>> clf = NewsClassifier(segmenter="syllable", calibration_cv=2)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> [p.label for p in classify_all(clf, ["trời mưa", " ", "kẻ trộm"], progress=False)]
    ['weather', None, 'crime']
    """
    from tqdm.auto import tqdm

    if jobs < 1:
        raise ValueError(f"jobs must be 1 or more, got {jobs}")
    clean = model.clean_pages if clean is None else clean
    records = [Record(str(i), text) for i, text in enumerate(texts)]
    batches = [
        (records[start : start + batch_size], None) for start in range(0, len(records), batch_size)
    ]
    predictions: list[Prediction] = []
    bar = tqdm(total=len(records), desc="labelling", unit="doc", disable=not progress)
    try:
        with local_engine(model, jobs=jobs, top_k=top_k, clean=clean) as (submit, flight):
            for size, _, results in in_order(submit, batches, flight):
                predictions += [_prediction(result) for result in results]
                bar.update(size)
    finally:
        bar.close()
    return predictions
