"""The FastAPI web app: routes translate HTTP to mentor calls, nothing more."""
