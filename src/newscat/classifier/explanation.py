"""Why a text got its label: each term's share of the linear model's decision value.

The decision value of a label is the dot product of the text's feature row with the
label's coefficients, plus the label's intercept. The feature row holds

- the TF-IDF value of each term: word n-grams (``công_đoàn tặng``) and, in models
  with syllable features, syllable n-grams (``~công đoàn``); a term's contribution
  is its TF-IDF value times its coefficient;
- in models with word vectors, the article vector times ``vector_weight``. The
  article vector is the IDF-weighted sum of the vectors of the text's words, divided
  by its length, so it is linear in the word counts once that length is fixed: a
  word's contribution is ``count × vector_weight / length`` (its *value*) times the
  dot product of its vector with the label's vector coefficients (its
  *coefficient*);
- in models with neighbour votes (:mod:`newscat.classifier.neighbours`), one more
  contribution: the label's share of the votes of the most similar training texts
  (its *value*) times the votes' weight (its *coefficient*).

Every contribution is thus ``value × coefficient``, and the contributions of all
terms plus the intercept are the decision value, exactly (up to float rounding).
Terms are shown as readable Vietnamese: ``_`` between syllables becomes a space and
the syllable mark is dropped; :attr:`Contribution.kind` says which kind of term it
is (``"words"``, ``"syllables"``, ``"word vector"`` or ``"neighbours"``).

The labels explained are the predicted one and the runner-up, ranked by the
calibrated scores (which rank the labels as the decision values do).
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.utils.validation import check_is_fitted

from ..errors import DataError
from .calibrated import calibrated_scores
from .features import SYLLABLE_MARK
from .inputs import check_texts
from .neighbours import NeighbourVotes
from .prediction import Prediction

__all__ = [
    "Contribution",
    "class_terms",
    "decision_model",
    "linear_model",
    "Explanation",
    "LabelExplanation",
    "explain_many",
    "format_explanation",
    "readable_term",
]

CLASS_TERMS = 15  # terms listed per class by class_terms
# Each fitted TF-IDF step's terms by column, built once: a refit makes a new step.
_TERM_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def decision_model(model):
    """The model whose decision values are scored: inside its calibration when it has one."""
    if isinstance(model, CalibratedClassifierCV):
        return model.calibrated_classifiers_[0].estimator
    return model


def linear_model(model):
    """The linear model itself, inside its calibration and neighbour votes when it has them."""
    model = decision_model(model)
    return model.estimator_ if isinstance(model, NeighbourVotes) else model


def readable_term(term: str) -> tuple[str, str]:
    """A TF-IDF term as readable text, and its kind (``"words"`` or ``"syllables"``).

    Examples
    --------
    >>> readable_term("công_đoàn tặng")
    ('công đoàn tặng', 'words')
    >>> readable_term("~công đoàn")
    ('công đoàn', 'syllables')
    """
    kind = "words"
    if term.startswith(SYLLABLE_MARK):
        term, kind = term[len(SYLLABLE_MARK) :], "syllables"
    return term.replace("_", " "), kind


@dataclass(frozen=True)
class Contribution:
    """One term's share of a label's decision value: ``value × coefficient``."""

    term: str
    kind: str
    value: float
    coefficient: float
    contribution: float

    def to_dict(self) -> dict:
        """Plain-data form, for JSON output."""
        return {
            "term": self.term,
            "kind": self.kind,
            "value": round(self.value, 6),
            "coefficient": round(self.coefficient, 6),
            "contribution": round(self.contribution, 6),
        }


@dataclass(frozen=True)
class LabelExplanation:
    """The terms behind one label's decision value.

    ``terms`` holds every term with a non-zero contribution, largest first, so that
    ``sum(t.contribution for t in terms) + intercept == decision``. ``raised`` and
    ``lowered`` are the ``top`` terms that raised and lowered the score most;
    ``other`` is the sum of the remaining contributions, so that raised + lowered +
    other + intercept is the decision value too.
    """

    label: str
    name: str
    score: float
    decision: float
    intercept: float
    terms: tuple[Contribution, ...]
    top: int

    @property
    def raised(self) -> list[Contribution]:
        """The ``top`` terms with the largest positive contributions, largest first."""
        return [t for t in self.terms if t.contribution > 0][: self.top]

    @property
    def lowered(self) -> list[Contribution]:
        """The ``top`` terms with the most negative contributions, most negative first."""
        return [t for t in reversed(self.terms) if t.contribution < 0][: self.top]

    @property
    def other(self) -> float:
        """Sum of the contributions of the terms in neither ``raised`` nor ``lowered``."""
        shown = sum(t.contribution for t in self.raised + self.lowered)
        return float(sum(t.contribution for t in self.terms) - shown)

    def to_dict(self) -> dict:
        """Plain-data form, for JSON output."""
        shown = len(self.raised) + len(self.lowered)
        return {
            "label": self.label,
            "name": self.name,
            "score": round(self.score, 4),
            "decision": round(self.decision, 6),
            "intercept": round(self.intercept, 6),
            "raised": [t.to_dict() for t in self.raised],
            "lowered": [t.to_dict() for t in self.lowered],
            "other": round(self.other, 6),
            "other_terms": len(self.terms) - shown,
        }


@dataclass(frozen=True)
class Explanation:
    """A text's prediction and the explanation of the labels asked for."""

    prediction: Prediction
    labels: tuple[LabelExplanation, ...]

    def raised_terms(self) -> list[dict]:
        """The terms that raised the first label's score most (``term``, ``kind``,
        ``contribution``): the explanation column of ``newscat score --explain N``."""
        return [
            {"term": t.term, "kind": t.kind, "contribution": round(t.contribution, 6)}
            for t in self.labels[0].raised
        ]

    def to_dict(self) -> dict:
        """Plain-data form, for JSON output: the prediction and ``explanations``."""
        return {**self.prediction.to_dict(), "explanations": [e.to_dict() for e in self.labels]}


