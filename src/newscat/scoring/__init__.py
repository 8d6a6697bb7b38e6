"""Scoring archives: batches, the job, result files and the engines that run it."""
