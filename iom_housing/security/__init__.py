"""Security plumbing: two-factor sign-in, sessions and their time-outs, the security event log, the
receivers that write it, and the middleware that guards every request."""
