"""Benchmarks: side-by-side timings printed as tables (never timed assertions in tests)."""
