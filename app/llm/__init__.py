"""LLM backends behind one small interface: OpenAI-compatible (streaming) and offline."""
