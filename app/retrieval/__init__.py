"""Chunking, embeddings, the FAISS + BM25 hybrid index and its on-disk cache."""
