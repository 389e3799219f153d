"""The API's plumbing: OAuth 2.0 client authentication and scopes, per-method scope checks,
idempotent creates, keyset pagination, the JSON parser and RFC 9457 problem details. What each client
or user may see is in `access.py`; the resources are in `referrals/api.py` and `agencies/api.py`."""
