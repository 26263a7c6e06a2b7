"""Benchmarks: LeadBridge against the usual pandas way, at 100 thousand to 10 million leads."""
