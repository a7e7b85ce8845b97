"""Hostile inputs (#18): local hostile servers, crafted PDFs and texts, signals, bad databases."""
