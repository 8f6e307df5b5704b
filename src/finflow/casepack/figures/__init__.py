"""Deterministic SVG figures for the case pack: link chart, timeline, flow of funds."""
