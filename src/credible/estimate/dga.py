"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997).

As the R package dga (``bma.cr``) computes it: every decomposable graph on the lists
is a model of how lists depend on each other; under a hyper-Dirichlet prior
(delta per cell of the full table) the marginal likelihood of a graph is a product
over its cliques divided by its separators, each a Dirichlet-multinomial of a
marginal table whose unobserved cell holds N - n. With a prior on N (default
proportional to 1/N) and uniform weights over graphs, the posterior over
(graph, N) is computed exactly on a grid of N - n = 0 .. 10 n.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
from scipy import special

from credible.errors import CredibleError
from credible.estimate.histories import CaptureHistories
from credible.estimate.result import Estimate


def _is_chordal_peo(adj: list[int], p: int) -> list[int] | None:
    """A perfect elimination order (by maximum cardinality search), or None if not chordal."""
    order: list[int] = []
    weight = [0] * p
    done = 0
    for _ in range(p):
        v = max((u for u in range(p) if not done >> u & 1), key=lambda u: (weight[u], -u))
        order.append(v)
        done |= 1 << v
        for u in range(p):
            if adj[v] >> u & 1 and not done >> u & 1:
                weight[u] += 1
    # MCS visits in reverse elimination order; check the earlier-visited neighbours form cliques
    peo = order[::-1]
    pos = {v: i for i, v in enumerate(peo)}
    for v in peo:
        later = [u for u in range(p) if adj[v] >> u & 1 and pos[u] > pos[v]]
        for a, b in itertools.combinations(later, 2):
            if not adj[a] >> b & 1:
                return None
    return peo


@functools.lru_cache(maxsize=8)
def decomposable_graphs(p: int) -> tuple[tuple[tuple[int, ...], ...], np.ndarray]:
    """All decomposable graphs on p vertices: (edge lists, clique-minus-separator matrix).

    Row g of the matrix holds, for every vertex subset (as a bit mask), +1 per clique
    and -1 per separator, found by telescoping over a perfect elimination order:
    sum over v of [v with its later neighbours] - [its later neighbours].
    """
    pairs = list(itertools.combinations(range(p), 2))
    graphs: list[tuple[int, ...]] = []
    rows: list[np.ndarray] = []
    for mask in range(1 << len(pairs)):
        adj = [0] * p
        edges = []
        for e, (a, b) in enumerate(pairs):
            if mask >> e & 1:
                adj[a] |= 1 << b
                adj[b] |= 1 << a
                edges.append(e)
        peo = _is_chordal_peo(adj, p)
        if peo is None:
            continue
        pos = {v: i for i, v in enumerate(peo)}
        coef = np.zeros(1 << p)
        for v in peo:
            later = sum(1 << u for u in range(p) if adj[v] >> u & 1 and pos[u] > pos[v])
            coef[later | 1 << v] += 1
            coef[later] -= 1
        graphs.append(tuple(edges))
        rows.append(coef)
    return tuple(graphs), np.array(rows)


def _component_matrix(table: np.ndarray, p: int, delta: float, nmiss: np.ndarray) -> np.ndarray:
    """log Dirichlet-multinomial terms of every marginal table (dga's MakeCompMatrix)."""
    comp = np.zeros((1 << p, len(nmiss)))
    codes = np.arange(1 << p)
    for sub in range(1, 1 << p):
        size = bin(sub).count("1")
        alpha = delta * 2.0 ** (p - size)
        marginal = np.bincount(codes & sub, weights=table, minlength=1 << p)
        cells = marginal[[c for c in range(1 << p) if c & ~sub == 0]]
        rest = special.gammaln(cells[1:] + alpha).sum() - (1 << size) * special.gammaln(alpha)
        comp[sub] = special.gammaln(nmiss + cells[0] + alpha) + rest
    return comp


