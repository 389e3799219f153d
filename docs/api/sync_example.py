"""A minimal sync loop for an agency's case system, runnable against `make demo`:

    python docs/api/sync_example.py            # http://127.0.0.1:8000, demo-probation

It gets a token (client credentials), sends one referral idempotently by the agency's own
reference, then catches up with the events feed from the last saved position and prints what
happened. Run it twice: the second run changes nothing and prints only newer events.
Only the standard library is used.
"""

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE = os.environ.get("IOM_API", "http://127.0.0.1:8000")
CLIENT_ID = os.environ.get("IOM_CLIENT_ID", "demo-probation")
SECRET = os.environ.get("IOM_CLIENT_SECRET", os.environ.get("DEMO_PASSWORD", "demo-password"))
STATE = Path(os.environ.get("IOM_SYNC_STATE", ".iom-sync-state.json"))


def call(method: str, path: str, token: str | None = None, body=None, headers=None) -> tuple[int, dict]:
    request = urllib.request.Request(BASE + path, method=method, headers=headers or {})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:  # problem details: status, detail, errors by field
        return error.code, json.load(error)


def get_token() -> str:
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "scope": "referrals:read referrals:write"}
    ).encode()
    request = urllib.request.Request(
        f"{BASE}/o/token/", data=form, headers={"Authorization": f"Basic {basic}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]


def send_referral(token: str) -> None:
    """Create or update by our own reference: safe to repeat."""
    referral = {
        "person": {
            "first_name": "Dylan",
            "last_name": "Pritchard",
            "date_of_birth": "1991-03-14",
            "gender": "male",
            "ethnicity": "white_british",
            "pnc_id": "2011/0456789K",
            "crn": "D456789",
            "iom_category": "fixed",
            "risk_of_serious_harm": "medium",
        },
        "urgency": "routine",
        "needs": ["accommodation"],
        "risk_summary": "No risk to others known beyond the index offence.",
        "reason": "Released on licence without an address.",
    }
    status, body = call("PUT", "/api/v1/referrals/by-ref/CASE-2026-0042", token, referral)
    if status in (200, 201):
        print(f"referral CASE-2026-0042: {'created' if status == 201 else 'up to date'} ({body['status']})")
    else:  # 409: decided already (or a possible duplicate person); 400: a field named in errors
        print(f"referral CASE-2026-0042 not sent ({status}): {body.get('detail')} {body.get('errors', '')}")


def catch_up(token: str) -> None:
    """Read every event since the saved position, then save the new one."""
    after = json.loads(STATE.read_text())["after"] if STATE.exists() else None
    while True:
        query = urllib.parse.urlencode({"limit": 100, **({"after": after} if after else {})})
        status, page = call("GET", f"/api/v1/referrals/events/?{query}", token)
        if status == 429:
            raise SystemExit("throttled: wait and run again")
        for event in page["results"]:
            print(f"{event['occurred_at']}  {event['external_ref'] or event['referral']}: {event['kind']}")
        if not page["results"]:
            break
        after = page["next_cursor"]
        STATE.write_text(json.dumps({"after": after}))  # saved after each page: a crash loses nothing


if __name__ == "__main__":
    token = get_token()
    send_referral(token)
    catch_up(token)
