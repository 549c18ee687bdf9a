"""The ADBench GMM objective in PyTorch (tests/bench/gmm), vectorised over points and components."""
import math

import torch

WRT = ["alphas", "means", "icf"]


def objective(alphas, means, icf, x, wishart_gamma, wishart_m):
    n, d = x.shape
    k = alphas.shape[0]
    qdiag = torch.exp(icf[:, :d])
    qs = icf[:, :d].sum(1)
    # Q_k = diag(exp(q_k)) + L_k, L_k's strict lower triangle packed column by column
    packed = torch.tensor([row * d + col for col in range(d) for row in range(col + 1, d)],
                          dtype=torch.int64)
    lower = torch.zeros(k, d * d, dtype=icf.dtype).index_copy(1, packed, icf[:, d:])
    Q = torch.diag_embed(qdiag) + lower.view(k, d, d)
    diff = x[:, None, :] - means[None, :, :]                  # [n, k, d]
    z = torch.einsum("kij,nkj->nki", Q, diff)
    beta = alphas + qs - 0.5 * (z * z).sum(2)                  # [n, k]
    slse = torch.logsumexp(beta, 1).sum()
    nn = d + wishart_m + 1
    c = nn * d * (math.log(wishart_gamma) - 0.5 * math.log(2.0)) - (
        0.25 * d * (d - 1) * math.log(math.pi)
        + sum(math.lgamma(0.5 * nn + 0.5 * (1 - j)) for j in range(1, d + 1)))
    frob = (qdiag * qdiag).sum(1) + (icf[:, d:] ** 2).sum(1)
    prior = (0.5 * wishart_gamma ** 2 * frob - wishart_m * qs).sum() - k * c
    return slse - n * torch.logsumexp(alphas, 0) - 0.5 * n * d * math.log(2 * math.pi) + prior
