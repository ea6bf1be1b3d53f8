"""Helper tier: the ACL model (policies, tokens, what a token may do, each cluster's
ACL posture) and secret detection (SecretIDs, peering tokens) with masking.
A facade over :mod:`linter.acl.tokens` and :mod:`linter.acl.secrets`."""

from __future__ import annotations

from linter.acl.masking import mask_secrets
from linter.acl.secrets import find_peering_tokens, is_secret_id, mask, mask_line
from linter.acl.tokens import acl_documents, acl_model, acl_state, peered_clusters

__all__ = [
    "acl_documents",
    "acl_model",
    "acl_state",
    "peered_clusters",
    "find_peering_tokens",
    "is_secret_id",
    "mask",
    "mask_line",
    "mask_secrets",
]
