"""Extraction stages: text layer, OCR, ruled / whitespace / image tables."""
