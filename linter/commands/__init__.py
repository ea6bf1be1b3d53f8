"""CLI subcommands big enough for a module of their own (``linter.cli`` dispatches to
them lazily, so start-up imports none of them)."""
