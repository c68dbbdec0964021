"""LLM backends behind one small interface: OpenAI-compatible (streaming) and offline.

`backend_from_settings(settings)` is the one place a backend is chosen from the settings.
"""

from app.llm.factory import backend_from_settings

__all__ = ["backend_from_settings"]
