"""`mentor eval`: the project's own benchmark sets scored against any backend as the mentor.

The offline engine is always the first row, so every model is read against the default.
"""
