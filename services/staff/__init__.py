"""The staff directory and sign-in (staff-api): members, roles, sessions; the one signer of tokens."""
