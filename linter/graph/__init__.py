"""peerlint graph (see docs/developing.md)."""
