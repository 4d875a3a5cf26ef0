"""The auth domain's rules, one module per concern:

credentials  password hashing (argon2id), the password policy, token hashes
sessions     login (with TOTP), refresh rotation with reuse detection, logout, access JWTs
principals   turning a bearer token (access JWT or API token) into a Principal
api_tokens   personal API tokens for automation
mfa          TOTP enrolment and verification
directory    users and groups, the no-lock-out rule, the first administrator
invitations  invite by email, look up, accept
"""
