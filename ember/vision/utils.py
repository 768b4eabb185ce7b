"""Image utilities: make_grid and save_image (being built)."""