def _term_names(tfidf) -> np.ndarray:
    """The term of each column of a fitted TF-IDF step, built on first use."""
    names = _TERM_NAMES.get(tfidf)
    if names is None:
        names = np.empty(len(tfidf.vocabulary_), dtype=object)
        for term, column in tfidf.vocabulary_.items():
            names[column] = term
        _TERM_NAMES[tfidf] = names
    return names


class _Explainer:
    """What every explanation of one model needs: its steps, coefficients and term names."""

    def __init__(self, model: ClassifierMixin) -> None:
        check_is_fitted(model, "pipeline_")
        self.model = model
        self.features = model.pipeline_.steps[0][1]
        self.calibrated = model.pipeline_.named_steps["model"]
        self.scored = decision_model(self.calibrated)
        linear = linear_model(self.calibrated)
        coef = np.asarray(linear.coef_, dtype=np.float64)
        intercept = np.asarray(linear.intercept_, dtype=np.float64)
        if len(model.classes_) == 2:  # one column: positive for classes_[1]
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        self.coef, self.intercept = coef, intercept
        self.names = _term_names(model.tfidf_)
        self.n_terms = len(self.names)
        self.vectors = model.word_vectors

    def decision(self, X) -> np.ndarray:
        """The decision values, one column per class (two for a binary model)."""
        return _two_columns(self.scored.decision_function(X))

    def votes(self, X) -> np.ndarray | None:
        """What the neighbour votes add to each class's decision value, divided by
        their weight (None without neighbour votes)."""
        if not isinstance(self.scored, NeighbourVotes):
            return None
        return _two_columns(self.scored.vote_decision(X) / self.scored.weight)

    def label_terms(self, row, segmented: str, k: int, votes=None) -> list[Contribution]:
        """Every non-zero contribution to class ``k``'s decision value, largest first;
        ``votes`` is the row of :meth:`votes`."""
        coef = self.coef[k]
        terms = []
        for column, value in zip(row.indices, row.data):
            if column < self.n_terms:
                text, kind = readable_term(self.names[column])
                weight = float(coef[column])
                terms.append(Contribution(text, kind, float(value), weight, float(value) * weight))
        if self.vectors is not None:
            terms += self._vector_terms(segmented, coef[self.n_terms :])
        if votes is not None:
            name = f"{self.scored.n_neighbors} most similar training texts"
            weight = float(self.scored.weight)
            value = float(votes[k])
            terms.append(Contribution(name, "neighbours", value, weight, value * weight))
        terms = [t for t in terms if t.contribution != 0]
        return sorted(terms, key=lambda t: -t.contribution)

    def _vector_terms(self, segmented: str, coef: np.ndarray) -> list[Contribution]:
        """Each known word's share of ``vector_weight × article vector · coef``."""
        index = self.vectors._tokens.index
        counts = Counter(w for w in segmented.lower().split() if w in index)
        if not counts:
            return []
        words = list(counts)
        rows = np.asarray(self.vectors._weighted[[index[w] for w in words]], dtype=np.float64)
        n = np.array([counts[w] for w in words], dtype=np.float64)
        length = max(float(np.linalg.norm(n @ rows)), 1e-9)
        values = n * self.model.vector_weight / length
        weights = rows @ coef
        return [
            Contribution(readable_term(w)[0], "word vector", float(v), float(c), float(v * c))
            for w, v, c in zip(words, values, weights)
        ]


def _two_columns(values: np.ndarray) -> np.ndarray:
    """One column per class: a binary model's single column ``d`` becomes ``(-d, d)``."""
    values = values.reshape(len(values), -1)
    return np.hstack([-values, values]) if values.shape[1] == 1 else values


def _check_top(top) -> int:
    if isinstance(top, bool) or not isinstance(top, Integral) or top < 1:
        raise ValueError(f"top must be an integer of at least 1, got {top!r}")
    return int(top)


