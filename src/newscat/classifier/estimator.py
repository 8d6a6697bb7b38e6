"""The topic classifier: normalise, segment, TF-IDF, linear model, calibrated scores.

:class:`NewsClassifier` follows scikit-learn's estimator contract, so it can be
cloned, cross-validated and tuned with ``GridSearchCV`` like any estimator; it
takes raw article texts and string labels.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..errors import DataError
from ..runtime import current
from ..segmenters.registry import SEGMENTERS, segment_texts
from ..text.normalize import normalize_text
from ..text.pages import clean_page
from .calibrated import calibrated_scores
from .domain import (
    FEW_KNOWN_TERMS,
    MIN_KNOWN_SHARE,
    MIN_VIETNAMESE_SHARE,
    NOT_VIETNAMESE,
    SAMPLE_CHARS,
    known_share,
    vietnamese_share,
)
from .explanation import decision_model, explain_many, linear_model
from .features import SYLLABLE_MARK, TermAnalyzer, repeat_title
from .inputs import check_class_weight, check_label_names, check_labels, check_texts
from .nbsvm import NBSVMClassifier
from .neighbours import NeighbourVotes
from .prediction import Prediction, predictions_from_scores
from .tfidf import TermVectorizer
from .word_vectors import ArticleVectors, WithArticleVectors, WordVectors

__all__ = [
    "NewsClassifier",
    "Prediction",
    "check_labels",
    "check_texts",
    "store_coefficients_for_prediction",
]

CLASSIFIERS = ("linearsvc", "nbsvm", "logreg", "sgd")


def _scores_of_filled(segmented: list[str], columns: tuple, score) -> np.ndarray:
    """``score`` of the non-empty segmented texts, zeros for the empty ones.

    Examples
    --------
    >>> _scores_of_filled(["a b", ""], (2,), lambda texts: [[0.25, 0.75]] * len(texts))
    array([[0.25, 0.75],
           [0.  , 0.  ]])
    """
    scores = np.zeros((len(segmented), *columns))
    filled = [i for i, tokens in enumerate(segmented) if tokens]
    if filled:
        scores[filled] = score([segmented[i] for i in filled])
    return scores


def _class_weight_by_index(class_weight, classes: list[str]):
    """``class_weight`` as a calibrated linear model sees it: scikit-learn's calibration
    passes it label indices in sorted order, not names, so a dict of names becomes one
    of indices (``classes`` sorted).

    Examples
    --------
    >>> _class_weight_by_index({"weather": 2.0}, ["crime", "weather"])
    {1: 2.0}
    >>> _class_weight_by_index("balanced", ["crime", "weather"])
    'balanced'
    """
    if not isinstance(class_weight, dict):
        return class_weight
    return {i: float(class_weight[c]) for i, c in enumerate(classes) if c in class_weight}


def store_coefficients_for_prediction(model) -> None:
    """Keep a fitted linear model's coefficients as float32 (half the size; TF-IDF
    features are float32 already), column by column: ``X @ coef_.T`` then reads
    ``coef_.T`` in place, where a row-by-row ``coef_`` is copied whole on every call
    (about 1.5 ms for 6 labels × 155,000 terms, more than the rest of the product).

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> lr = LogisticRegression().fit([[0.0, 1.0], [1.0, 0.0]], ["a", "b"])
    >>> store_coefficients_for_prediction(lr)
    >>> lr.coef_.dtype, lr.coef_.T.flags["C_CONTIGUOUS"]
    (dtype('float32'), True)
    """
    model = linear_model(model)
    model.coef_ = np.asfortranarray(model.coef_, dtype=np.float32)
    model.intercept_ = model.intercept_.astype(np.float32)


class NewsClassifier(ClassifierMixin, BaseEstimator):
    """Vietnamese news topic classifier.

    Parameters
    ----------
    segmenter : {"underthesea", "dictionary", "syllable"}
        Word segmenter, used at training and prediction alike.
    classifier : {"linearsvc", "nbsvm", "logreg", "sgd"}
        Linear model. ``nbsvm`` is a LinearSVC per label over features weighted by
        naive Bayes log-count ratios (:mod:`newscat.classifier.nbsvm`). ``linearsvc``,
        ``nbsvm`` and ``sgd`` (hinge loss) get probabilities by temperature scaling on
        cross-validated decision values.
    C : float
        Inverse regularisation strength (``linearsvc``, ``nbsvm``, ``logreg``).
    alpha : float
        Regularisation strength (``sgd``).
    ratio_power : float
        Power of the log-count ratios of ``nbsvm``: 1 is plain NBSVM, smaller softens.
    ngram_range : tuple of int
        Word n-grams for TF-IDF.
    syllable_features : bool
        Also count the n-grams of syllables (words split at ``_``), so that a text
        is seen both as words and as syllables; needs a word segmenter.
    title_weight : int
        How many more times the headline counts: the first non-empty line, when it is
        short enough to be one (:data:`~newscat.classifier.features.HEADLINE_MAX_CHARS`).
    min_df, max_df, max_features, sublinear_tf :
        As in :class:`~sklearn.feature_extraction.text.TfidfVectorizer`.
    class_weight : None, "balanced" or dict
        Class weights of the linear model; a dict weighs labels by name
        (``{"other": 0.5}``), labels it does not name weigh 1.
    calibration_cv : int
        Folds for calibrating scores of models without their own probabilities.
    clean_pages : bool
        Strip page furniture (teasers, captions, sign-offs) before predicting;
        for models that label raw scraped pages.
    max_chars : int
        Only the first ``max_chars`` characters of a text are used, at training and
        prediction time: the headline and first paragraphs decide a topic, and a huge
        document (a whole scraped site in one file) cannot stall a run.
    label_names : dict or None
        Display name of each label, e.g. ``{"weather": "Thời tiết"}``.
    min_score, min_margin : float
        A result is uncertain when its top score is below ``min_score`` or the top
        two scores are closer than ``min_margin``.
    random_state : int
        Seed of the linear model's solver: the same data and seed give the same model.
    word_vectors : WordVectors or None
        Word vectors learnt from unlabelled news
        (:func:`~newscat.classifier.word_vectors.learn_word_vectors`); each text's
        article vector, times ``vector_weight``, joins its TF-IDF columns.
    vector_weight : float
        Weight of the article vector beside the (unit-length) TF-IDF row.
    neighbours : int
        With word vectors and a calibrated classifier (``linearsvc``, ``nbsvm``,
        ``sgd``): each label's decision value also gets ``neighbour_weight`` times its
        share among the ``neighbours`` training texts with the most similar article
        vectors (:mod:`newscat.classifier.neighbours`); 0 leaves them out.
    neighbour_weight : float
        Weight of those votes (each a share from 0 to 1).

    Examples
    --------
    >>> clf = NewsClassifier(segmenter="syllable", calibration_cv=2)
    >>> texts = ["Bão số 3 gây mưa lớn", "Mưa lớn kéo dài do bão",
    ...          "Công an bắt nghi phạm trộm", "Tòa xử vụ trộm cắp tài sản"]
    >>> clf = clf.fit(texts, ["weather", "weather", "crime", "crime"])
    >>> clf.predict(["Bão gây mưa"])[0]
    'weather'
    """

    _parameter_constraints: dict = {
        "segmenter": [StrOptions(set(SEGMENTERS))],
        "classifier": [StrOptions(set(CLASSIFIERS))],
        "C": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "ratio_power": [Interval(Real, 0, None, closed="left")],
        "ngram_range": [tuple],
        "syllable_features": ["boolean"],
        "title_weight": [Interval(Integral, 0, None, closed="left")],
        "min_df": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0, 1, closed="both")],
        "max_df": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0, 1, closed="both")],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "sublinear_tf": ["boolean"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "calibration_cv": [Interval(Integral, 2, None, closed="left")],
        "clean_pages": ["boolean"],
        "max_chars": [Interval(Integral, 1, None, closed="left")],
        "label_names": [dict, None],
        "min_score": [Interval(Real, 0, 1, closed="both")],
        "min_margin": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
        "word_vectors": [WordVectors, None],
        "vector_weight": [Interval(Real, 0, None, closed="neither")],
        "neighbours": [Interval(Integral, 0, None, closed="left")],
        "neighbour_weight": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        segmenter: str = "underthesea",
        classifier: str = "linearsvc",
        *,
        C: float = 1.0,
        alpha: float = 1e-5,
        ratio_power: float = 0.3,
        ngram_range: tuple[int, int] = (1, 2),
        syllable_features: bool = False,
        title_weight: int = 0,
        min_df: int | float = 2,
        max_df: int | float = 0.5,
        max_features: int | None = 150_000,
        sublinear_tf: bool = True,
        class_weight: str | dict | None = None,
        calibration_cv: int = 3,
        clean_pages: bool = False,
        max_chars: int = 100_000,
        label_names: dict | None = None,
        min_score: float = 0.5,
        min_margin: float = 0.1,
        random_state=0,
        word_vectors: WordVectors | None = None,
        vector_weight: float = 0.4,
        neighbours: int = 0,
        neighbour_weight: float = 0.5,
    ) -> None:
        self.segmenter = segmenter
        self.classifier = classifier
        self.C = C
        self.alpha = alpha
        self.ratio_power = ratio_power
        self.ngram_range = ngram_range
        self.syllable_features = syllable_features
        self.title_weight = title_weight
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.class_weight = class_weight
        self.calibration_cv = calibration_cv
        self.clean_pages = clean_pages
        self.max_chars = max_chars
        self.label_names = label_names
        self.min_score = min_score
        self.min_margin = min_margin
        self.random_state = random_state
        self.word_vectors = word_vectors
        self.vector_weight = vector_weight
        self.neighbours = neighbours
        self.neighbour_weight = neighbour_weight

    # ----------------------------------------------------------------- fitting
    def _validate_params(self) -> None:
        """scikit-learn's checks of ``_parameter_constraints``, and of ``ngram_range``'s
        values, which those constraints cannot express."""
        super()._validate_params()
        low_high = self.ngram_range
        if not (
            len(low_high) == 2
            and all(isinstance(n, Integral) and not isinstance(n, bool) for n in low_high)
            and 1 <= low_high[0] <= low_high[1]
        ):
            raise ValueError(
                f"The 'ngram_range' parameter of NewsClassifier must be (low, high) with "
                f"1 <= low <= high, such as (1, 2). Got {low_high!r} instead."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Sequence[str], y: Sequence[str]) -> NewsClassifier:
        """Learn topics from texts ``X`` and their labels ``y``; returns ``self``."""
        texts = check_texts(X, "X")
        labels = check_labels(y, "y")
        if len(texts) != len(labels):
            raise DataError(f"X has {len(texts)} texts but y has {len(labels)} labels")
        if not texts:
            raise DataError("cannot train on an empty dataset: no texts given")
        if self.syllable_features and self.segmenter == "syllable":
            raise ValueError(
                "syllable_features=True needs a word segmenter: with segmenter='syllable' "
                "the words already are syllables"
            )
        if self.neighbours and (self.word_vectors is None or self.classifier == "logreg"):
            raise ValueError(
                "neighbours > 0 needs word_vectors (texts are compared by their article "
                "vectors) and a calibrated classifier (linearsvc, nbsvm or sgd)"
            )
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise DataError(
                f"cannot train on one label only ({classes[0]!r}): a classifier needs two or more"
            )
        check_class_weight(self.class_weight, classes)
        # which labels it may name is checked where all the data is known (a recipe):
        # a fold of cross-validation or a search's subsample may lack one
        check_label_names(self.label_names)
        segmented = self._clean_normalise_segment(texts, clean=False, progress=current().progress)
        empty = [i for i, tokens in enumerate(segmented) if not tokens]
        if empty:
            raise DataError(
                f"{len(empty)} training text(s) are empty after normalisation, "
                f"first at index {empty[0]}; remove them or fix the reader"
            )
        self.pipeline_ = self._assemble(self._vectorizer(), self._model(labels))
        self.pipeline_.fit(segmented, labels)
        store_coefficients_for_prediction(self.pipeline_.named_steps["model"])
        self.classes_ = self.pipeline_.classes_
        return self

    def _features(self, tfidf: TfidfVectorizer):
        """The TF-IDF step, joined by the article vectors when the model has word vectors."""
        if self.word_vectors is None:
            return tfidf
        return WithArticleVectors(tfidf, ArticleVectors(self.word_vectors, self.vector_weight))

    def _features_name(self) -> str:
        return "tfidf" if self.word_vectors is None else "features"

    def _assemble(self, tfidf: TfidfVectorizer, model) -> Pipeline:
        """The pipeline from segmented text to scores around ``tfidf`` and ``model``."""
        return Pipeline([(self._features_name(), self._features(tfidf)), ("model", model)])

    @property
    def tfidf_(self) -> TfidfVectorizer:
        """The fitted TF-IDF step."""
        step = self.pipeline_.steps[0][1]
        return step.tfidf if isinstance(step, WithArticleVectors) else step

    def _vectorizer(self) -> TermVectorizer:
        return TermVectorizer(
            analyzer=TermAnalyzer(self.ngram_range, syllables=self.syllable_features),
            min_df=self.min_df,
            max_df=self.max_df,
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
            dtype=np.float32,
        )

    def _model(self, labels: list[str]):
        if self.classifier == "logreg":
            return LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                max_iter=2000,
                random_state=self.random_state,
            )
        class_weight = _class_weight_by_index(self.class_weight, sorted(set(labels)))
        if self.classifier == "linearsvc":
            base = LinearSVC(C=self.C, class_weight=class_weight, random_state=self.random_state)
        elif self.classifier == "nbsvm":
            base = NBSVMClassifier(
                self.C,
                class_weight=class_weight,
                ratio_power=self.ratio_power,
                unweighted_tail=0 if self.word_vectors is None else self.word_vectors.dim,
                random_state=self.random_state,
            )
        else:
            base = SGDClassifier(
                alpha=self.alpha, class_weight=class_weight, random_state=self.random_state
            )
        if self.neighbours:
            base = NeighbourVotes(
                base,
                n_neighbors=self.neighbours,
                weight=self.neighbour_weight,
                dim=self.word_vectors.dim,
            )
        counts = Counter(labels)
        rarest, smallest = min(counts.items(), key=lambda item: item[1])
        if smallest < 2:
            raise DataError(
                f"label {rarest!r} has one training text only; calibrating the scores of "
                f"{self.classifier} needs at least two per label"
            )
        folds = min(self.calibration_cv, smallest)
        return CalibratedClassifierCV(base, method="temperature", cv=folds, ensemble=False)

    # -------------------------------------------------------------- predicting
    def _clean_normalise_segment(
        self, texts: list[str], clean: bool | None, progress: bool = False
    ) -> list[str]:
        """The texts as the model reads them: cut to ``max_chars``, page furniture
        stripped (``clean``, or the model's ``clean_pages`` when None), normalised,
        the headline repeated ``title_weight`` more times, then segmented."""
        texts = [text[: self.max_chars] for text in texts]
        if self.clean_pages if clean is None else clean:
            texts = [clean_page(text) for text in texts]
        normalised = [repeat_title(normalize_text(text), self.title_weight) for text in texts]
        runtime = current()  # the machine's settings, not the model's
        return segment_texts(
            normalised,
            self.segmenter,
            cache_dir=runtime.cache_dir,
            n_jobs=runtime.n_jobs,
            progress=progress,
        )

    def predict_proba(self, X: Sequence[str], *, clean: bool | None = None) -> np.ndarray:
        """Return one row of calibrated scores per text, columns aligned with ``classes_``.

        An empty or whitespace-only text gets a row of zeros: there is no evidence
        for any topic.
        """
        check_is_fitted(self, "pipeline_")
        return self._proba(self._clean_normalise_segment(check_texts(X, "X"), clean))

    def _proba(self, segmented: list[str]) -> np.ndarray:
        features, model = self.pipeline_.steps[0][1], self.pipeline_.named_steps["model"]
        return _scores_of_filled(
            segmented,
            (len(self.classes_),),
            lambda texts: calibrated_scores(model, features.transform(texts)),
        )

    def decision_function(self, X: Sequence[str], *, clean: bool | None = None) -> np.ndarray:
        """Return the linear model's raw scores (with the neighbour votes, if any), one row
        per text, before calibration.

        Columns are aligned with ``classes_`` (one column for two labels, as in
        scikit-learn); an empty text gets zeros. The calibrated scores of
        :meth:`predict_proba` rank the labels in the same order.

        Examples
        --------
        >>> clf = NewsClassifier(segmenter="syllable", calibration_cv=2)
        >>> clf = clf.fit(["mưa bão lớn", "bão gây mưa", "bắt kẻ trộm", "xử vụ trộm"] * 2,
        ...               ["weather", "weather", "crime", "crime"] * 2)
        >>> bool(clf.decision_function(["trời mưa bão"])[0] < 0)  # < 0: classes_[0], crime
        False
        """
        check_is_fitted(self, "pipeline_")
        segmented = self._clean_normalise_segment(check_texts(X, "X"), clean)
        features = self.pipeline_.steps[0][1]
        scored = decision_model(self.pipeline_.named_steps["model"])
        columns = (len(self.classes_),) if len(self.classes_) > 2 else ()
        return _scores_of_filled(
            segmented, columns, lambda texts: scored.decision_function(features.transform(texts))
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def predict(self, X: Sequence[str], *, clean: bool | None = None) -> np.ndarray:
        """Return the label of each text (``None`` for an empty text)."""
        proba = self.predict_proba(X, clean=clean)
        labels = self.classes_[proba.argmax(axis=1)].astype(object)
        labels[proba.sum(axis=1) == 0] = None
        return labels

    def classify_many(
        self, texts: Sequence[str], *, top_k: int = 3, clean: bool | None = None
    ) -> list[Prediction]:
        """Label each text with its score, top-k scores and an uncertain flag.

        ``top_k`` (at least 1) is how many labels to list with their scores; all of
        them when it is larger than their number.
        """
        check_is_fitted(self, "pipeline_")
        if isinstance(top_k, bool) or not isinstance(top_k, Integral) or top_k < 1:
            raise ValueError(f"top_k must be an integer of at least 1, got {top_k!r}")
        segmented = self._clean_normalise_segment(check_texts(texts, "texts"), clean)
        return self._predictions(self._proba(segmented), segmented, top_k)

    def classify(self, text: str, *, top_k: int = 3, clean: bool | None = None) -> Prediction:
        """Label one text.

        The result is uncertain, with the reason, when

        - the text is not Vietnamese (``"not Vietnamese text"``): fewer than
          :data:`~newscat.classifier.domain.MIN_VIETNAMESE_SHARE` of its letters are ``đ`` or
          vowels with Vietnamese marks (English, Chinese, emoji, text typed
          without marks);
        - the model knows few of its words (``"few known terms"``): fewer than
          :data:`~newscat.classifier.domain.MIN_KNOWN_SHARE` of them are in its vocabulary
          (gibberish, another domain);
        - the top score is below ``min_score`` or the top two scores are closer
          than ``min_margin``.

        The first two are checked on the start of the text the model reads
        (cleaned, normalised); see :mod:`newscat.classifier.domain`. An empty
        text gives label ``None``.
        """
        if not isinstance(text, str):
            raise TypeError(f"classify takes one str, got {type(text).__name__}")
        return self.classify_many([text], top_k=top_k, clean=clean)[0]

    def explain(
        self,
        text: str,
        *,
        top: int = 10,
        labels: Sequence[str] | None = None,
        clean: bool | None = None,
    ):
        """Explain the label of one text: the terms that raised and lowered its score.

        Returns an :class:`~newscat.classifier.explanation.Explanation` of the predicted label and
        the runner-up (or of ``labels``): for each, the ``top`` terms on either side
        with their contributions (TF-IDF value times coefficient) and the intercept,
        which add up to the decision value. See :mod:`newscat.classifier.explanation`.
        """
        if not isinstance(text, str):
            raise TypeError(f"explain takes one str, got {type(text).__name__}")
        wanted = None if labels is None else [list(labels)]
        explanation = explain_many(self, [text], top=top, labels=wanted, clean=clean)[0]
        if explanation is None:
            raise DataError("cannot explain an empty text: nothing is left after cleaning")
        return explanation

    def _out_of_domain(self, segmented: str) -> str | None:
        """Why a segmented text is outside what the model can judge, or None."""
        segmented = segmented[:SAMPLE_CHARS]
        if vietnamese_share(segmented) < MIN_VIETNAMESE_SHARE:
            return NOT_VIETNAMESE
        table = (
            self.tfidf_.term_table(build=False) if isinstance(self.tfidf_, TermVectorizer) else None
        )
        if table is not None:
            known = table.known_share(segmented)
        else:
            mark = SYLLABLE_MARK if self.syllable_features else None
            known = known_share(segmented, self.tfidf_.vocabulary_, mark)
        if known < MIN_KNOWN_SHARE:
            return FEW_KNOWN_TERMS
        return None

    def _predictions(self, proba: np.ndarray, segmented: list[str], top_k: int) -> list[Prediction]:
        """The result for each row of scores; ``segmented`` are the texts the rows are of."""
        return predictions_from_scores(
            proba,
            self.classes_,
            top_k=top_k,
            min_score=self.min_score,
            min_margin=self.min_margin,
            label_names=self.label_names,
            domains=[self._out_of_domain(text) for text in segmented],
        )