def bma_posterior(
    h: CaptureHistories,
    delta: float | None = None,
    max_missing: int | None = None,
    log_prior_n: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[tuple[int, ...], ...]]:
    """Posterior of N on the grid, posterior of each graph, the grid, the graphs' edges."""
    p = h.n_lists
    if not 3 <= p <= 5:
        raise CredibleError(f"dga works with 3 to 5 lists (these histories have {p})")
    n = h.n_observed
    d = 2.0**-p if delta is None else float(delta)
    nmiss = np.arange(0, (10 * n if max_missing is None else max_missing) + 1, dtype=float)
    table = h.full_table().astype(float)
    table[0] = 0.0
    graphs, coef = decomposable_graphs(p)
    comp = _component_matrix(table, p, d, nmiss)
    total_alpha = d * (1 << p)
    dterm = special.gammaln(total_alpha) - special.gammaln(nmiss + n + total_alpha)
    multinom = special.gammaln(nmiss + n + 1) - special.gammaln(table[1:] + 1).sum()
    multinom = multinom - special.gammaln(nmiss + 1)
    prior = -np.log(n + nmiss) if log_prior_n is None else np.asarray(log_prior_n, dtype=float)
    # The empty set's "marginal table" is the total alone: its term is -dterm, so a
    # graph with c connected components gets the normalising constant c times, as
    # each component is its own Dirichlet-multinomial.
    comp[0] = -dterm
    base = multinom + prior
    # Graphs whose weight stays e^-60 below the best everywhere add nothing that
    # survives double precision. Find them on a coarse grid of N first (log weights
    # are smooth in N; the 10-nat margin covers what the coarse grid can miss) and
    # do the full grid only for the rest: on sparse data most graphs drop out.
    step = max(1, len(nmiss) // 256)
    coarse = coef @ comp[:, ::step] + base[::step]
    gmax = coarse.max(axis=1)
    keep = np.flatnonzero(gmax > gmax.max() - 70.0)
    logw = coef[keep] @ comp
    logw += base
    np.subtract(logw, logw.max(), out=logw)
    np.exp(logw, out=logw)
    post_n = logw.sum(axis=0)
    model_post = np.zeros(len(graphs))
    model_post[keep] = logw.sum(axis=1)
    total = post_n.sum()
    return post_n / total, model_post / total, n + nmiss, graphs


def _quantile(grid: np.ndarray, cdf: np.ndarray, q: float) -> float:
    return float(grid[min(int(np.searchsorted(cdf, q - 1e-12)), len(grid) - 1)])


def fit_dga(
    h: CaptureHistories,
    rng: np.random.Generator | None = None,
    level: float = 0.95,
    delta: float | None = None,
    max_missing: int | None = None,
    draws: int = 20000,
) -> Estimate:
    post_n, model_post, grid, graphs = bma_posterior(h, delta, max_missing)
    cdf = np.cumsum(post_n)
    tail = (1 - level) / 2
    med = _quantile(grid, cdf, 0.5)
    lo = _quantile(grid, cdf, tail)
    hi = _quantile(grid, cdf, 1 - tail)
    warnings: list[str] = []
    top_mass = float(post_n[int(len(grid) * 0.9) :].sum())
    if top_mass > 1e-3:
        warnings.append(
            f"{top_mass:.1%} of the posterior lies in the top tenth of the N grid: the upper "
            "bound depends on the grid, the data barely bound N"
        )
    order = np.argsort(-model_post)[:5]
    pairs = list(itertools.combinations(range(h.n_lists), 2))
    top = [
        {
            "edges": [f"{h.lists[pairs[e][0]]}-{h.lists[pairs[e][1]]}" for e in graphs[g]],
            "posterior_prob": float(model_post[g]),
        }
        for g in order
    ]
    sample = None
    if rng is not None:
        # Posterior draws of N, so that strata can be summed draw by draw.
        sample = rng.choice(grid, size=draws, p=post_n / post_n.sum()).astype(float)
    best_edges: list[str] = top[0]["edges"]  # type: ignore[assignment]
    top_name = ", ".join(best_edges) or "independence"
    return Estimate(
        method="dga",
        model=f"BMA over {len(graphs)} decomposable graphs (top: {top_name})",
        estimate=med,
        lower=lo,
        upper=hi,
        level=level,
        n_observed=h.n_observed,
        warnings=warnings,
        diagnostics={
            "posterior_mean": float((grid * post_n).sum()),
            "mode": float(grid[int(np.argmax(post_n))]),
            "top_models": top,
            "mass_in_top_tenth_of_grid": top_mass,
            "graphs": len(graphs),
        },
        settings={
            "delta": 2.0**-h.n_lists if delta is None else delta,
            "max_missing": int(grid[-1] - h.n_observed),
            "prior_N": "proportional to 1/N",
            "model_prior": "uniform over decomposable graphs",
        },
        draws=sample,
    )


def graph_count(p: int) -> int:
    return len(decomposable_graphs(p)[0])


__all__ = ["bma_posterior", "decomposable_graphs", "fit_dga", "graph_count"]
