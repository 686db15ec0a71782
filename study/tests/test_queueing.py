#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Unit tests of study/queueing.py's M/D/1/K solution, each against an
oracle that does not share its code:

  (a) M/D/1 (K large): zero loss for rho < 1 and P0 = 1 - rho (Little / the
      utilisation law), and the Pollaczek-Khinchine mean queue length
      L = rho + rho^2 / (2 (1 - rho)) for deterministic service;
  (b) a discrete-event simulation of an M/D/1/K queue written here
      (Python random, fixed seed, 10^6 arrivals): the formula's loss within
      4 standard errors (batch means);
  (c) the overload limit: loss -> 1 - 1/rho as K grows (rho > 1), and the
      flow balance lambda (1 - loss) = mu (1 - P0) at every rho and K;
  (d) K = 1 (M/D/1/1, no waiting room): loss = rho / (1 + rho) (Erlang-B for
      one server, insensitive to the service distribution).
Run: python3 study/tests/test_queueing.py
"""
import math
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import queueing as q  # noqa: E402


def simulate_md1k(lam, mu, K, arrivals, seed):
    """Loss of an M/D/1/K queue by event simulation: K in the system at most."""
    rng = random.Random(seed)
    s = 1.0 / mu
    t = 0.0
    departures = []  # departure times of the customers in the system, FIFO
    head = 0
    lost = 0
    batch = arrivals // 20
    batch_losses = []
    b_lost = 0
    for n in range(arrivals):
        t += rng.expovariate(lam)
        while head < len(departures) and departures[head] <= t:
            head += 1
        in_system = len(departures) - head
        if in_system >= K:
            lost += 1
            b_lost += 1
        else:
            start = departures[-1] if in_system else t
            departures.append(max(start, t) + s)
        if head > 100000:  # keep the list short
            departures = departures[head:]
            head = 0
        if (n + 1) % batch == 0:
            batch_losses.append(b_lost / batch)
            b_lost = 0
    m = sum(batch_losses) / len(batch_losses)
    var = sum((x - m) ** 2 for x in batch_losses) / (len(batch_losses) - 1)
    return lost / arrivals, math.sqrt(var / len(batch_losses))


class MD1K(unittest.TestCase):
    def test_a_md1_limit(self):
        mu = 1.0
        K = 400
        for rho in (0.3, 0.6, 0.9):
            p = q.md1k_state_probabilities(rho, K)
            self.assertAlmostEqual(sum(p), 1.0, places=12)
            self.assertLess(q.md1k_loss(rho * mu, mu, K), 1e-12)
            self.assertAlmostEqual(p[0], 1.0 - rho, places=9)
            L = sum(j * pj for j, pj in enumerate(p))
            self.assertAlmostEqual(L, rho + rho * rho / (2 * (1 - rho)), places=6)

    def test_b_simulation(self):
        # 10^6 arrivals in all, over loads where the loss is not tiny
        mu = 1.0
        for rho, K, seed in ((0.9, 5, 11), (1.0, 10, 12), (1.3, 8, 13), (2.0, 20, 14)):
            sim, se = simulate_md1k(rho * mu, mu, K, 250000, seed)
            f = q.md1k_loss(rho * mu, mu, K)
            self.assertLess(abs(sim - f), 4 * se + 1e-4, f"rho {rho} K {K}: sim {sim:.5f} +- {se:.5f}, formula {f:.5f}")

    def test_c_overload_limit(self):
        mu = 1.0
        for rho in (1.2, 1.5, 2.0, 4.0):
            lim = q.overload_limit(rho * mu, mu)
            self.assertAlmostEqual(lim, 1 - 1 / rho, places=12)
            self.assertLess(abs(q.md1k_loss(rho * mu, mu, 1280) - lim), 1e-9)
            # a small buffer loses more than the limit
            self.assertGreater(q.md1k_loss(rho * mu, mu, 3), lim)
        for rho in (0.5, 1.0, 1.7):
            for K in (2, 7, 50):
                p = q.md1k_state_probabilities(rho, K)
                # carried load: served rate = mu * P(busy) = lambda * (1 - loss)
                self.assertAlmostEqual(rho * (1 - p[K]), 1 - p[0], places=10)

    def test_d_k1_erlang(self):
        for rho in (0.2, 1.0, 3.0):
            self.assertAlmostEqual(q.md1k_loss(rho, 1.0, 1), rho / (1 + rho), places=12)

    def test_large_k_is_finite(self):
        # the stable recursion: no overflow or negative values at K = 1280
        for rho in (0.5, 0.99, 1.01, 2.0, 10.0):
            p = q.md1k_state_probabilities(rho, 1280)
            self.assertTrue(all(x >= 0 and math.isfinite(x) for x in p))
            self.assertAlmostEqual(sum(p), 1.0, places=9)
            self.assertLess(p[1280], max(0.0, 1 - 1 / rho) + 1e-9)

    def test_cost_table_capacity(self):
        knobs = dict(q.DEFAULT_KNOBS)
        knobs.update(q.DEFAULT_COSTS)
        # doubling every cost halves the capacity; the per-poll share shrinks with the batch
        t1 = q.service_time_ns(knobs)
        self.assertAlmostEqual(q.service_time_ns({k: (v * 2 if k.startswith("cost.") else v) for k, v in knobs.items()}),
                               2 * t1, places=9)
        self.assertGreater(q.service_time_ns(knobs, batch=1), q.service_time_ns(knobs, batch=64))
        self.assertEqual(q.queue_capacity(knobs), (1280, 256, 1024))


if __name__ == "__main__":
    unittest.main(verbosity=2)
