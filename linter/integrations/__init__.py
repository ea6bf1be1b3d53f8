"""peerlint integrations (see docs/developing.md)."""
