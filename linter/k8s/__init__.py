"""peerlint k8s (see docs/developing.md)."""
