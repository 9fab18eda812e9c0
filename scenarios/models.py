"""Linking the two: scenarios, coverage results and optimisation runs."""
