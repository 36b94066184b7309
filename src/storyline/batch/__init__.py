"""Batch processing on a distributed engine: per-article stages over input partitions, Parquet out, cross-article steps as shuffles."""
