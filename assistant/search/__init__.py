"""The search layer: embeddings (the verified model), the Chroma vector index, BM25 keywords and their fusion."""
