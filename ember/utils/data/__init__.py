"""ember.utils.data: datasets, samplers and the DataLoader, with torch's semantics."""
