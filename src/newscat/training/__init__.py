"""Training and measuring models: recipes, training runs, metrics."""
