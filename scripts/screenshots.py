"""Screenshots of the running app for a person to look at: signs in as a demo user and saves each
page at desktop (1280 px) and phone (390 px) widths under screenshots/ (git-ignored).

    DEBUG=1 .venv/bin/python manage.py runserver 127.0.0.1:8001 &
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8001 officer /dashboard/ /referrals/
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def main(base_url: str, username: str, paths: list[str]) -> None:
    out = Path("screenshots")
    out.mkdir(exist_ok=True)
    password = os.environ.get("DEMO_PASSWORD", "demo-password")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{base_url}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            for path in paths:
                page.goto(base_url + path)
                name = path.strip("/").replace("/", "_") or "home"
                target = out / f"{username}-{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
