"""peerlint: a linter for HashiCorp Consul cluster peering and federation config.

Nothing heavy is imported here: ``peerlint --version`` must start in milliseconds.
"""

import os as _os
import sys as _sys

__version__ = "0.1.0"


def _find_checkout_folders() -> None:
    """In a source checkout, the top-level ``rules/`` and ``schemas/`` folders are
    ``linter.rules`` and ``linter.schemas``, as an install makes them (pyproject's
    package-dir). Without this, ``python -m linter rules`` fails in a checkout that was
    never installed, and from the checkout's root after a plain ``pip install .`` (the
    source ``linter/`` shadows the installed one, which has them). An installed package
    has ``linter/rules/`` itself and never takes this path."""
    here = _os.path.dirname(_os.path.abspath(__file__))
    root = _os.path.dirname(here)
    if _os.path.isdir(_os.path.join(here, "rules")) or not _os.path.isfile(_os.path.join(root, "rules", "__init__.py")):
        return

    class CheckoutFolders:
        """Finds exactly ``linter.rules`` and ``linter.schemas`` in the checkout."""

        @staticmethod
        def find_spec(name: str, path=None, target=None):
            if name not in ("linter.rules", "linter.schemas"):
                return None
            from importlib.util import spec_from_file_location

            folder = _os.path.join(root, name.split(".", 1)[1])
            return spec_from_file_location(
                name, _os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
            )

    _sys.meta_path.insert(0, CheckoutFolders)


_find_checkout_folders()
