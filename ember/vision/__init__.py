"""ember.vision: datasets, transforms and image utilities, in the role torchvision plays."""
