"""Staff tokens: only the signing key mints them; verifiers check everything a claim says."""
from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from hall.domain.identity import Actor
from hall.infra import tokens

CLERK = Actor("LX00-C01", "clerk", "LX00")


@pytest.fixture
def keys(tmp_path):
    tokens.generate_keypair(tmp_path / "k", tmp_path / "k.pub")
    return tokens.Signer.from_file(tmp_path / "k"), tokens.Verifier.from_files([tmp_path / "k.pub"]), tmp_path


def test_a_token_names_the_member_their_shift_role_and_session(keys):
    signer, verifier, _ = keys
    claims = verifier.verify(signer.issue(CLERK, "sid-1", 600))
    assert claims.actor == CLERK and claims.sid == "sid-1" and claims.expires_at - claims.issued_at == 600


def test_the_private_key_file_is_readable_by_its_owner_only(keys):
    *_, d = keys
    assert (d / "k").stat().st_mode & 0o777 == 0o600


def test_a_token_signed_with_another_key_is_refused(keys, tmp_path):
    _, verifier, _ = keys
    tokens.generate_keypair(tmp_path / "other", tmp_path / "other.pub")
    with pytest.raises(tokens.InvalidToken, match="does not know"):
        verifier.verify(tokens.Signer.from_file(tmp_path / "other").issue(CLERK, "s", 600))


def test_old_and_new_keys_verify_side_by_side_during_a_rotation(keys, tmp_path):
    old, _, d = keys
    tokens.generate_keypair(tmp_path / "new", tmp_path / "new.pub")
    both = tokens.Verifier.from_files(f"{d / 'k.pub'}:{tmp_path / 'new.pub'}")
    new = tokens.Signer.from_file(tmp_path / "new")
    assert both.verify(old.issue(CLERK, "a", 60)).sid == "a"
    assert both.verify(new.issue(CLERK, "b", 60)).sid == "b"


def test_expired_and_other_audience_tokens_are_refused(keys):
    signer, verifier, _ = keys
    with pytest.raises(tokens.InvalidToken, match="expired"):
        verifier.verify(signer.issue(CLERK, "s", 60, now=int(time.time()) - 120))
    with pytest.raises(tokens.InvalidToken, match="(?i)audience"):
        verifier.verify(signer.issue(CLERK, "s", 60, audience="provincial-exchange"))


def _tamper(token: str, **claims) -> str:
    head, body, sig = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data.update(claims)
    return ".".join([head, base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("="), sig])


def test_a_changed_claim_breaks_the_signature(keys):
    signer, verifier, _ = keys
    with pytest.raises(tokens.InvalidToken):
        verifier.verify(_tamper(signer.issue(CLERK, "s", 60), role="supervisor"))


def test_claims_of_the_wrong_type_are_refused_even_when_signed(keys):
    signer, verifier, _ = keys
    key = signer._key
    now = int(time.time())
    bad = jwt.encode({"sub": "LX00-C01", "role": {"x": 1}, "site": "LX00", "dept": "", "sid": "s",
                      "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "iat": now, "exp": now + 60},
                     key, algorithm="EdDSA", headers={"kid": signer.kid})
    with pytest.raises(tokens.InvalidToken, match="wrong type"):
        verifier.verify(bad)


def test_unsigned_tokens_and_other_algorithms_are_refused(keys):
    signer, verifier, _ = keys
    now = int(time.time())
    claims = {"sub": "admin", "role": "admin", "sid": "s", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE,
              "iat": now, "exp": now + 60}
    with pytest.raises(tokens.InvalidToken):
        verifier.verify(jwt.encode(claims, None, algorithm="none", headers={"kid": signer.kid}))
    with pytest.raises(tokens.InvalidToken):
        verifier.verify(jwt.encode(claims, "a-shared-secret-of-32-bytes-long!", algorithm="HS256",
                                   headers={"kid": signer.kid}))


def test_a_revoked_session_or_member_is_refused(keys):
    signer, verifier, _ = keys
    token = signer.issue(CLERK, "sid-9", 600)
    verifier.revocations.sessions = {"sid-9"}
    with pytest.raises(tokens.InvalidToken, match="ended"):
        verifier.verify(token)
    verifier.revocations.sessions, verifier.revocations.staff = set(), {"LX00-C01"}
    with pytest.raises(tokens.InvalidToken, match="ended"):
        verifier.verify(token)


def test_oversized_tokens_are_refused_before_decoding(keys):
    _, verifier, _ = keys
    with pytest.raises(tokens.InvalidToken, match="too long"):
        verifier.verify("a" * 5000)


def test_a_cached_token_is_still_refused_once_revoked_or_expired(keys):
    signer, verifier, _ = keys
    token = signer.issue(CLERK, "sid-c", 600)
    assert verifier.verify(token).sid == "sid-c" and verifier.verify(token).sid == "sid-c"
    verifier.revocations.sessions = {"sid-c"}
    with pytest.raises(tokens.InvalidToken, match="ended"):
        verifier.verify(token)
    short = signer.issue(CLERK, "sid-d", 1, now=int(time.time()) - 10)  # expired
    with pytest.raises(tokens.InvalidToken, match="expired"):
        verifier.verify(short)
