"""Small reference models (the `ember` command's mlp, cnn and resnet)."""
