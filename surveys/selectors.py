def open_surveys():
    """Surveys residents can answer now (filled in by the surveys app)."""
    return []
