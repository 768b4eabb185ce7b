"""ember.optim: torch's optimizers and learning-rate schedulers."""
