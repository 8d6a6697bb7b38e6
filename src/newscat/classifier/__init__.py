"""The model: the estimator, its features, the out-of-domain rule, saving and loading."""
