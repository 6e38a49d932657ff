"""Prophet's model (linear trend, optional yearly seasonality), fitted and sampled in numpy.

Why: a refresh fits Prophet some 10,000 times (every series and every backtest origin), and
the ``prophet`` package spends ~35 ms on each whatever the series: a cmdstan process per
fit, and pandas set-up of (here empty) seasonal features at fit and again at prediction.
This module computes the same thing in ~2 ms:

- the same data: Prophet's scaling (count / its largest value, time 0-1 over the
  history), its changepoint grid (evenly over the first 80% of the history), its yearly
  Fourier terms (order 10) and its priors (slope and offset N(0, 5), changepoints
  Laplace(0, 0.05), noise half-N(0, 0.5), seasonality N(0, 10));
- the same estimate: the posterior mode (what Prophet's default fit, Stan's optimiser,
  looks for), found by L-BFGS-B with the noise profiled out (its best value given the
  residuals has a closed form) and each changepoint's rate change split into a rise and
  a fall, both >= 0, so the objective is smooth;
- the same intervals: Prophet's own simulation of future trend changes and noise
  (``sample_posterior_predictive`` with ``vectorized=True``), draw for draw in the same
  order from a generator seeded as Prophet's global one would be.

The one approximation is the optimiser: two optimisers stop at slightly different points
near the same mode. tests/test_forecasting.py checks the forecasts against the
``prophet`` package's (cmdstan) on the same histories: within a child for LA-sized series.
Only what these forecasts use is built: linear growth, additive terms, MAP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CHANGEPOINT_RANGE = 0.8  # Prophet's default: changepoints in the first 80% of the history
TAU = 0.05  # Prophet's changepoint_prior_scale
SLOPE_SD = OFFSET_SD = 5.0  # Prophet's priors on the first slope and the offset
NOISE_SD = 0.5  # half-normal prior on the noise
SEASONALITY_SD = 10.0  # Prophet's seasonality_prior_scale
YEARLY_ORDER = 10  # Prophet's Fourier order for yearly seasonality
YEAR_DAYS = 365.25
DAY_SECONDS = 86400.0
MAX_ROUNDS = 500  # noise and trend re-estimated in turn until neither moves
TOLERANCE = 1e-10  # scaled units: a 1e-10 share of the largest count


@dataclass
class Design:
    """One history, set up as Prophet sets it up: its dates, scaled time and counts, the
    changepoints (scaled time; one dummy at 0 when there are none, as in Prophet) and the
    regressor columns (yearly Fourier terms, or Prophet's one column of zeros)."""

    start: pd.Timestamp
    t_scale: pd.Timedelta
    y_scale: float
    t: np.ndarray
    y: np.ndarray
    changepoints: np.ndarray
    has_changepoints: bool
    yearly: bool

    def features(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """The regressor columns at ``dates`` (Prophet's ``fourier_series``)."""
        if not self.yearly:
            return np.zeros((len(dates), 1))
        days = np.asarray((dates - pd.Timestamp("1970-01-01")).total_seconds()) / DAY_SECONDS
        angles = 2 * np.pi * np.outer(days, np.arange(1, YEARLY_ORDER + 1)) / YEAR_DAYS
        return np.stack([np.sin(angles), np.cos(angles)], axis=2).reshape(len(dates), -1)

    def scaled_time(self, dates: pd.DatetimeIndex) -> np.ndarray:
        return np.asarray((dates - self.start) / self.t_scale, dtype=float)


def design(dates: pd.DatetimeIndex, y: np.ndarray, n_changepoints: int,
           yearly: bool) -> Design:
    """``y`` at ``dates`` (sorted, no gaps) set up as Prophet's ``fit`` does."""
    y = np.asarray(y, dtype=float)
    y_scale = float(np.abs(y).max()) or 1.0
    start, t_scale = dates[0], dates[-1] - dates[0]
    t = np.asarray((dates - start) / t_scale, dtype=float)
    hist_size = int(np.floor(len(dates) * CHANGEPOINT_RANGE))
    n_changepoints = min(n_changepoints, hist_size - 1)
    if n_changepoints > 0:
        grid = np.linspace(0, hist_size - 1, n_changepoints + 1).round().astype(int)[1:]
        changepoints = np.sort(t[grid])
    else:
        changepoints = np.array([0.0])
    return Design(start, t_scale, y_scale, t, y / y_scale, changepoints,
                  n_changepoints > 0, yearly)


def regressors(d: Design, t: np.ndarray, dates: pd.DatetimeIndex) -> np.ndarray:
    """The columns the fitted values are linear in: slope, offset, each changepoint's rate
    change (its hinge), then the seasonal terms."""
    hinges = np.clip(t[:, None] - d.changepoints[None, :], 0, None)
    return np.column_stack([t, np.ones_like(t), hinges, d.features(dates)])


def noise_for(rss: float, n: int) -> float:
    """The noise sd that maximises the posterior given the residual sum of squares: the
    root of 4 s^4 + n s^2 - rss = 0 (prior half-N(0, 0.5), n normal observations)."""
    return float(np.sqrt((-n + np.sqrt(n * n + 16 * rss)) / 8))


def fit(d: Design, dates: pd.DatetimeIndex, init: dict | None = None) -> dict:
    """The posterior mode's parameters (Prophet's names and scaled units: k, m, delta,
    sigma_obs, beta) for ``d``. ``init`` (same form, e.g. a shorter history's fit put in
    these scales by ``rescaled``) is where the search starts, else Prophet's start (the
    line through the first and last points): it changes how long the search takes, not
    where it ends."""
    Z = regressors(d, d.t, dates)
    n, S = len(d.y), len(d.changepoints)
    K = Z.shape[1] - 2 - S
    if np.ptp(d.y) == 0:  # Prophet's own shortcut for a series that never moves
        return {"k": 0.0, "m": float(d.y[0]), "delta": np.zeros(S), "sigma_obs": 1e-9,
                "beta": np.zeros(K)}
    start = init if init is not None and len(init["delta"]) == S and \
        len(init["beta"]) == K else initial(d, S, K)
    prior = np.zeros(Z.shape[1])  # precision of each normal prior; hinges' are Laplace
    prior[:2] = 1 / SLOPE_SD ** 2, 1 / OFFSET_SD ** 2
    prior[2 + S:] = 1 / (SEASONALITY_SD if d.yearly else 1.0) ** 2
    ZtZ, Zty = Z.T @ Z, Z.T @ d.y
    theta = np.concatenate([[start["k"], start["m"]], start["delta"], start["beta"]])
    sigma = noise_for(float(np.sum((d.y - Z @ theta) ** 2)), n)
    for _ in range(MAX_ROUNDS):
        new = lasso(ZtZ / sigma ** 2 + np.diag(prior), Zty / sigma ** 2, S)
        sigma = noise_for(float(np.sum((d.y - Z @ new) ** 2)), n)
        done = np.max(np.abs(new - theta)) < TOLERANCE
        theta = new
        if done:
            break
    out = {"k": float(theta[0]), "m": float(theta[1]), "delta": theta[2:2 + S],
           "sigma_obs": sigma, "beta": theta[2 + S:]}
    if not d.has_changepoints:  # as Prophet: the dummy changepoint's change joins the slope
        out["k"], out["delta"] = out["k"] + float(out["delta"][0]), np.zeros(1)
    return out


def lasso(H: np.ndarray, b: np.ndarray, S: int) -> np.ndarray:
    """The exact minimum of 1/2 x'Hx - b'x + |x[2:2+S]| / TAU (the posterior's mode in
    the trend and seasonality for a given noise): each changepoint's change is up, down
    or none, so each of the 3^S sign patterns (S is at most a few here) is one linear
    system (all solved at once, a change held at 0 by an identity row), and the best
    solution whose signs hold is the answer."""
    signs = patterns(S)
    held = np.zeros((len(signs), len(b)), bool)
    held[:, 2:2 + S] = signs == 0
    systems = np.where(held[:, :, None] | held[:, None, :], 0.0, H)
    systems[held] = np.eye(len(b))[np.nonzero(held)[1]]
    rhs = np.where(held, 0.0, b)
    rhs[:, 2:2 + S] -= signs / TAU
    x = np.linalg.solve(systems, rhs[:, :, None])[:, :, 0]
    valid = np.all(np.sign(x[:, 2:2 + S]) == signs, axis=1)
    values = (0.5 * np.einsum("pi,ij,pj->p", x, H, x) - x @ b
              + np.abs(x[:, 2:2 + S]).sum(axis=1) / TAU)
    return x[np.argmin(np.where(valid, values, np.inf))]


def patterns(S: int) -> np.ndarray:
    """Every sign pattern (-1, 0, +1) of S changepoints' changes."""
    return np.array(np.meshgrid(*[[-1.0, 0.0, 1.0]] * S, indexing="ij")).reshape(S, -1).T


def initial(d: Design, S: int, K: int) -> dict:
    """Prophet's starting point: the line through the first and last points."""
    k = (d.y[-1] - d.y[0]) / (d.t[-1] - d.t[0])
    return {"k": k, "m": d.y[0] - k * d.t[0], "delta": np.zeros(S), "sigma_obs": 1.0,
            "beta": np.zeros(K)}


def rescaled(params: dict, old: Design, new: Design) -> dict:
    """``params`` fitted on ``old`` expressed in ``new``'s scales (a longer history of the
    same series): the same line in counts and days, so a warm start begins near the end."""
    y_ratio = old.y_scale / new.y_scale
    t_ratio = new.t_scale / old.t_scale
    shift = (old.start - new.start) / old.t_scale  # 0 when both start on the same date
    k = params["k"] * y_ratio * t_ratio
    return {"k": k, "m": (params["m"] - params["k"] * shift) * y_ratio,
            "delta": np.asarray(params["delta"]) * y_ratio * t_ratio,
            "sigma_obs": params["sigma_obs"] * y_ratio,
            "beta": np.asarray(params["beta"]) * y_ratio}


def trend(d: Design, params: dict, t: np.ndarray) -> np.ndarray:
    """Prophet's ``piecewise_linear`` (scaled units)."""
    active = (d.changepoints[None, :] <= t[:, None]) * params["delta"]
    return (params["k"] + active.sum(axis=1)) * t + params["m"] + (
        active * -d.changepoints).sum(axis=1)


def predict(d: Design, params: dict, future: pd.DatetimeIndex, samples: int,
            seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The point forecast at ``future`` (trend plus seasonality, in ``y``'s units) and
    ``samples`` draws of Prophet's predictive distribution there (rows: dates), drawn
    as Prophet draws them after ``np.random.seed(seed)``."""
    t = d.scaled_time(future)
    seasonal = d.features(future) @ params["beta"]
    expected = trend(d, params, t)
    point = (expected + seasonal) * d.y_scale
    rng = np.random.RandomState(seed)
    step = np.diff(t).mean() if len(t) > 1 else np.diff(d.t).mean()
    chance = len(d.changepoints) * step
    mean_delta = np.mean(np.abs(params["delta"])) + 1e-8
    changes = rng.uniform(size=(samples, len(t))) < chance
    shifts = rng.laplace(0, mean_delta, size=changes.shape) * changes
    shifts = (np.hstack([np.zeros((samples, 1)), shifts])[:, :-1] + shifts) / 2
    paths = expected + shifts.cumsum(axis=1).cumsum(axis=1) * step
    noise = rng.normal(0, params["sigma_obs"], paths.shape)
    draws = (paths + noise + seasonal) * d.y_scale
    return point, draws.T
