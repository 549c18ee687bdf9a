"""The projectile simulation in PyTorch (tests/bench/projectile): one small tensor op per line."""
import torch

WRT = ["v0", "target"]


def objective(v0, target, steps):
    g = torch.tensor([0.0, -9.81], dtype=torch.float64)
    p = torch.zeros(2, dtype=torch.float64)
    v = v0
    for _ in range(steps):
        v = v + 0.001 * (g - 0.1 * torch.linalg.norm(v) * v)
        p = p + 0.001 * v
    return ((p - target) ** 2).sum()
