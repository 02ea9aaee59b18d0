"""Benchmark commands: run with ``python -m benchmarks.<name>``; they print figures, never assert on time."""
