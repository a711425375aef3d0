"""Accounts: the people who use the web application, their roles, API tokens, browser
sessions and sign-in limits.

The public API (the CLI and the web use only these names):

- ``ROLES`` (weakest first) and ``role_allows(role, needed)``;
- ``add_user``, ``list_users``, ``disable_user``, ``User``: argon2id password hashes,
  every change audited with the acting user's name;
- ``create_token``, ``list_tokens``, ``revoke_token``, ``user_for_token``, ``TokenInfo``:
  a token is shown once, only its hash is stored;
- ``authenticate`` (rate-limited), ``start_session``, ``session_user``, ``end_session``.
"""

from credible.accounts.sessions import (
    LOGIN_LIMIT,
    SESSION_HOURS,
    authenticate,
    end_session,
    session_user,
    start_session,
)
from credible.accounts.tokens import (
    TokenInfo,
    create_token,
    list_tokens,
    revoke_token,
    user_for_token,
)
from credible.accounts.users import (
    ROLES,
    User,
    add_user,
    disable_user,
    get_user,
    list_users,
    role_allows,
)

__all__ = [
    "LOGIN_LIMIT",
    "ROLES",
    "SESSION_HOURS",
    "TokenInfo",
    "User",
    "add_user",
    "authenticate",
    "create_token",
    "disable_user",
    "end_session",
    "get_user",
    "list_tokens",
    "list_users",
    "revoke_token",
    "role_allows",
    "session_user",
    "start_session",
    "user_for_token",
]
