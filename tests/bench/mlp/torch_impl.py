"""The MLP loss in PyTorch (tests/bench/mlp)."""
import torch

WRT = ["W1", "b1", "W2", "b2"]


def objective(W1, b1, W2, b2, X, labels):
    hid = torch.relu(X @ W1.T + b1)
    logits = hid @ W2.T + b2
    return torch.nn.functional.cross_entropy(logits, labels)
