"""The corpus layer: reports as Markdown with metadata, their citable chunks, and user uploads."""
