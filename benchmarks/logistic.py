"""Logistic regression in plain Python (Newton's method with an L2 penalty).

Used offline by benchmarks/fit_decision.py; the model has a dozen coefficients, so numpy or
scikit-learn would only add an install and start-up time."""

from __future__ import annotations

import math

L2 = 1.0


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def fit(rows: list[tuple[list[float], int, float]], l2: float = L2) -> list[float]:
    """[intercept, *weights] for rows of (features, label 0/1, row weight)."""
    d = len(rows[0][0]) + 1
    beta = [0.0] * d
    for _ in range(25):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y, weight in rows:
            xb = [1.0, *x]
            p = sigmoid(sum(b * v for b, v in zip(beta, xb, strict=True)))
            r, v = weight * (p - y), weight * p * (1 - p)
            for i in range(d):
                grad[i] += r * xb[i]
                vi = v * xb[i]
                row = hess[i]
                for j in range(i, d):
                    row[j] += vi * xb[j]
        for i in range(d):
            for j in range(i):
                hess[i][j] = hess[j][i]
        for i in range(1, d):
            grad[i] += l2 * beta[i]
            hess[i][i] += l2
        step = solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return beta


def solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a·x = b (Gauss-Jordan with partial pivoting)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        pivot = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[pivot] = m[pivot], m[c]
        for r in range(n):
            if r != c and m[r][c]:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]
