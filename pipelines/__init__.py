"""Pipelines: document kinds -> the datasets of ../shared/DATASETS.md."""
