"""Text before segmentation: decoding files, cleaning scraped pages, normalising."""
