"""The ADBench LSTM objective in PyTorch (tests/bench/lstm), vectorised over the units of a layer."""
import torch

WRT = ["main_params", "extra_params"]


def objective(main_params, extra_params, state, sequence):
    layers = main_params.shape[0] // 2
    c, b = sequence.shape
    hidden = [state[2 * l] for l in range(layers)]
    cell = [state[2 * l + 1] for l in range(layers)]
    total = 0.0
    for t in range(c - 1):
        inp = sequence[t] * extra_params[0]
        for l in range(layers):
            w, bias = main_params[2 * l], main_params[2 * l + 1]
            forget = torch.sigmoid(inp * w[0] + bias[0])
            ingate = torch.sigmoid(hidden[l] * w[1] + bias[1])
            outgate = torch.sigmoid(inp * w[2] + bias[2])
            change = torch.tanh(hidden[l] * w[3] + bias[3])
            cell[l] = cell[l] * forget + ingate * change
            hidden[l] = outgate * torch.tanh(cell[l])
            inp = hidden[l]
        y = inp * extra_params[1] + extra_params[2]
        ynorm = y - torch.log(torch.exp(y).sum() + 2.0)
        total = total + (sequence[t + 1] * ynorm).sum()
    return -total / ((c - 1) * b)
