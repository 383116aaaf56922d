"""Signed staff tokens (JWT, HS256): who the caller is, their role, site and department."""
from __future__ import annotations

import time

import jwt

from hall.domain.errors import DomainError
from hall.domain.identity import Actor

ISSUER = "lixia-hall"


class InvalidToken(Exception):
    """The caller is not authenticated: no token, a bad signature, or an expired token."""


def issue(actor: Actor, secret: str, ttl_seconds: int = 12 * 3600) -> str:
    now = int(time.time())
    return jwt.encode({"sub": actor.staff_id, "role": actor.role, "site": actor.site,
                       "dept": actor.department, "iss": ISSUER, "iat": now, "exp": now + ttl_seconds},
                      secret, algorithm="HS256")


def verify(token: str, secret: str) -> Actor:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER,
                            options={"require": ["sub", "role", "exp", "iss"]})
        return Actor(claims["sub"], claims["role"], claims.get("site", ""), claims.get("dept", ""))
    except (jwt.PyJWTError, DomainError) as exc:
        raise InvalidToken(f"invalid staff token: {exc}") from None


def main() -> None:
    """Print a token: python -m hall.infra.tokens STAFF_ID ROLE SITE [DEPARTMENT]."""
    import os
    import sys
    args = sys.argv[1:]
    if len(args) not in (3, 4):
        sys.exit("usage: python -m hall.infra.tokens STAFF_ID ROLE SITE [DEPARTMENT]")
    from hall.infra import settings
    settings.use_local_run()
    secret = os.environ.get("HALL_TOKEN_SECRET")
    if not secret:
        sys.exit("no HALL_TOKEN_SECRET: start the hall with `make run` first, or set it")
    print(issue(Actor(*args), secret))


if __name__ == "__main__":
    main()