def explain_many(
    model: ClassifierMixin,
    texts: Sequence[str],
    *,
    top: int = 10,
    labels: Sequence[Sequence[str]] | None = None,
    top_k: int = 3,
    clean: bool | None = None,
) -> list[Explanation | None]:
    """Explain the labels of several texts; ``None`` for a text empty after cleaning.

    ``labels`` gives, per text, the labels to explain (e.g. the predicted one and
    the right one); by default the predicted label and the runner-up.
    ``top_k`` is passed to the prediction (:meth:`NewsClassifier.classify_many`).

    Examples
    --------
    >>> from newscat import NewsClassifier
    >>> clf = NewsClassifier(segmenter="syllable", calibration_cv=2)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> [e.label for e in explain_many(clf, ["trời mưa bão"])[0].labels]
    ['weather', 'crime']
    """
    top = _check_top(top)
    texts = check_texts(texts, "texts")
    if labels is not None and len(labels) != len(texts):
        raise ValueError(f"labels: expected one list per text ({len(texts)}), got {len(labels)}")
    explainer = _Explainer(model)
    classes = [str(c) for c in model.classes_]
    segmented = model._clean_normalise_segment(texts, clean)
    filled = [i for i, tokens in enumerate(segmented) if tokens]
    results: list[Explanation | None] = [None] * len(texts)
    if not filled:
        return results
    X = explainer.features.transform([segmented[i] for i in filled]).tocsr()
    proba = calibrated_scores(explainer.calibrated, X)
    decision = explainer.decision(X)
    votes = explainer.votes(X)
    names = model.label_names or {}
    predictions = model._predictions(proba, [segmented[i] for i in filled], top_k)
    for row_no, (i, prediction) in enumerate(zip(filled, predictions)):
        wanted = labels[i] if labels is not None else classes_by_score(classes, proba[row_no])
        explained = []
        for label in wanted:
            if label not in classes:
                raise DataError(f"texts[{i}]: unknown label {label!r}; the model knows {classes}")
            k = classes.index(label)
            explained.append(
                LabelExplanation(
                    label=label,
                    name=names.get(label, label),
                    score=float(proba[row_no, k]),
                    decision=float(decision[row_no, k]),
                    intercept=float(explainer.intercept[k]),
                    terms=tuple(
                        explainer.label_terms(
                            X[row_no], segmented[i], k, None if votes is None else votes[row_no]
                        )
                    ),
                    top=top,
                )
            )
        results[i] = Explanation(prediction, tuple(explained))
    return results


def classes_by_score(classes: list[str], scores: np.ndarray, n: int = 2) -> list[str]:
    """The ``n`` labels with the highest scores, highest first.

    Examples
    --------
    >>> classes_by_score(["a", "b", "c"], np.array([0.2, 0.5, 0.3]))
    ['b', 'c']
    """
    return [classes[j] for j in np.argsort(-scores, kind="stable")[:n]]


def format_explanation(explanation: Explanation) -> str:
    """The explanation as text for the terminal.

    Examples
    --------
    >>> from newscat import NewsClassifier
    >>> clf = NewsClassifier(segmenter="syllable", calibration_cv=2)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> print(format_explanation(clf.explain("mưa bão", top=1)))
    weather (weather): score 1.0000, decision +0.7123 = intercept -0.0382 + terms +0.7505
      raised:
        +0.2612 bão (words)
      lowered:
        none
      2 other terms: +0.4893
    crime (crime): score 0.0000, decision -0.7123 = intercept +0.0382 + terms -0.7505
      raised:
        none
      lowered:
        -0.2612 mưa (words)
      2 other terms: -0.4893
    """
    lines = []
    for explained in explanation.labels:
        terms = sum(t.contribution for t in explained.terms)
        lines.append(
            f"{explained.label} ({explained.name}): score {explained.score:.4f}, decision "
            f"{explained.decision:+.4f} = intercept {explained.intercept:+.4f} + terms {terms:+.4f}"
        )
        for heading, shown in (("raised", explained.raised), ("lowered", explained.lowered)):
            lines.append(f"  {heading}:")
            lines += [f"    {t.contribution:+.4f} {t.term} ({t.kind})" for t in shown] or [
                "    none"
            ]
        rest = len(explained.terms) - len(explained.raised) - len(explained.lowered)
        lines.append(f"  {rest} other terms: {explained.other:+.4f}")
    return "\n".join(lines)


def class_terms(model: ClassifierMixin, n: int = CLASS_TERMS) -> dict[str, list[tuple]]:
    """The ``n`` TF-IDF terms with the largest coefficients of each class:
    ``(term, kind, coefficient)``, terms readable.

    Examples
    --------
    >>> from newscat import NewsClassifier
    >>> clf = NewsClassifier(segmenter="syllable", calibration_cv=2)
    >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
    ...               ["weather", "weather", "crime", "crime"] * 2)
    >>> [term for term, kind, _ in class_terms(clf, 2)["crime"]]
    ['trộm', 'bắt']
    """
    explainer = _Explainer(model)
    result = {}
    for k, label in enumerate(model.classes_):
        coef = explainer.coef[k][: explainer.n_terms]
        best = np.argsort(-coef, kind="stable")[:n]
        result[str(label)] = [(*readable_term(explainer.names[j]), float(coef[j])) for j in best]
    return result
