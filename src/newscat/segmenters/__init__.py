"""Word segmenters: the registry by name, each segmenter, and the on-disk cache."""
