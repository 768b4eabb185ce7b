"""Image transforms for PIL images and tensors."""
