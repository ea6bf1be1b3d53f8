"""peerlint acl (see docs/developing.md)."""
