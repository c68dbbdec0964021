"""Benchmarks and quality evaluations; results go to BENCHMARKS.md."""
