"""n-dimensional Rosenbrock in PyTorch (tests/bench/rosenbrock), vectorised (PyTorch's fast form)."""
WRT = ["x"]


def objective(x):
    a = x[1:] - x[:-1] * x[:-1]
    b = 1.0 - x[:-1]
    return (100.0 * a * a + b * b).sum()
