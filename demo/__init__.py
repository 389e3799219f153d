"""Synthetic data: the demo scheme a person can sign in to (`seed_demo`, `make demo`) and the
national-scale data the benchmark loads (`seed_scale`). Nothing in the service imports it."""
