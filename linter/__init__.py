"""peerlint: a linter for HashiCorp Consul cluster peering and federation config.

Nothing heavy is imported here: ``peerlint --version`` must start in milliseconds.
"""

__version__ = "0.1.0"
