"""Offline-first question answering over fund research reports."""
